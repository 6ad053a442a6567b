#include "messageassembler.h"

#include "closeframe.h"

#include <algorithm>
#include <cstring>

namespace framescope::protocol {

MessageAssembler::MessageAssembler(const AssemblerOptions &options, MessageHandler &handler)
    : m_options(options)
    , m_handler(handler)
{}

MessageAssembler::~MessageAssembler() = default;

void MessageAssembler::enableInflate(int windowBits, bool noContextTakeover)
{
    m_inflater = std::make_unique<MessageInflater>(windowBits, noContextTakeover);
}

ProtocolError MessageAssembler::report(ProtocolError error)
{
    if (error == ProtocolError::None || !m_options.reportMode)
        return error;
    m_handler.violationFound(error);
    return ProtocolError::None;
}

ProtocolError MessageAssembler::inflateFailed(ProtocolError error)
{
    if (error == ProtocolError::None)
        return error;
    // In report mode the rest of this message cannot be inflated; the next one starts afresh.
    m_inflateFailed = true;
    return report(error);
}

ProtocolError MessageAssembler::beginFrame(const FrameHeader &header)
{
    const std::uint8_t opcode = header.opcode & 0x0F;
    m_frameFin = header.fin;
    if (isReservedOpcode(opcode)) {
        // Only reached in report mode: the decoder fails on reserved opcodes otherwise.
        m_frameKind = FrameKind::Ignored;
        return ProtocolError::None;
    }
    if (isControlOpcode(opcode)) {
        m_frameKind = FrameKind::Control;
        m_controlOpcode = opcode;
        m_controlSize = 0;
        return ProtocolError::None;
    }
    m_frameKind = FrameKind::Data;
    if (opcode == static_cast<std::uint8_t>(Opcode::Continuation)) {
        // RFC 6455 §5.4: a continuation needs an unfinished message.
        if (!m_inMessage) {
            m_frameKind = FrameKind::Ignored;
            return report(ProtocolError::UnexpectedContinuation);
        }
        if (++m_fragments > m_options.maxFragments)
            return report(ProtocolError::TooManyFragments);
        return ProtocolError::None;
    }
    // RFC 6455 §5.4: a new message may not start inside an unfinished one.
    if (m_inMessage) {
        if (const ProtocolError error = report(ProtocolError::ExpectedContinuation);
            error != ProtocolError::None) {
            return error;
        }
        // Report mode: close the broken message and start afresh.
        if (m_messageCompressed)
            m_inflater->reset();
        m_handler.messageFinished();
    }
    m_inMessage = true;
    m_messageIsText = opcode == static_cast<std::uint8_t>(Opcode::Text);
    m_messageCompressed = header.rsv1 && m_inflater != nullptr;
    m_skipUtf8 = false;
    m_reportedTooBig = false;
    m_inflateFailed = false;
    m_fragments = 1;
    m_messageSize = 0;
    m_utf8.reset();
    m_handler.messageStarted(static_cast<Opcode>(opcode), m_messageCompressed);
    return ProtocolError::None;
}

ProtocolError MessageAssembler::deliver(std::span<const std::uint8_t> data)
{
    if (m_messageIsText && !m_skipUtf8 && !m_utf8.feed(data)) {
        m_skipUtf8 = true;
        if (const ProtocolError error = report(ProtocolError::InvalidUtf8);
            error != ProtocolError::None) {
            return error;
        }
    }
    m_handler.messageData(data);
    return ProtocolError::None;
}

ProtocolError MessageAssembler::payload(std::span<const std::uint8_t> unmasked)
{
    switch (m_frameKind) {
    case FrameKind::Ignored:
        return ProtocolError::None;
    case FrameKind::Control: {
        const std::size_t room = m_control.size() - m_controlSize;
        const std::size_t take = std::min(room, unmasked.size());
        std::memcpy(m_control.data() + m_controlSize, unmasked.data(), take);
        m_controlSize = static_cast<std::uint8_t>(m_controlSize + take);
        return ProtocolError::None;
    }
    case FrameKind::Data:
        break;
    }
    if (m_messageCompressed) {
        if (m_inflateFailed)
            return ProtocolError::None;
        const ProtocolError error = m_inflater->inflate(
            unmasked, m_options.maxMessageSize,
            [this](std::span<const std::uint8_t> data) { return deliver(data); });
        return inflateFailed(error);
    }
    m_messageSize += unmasked.size();
    if (m_messageSize > m_options.maxMessageSize && !m_reportedTooBig) {
        m_reportedTooBig = true;
        if (const ProtocolError error = report(ProtocolError::MessageTooBig);
            error != ProtocolError::None) {
            return error;
        }
    }
    return deliver(unmasked);
}

ProtocolError MessageAssembler::endFrame()
{
    if (m_frameKind == FrameKind::Ignored)
        return ProtocolError::None;
    if (m_frameKind == FrameKind::Control) {
        const std::span<const std::uint8_t> body(m_control.data(), m_controlSize);
        if (m_controlOpcode == static_cast<std::uint8_t>(Opcode::Close)) {
            ClosePayload close;
            if (const ProtocolError error = report(parseClosePayload(body, close));
                error != ProtocolError::None) {
                return error;
            }
        }
        m_handler.controlFrameReceived(static_cast<Opcode>(m_controlOpcode), body);
        return ProtocolError::None;
    }
    if (!m_frameFin)
        return ProtocolError::None;
    if (m_messageCompressed) {
        if (m_inflateFailed) {
            m_inflater->reset();
        } else {
            const ProtocolError error = m_inflater->finishMessage(
                m_options.maxMessageSize,
                [this](std::span<const std::uint8_t> data) { return deliver(data); });
            if (const ProtocolError reported = inflateFailed(error);
                reported != ProtocolError::None)
                return reported;
        }
    }
    // RFC 6455 §8.1: a text message must end on a code point boundary.
    if (m_messageIsText && !m_skipUtf8 && !m_utf8.isComplete()) {
        if (const ProtocolError error = report(ProtocolError::InvalidUtf8);
            error != ProtocolError::None) {
            return error;
        }
    }
    m_inMessage = false;
    m_handler.messageFinished();
    return ProtocolError::None;
}

} // namespace framescope::protocol
