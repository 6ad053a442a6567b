#include "messagereader.h"

#include "masking.h"

#include <algorithm>
#include <bit>

namespace framescope::protocol {

namespace {
constexpr std::size_t kUnmaskChunk = 64 * 1024;
}

MessageReader::MessageReader(const ReaderOptions &options, MessageHandler &handler)
    : m_decoder(options.decoder)
    , m_assembler(options.assembler, handler)
    , m_handler(handler)
{}

void MessageReader::enableDeflate(const DeflateParameters &parameters)
{
    m_decoder.setRsv1Negotiated(true);
    // We inflate what the peer compressed: a client reads the server's direction.
    const bool readsServer = m_decoder.options().role == Role::Client;
    m_assembler.enableInflate(
        readsServer ? parameters.serverMaxWindowBits : parameters.clientMaxWindowBits,
        readsServer ? parameters.serverNoContextTakeover : parameters.clientNoContextTakeover);
}

ProtocolError MessageReader::handlePayload(const DecodeEvent &event)
{
    const FrameHeader &header = m_decoder.frame().header;
    if (!header.masked)
        return m_assembler.payload(event.payload);
    std::size_t phase = event.payloadOffset & 3;
    std::span<const std::uint8_t> rest = event.payload;
    while (!rest.empty()) {
        std::size_t take = std::min(rest.size(), kUnmaskChunk);
        std::uint8_t *target = nullptr;
        if (const std::span<std::uint8_t> space = m_handler.payloadTarget(take); !space.empty()) {
            take = std::min(take, space.size());
            target = space.data();
        } else {
            if (m_unmasked.size() < take)
                m_unmasked.resize(take); // as large as frames need, up to kUnmaskChunk
            target = m_unmasked.data();
        }
        phase = copyMasked(target, rest.first(take), header.maskKey, phase);
        if (const ProtocolError error = m_assembler.payload({target, take});
            error != ProtocolError::None) {
            return error;
        }
        rest = rest.subspan(take);
    }
    return ProtocolError::None;
}

ProtocolError MessageReader::feed(std::span<const std::uint8_t> bytes)
{
    while (m_error == ProtocolError::None && !m_closeReceived) {
        const DecodeEvent event = m_decoder.next(bytes);
        bytes = bytes.subspan(event.consumed);
        ProtocolError error = ProtocolError::None;
        switch (event.type) {
        case DecodeEventType::NeedMoreData:
            return ProtocolError::None;
        case DecodeEventType::Error:
            error = event.error;
            if (m_decoder.failedInHeader()) {
                // The header that broke the rules is still a frame to show, with its violation.
                m_handler.frameStarted(m_decoder.frame());
                m_handler.violationFound(error);
            }
            break;
        case DecodeEventType::FrameHeader: {
            const DecodedFrame &frame = m_decoder.frame();
            m_handler.frameStarted(frame);
            for (std::uint32_t bits = frame.violations.bits(); bits != 0; bits &= bits - 1) {
                m_handler.violationFound(static_cast<ProtocolError>(std::countr_zero(bits)));
            }
            error = m_assembler.beginFrame(frame.header);
            break;
        }
        case DecodeEventType::Payload:
            error = handlePayload(event);
            break;
        case DecodeEventType::FrameEnd:
            error = m_assembler.endFrame();
            if (error != ProtocolError::None)
                m_handler.violationFound(error); // e.g. a bad close code: known at the end
            m_handler.frameFinished();
            if (error == ProtocolError::None
                && m_decoder.frame().header.opcode == static_cast<std::uint8_t>(Opcode::Close)) {
                m_closeReceived = true;
            }
            break;
        }
        if (error != ProtocolError::None)
            m_error = error;
    }
    return m_error;
}

} // namespace framescope::protocol
