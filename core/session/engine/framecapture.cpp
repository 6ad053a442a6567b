#include "framecapture.h"

namespace framescope::session {

FrameCapture::FrameCapture(capture::FrameStore &store, capture::Direction direction,
                           Listener &listener)
    : m_store(store)
    , m_direction(direction)
    , m_listener(listener)
{}

FrameCapture::~FrameCapture()
{
    if (m_begun) { // an unfinished frame leaves nothing behind
        std::vector<std::uint8_t> dropped;
        m_store.abandonFrame(dropped);
    }
}

void FrameCapture::setTimes(std::int64_t startNs, std::int64_t endNs)
{
    m_startNs = startNs;
    m_endNs = endNs;
}

void FrameCapture::begin()
{
    if (!m_begun && !m_buffering) {
        m_store.beginFrame(this);
        m_begun = true;
    }
}

void FrameCapture::storePayload(std::span<const std::uint8_t> data)
{
    if (m_buffering) {
        m_buffer.insert(m_buffer.end(), data.begin(), data.end());
        return;
    }
    begin();
    m_store.appendPayload(data);
}

void FrameCapture::yieldFrame()
{
    m_target = {};
    m_store.abandonFrame(m_buffer);
    m_begun = false;
    m_buffering = true;
}

void FrameCapture::finishInStore()
{
    if (m_buffering) {
        m_store.beginFrame();
        m_store.appendPayload(m_buffer);
        m_buffer.clear();
        m_buffering = false;
    } else {
        begin();
    }
    m_lastFrame = m_store.finishFrame(m_record, m_endNs);
    m_begun = false;
    m_open = false;
}

void FrameCapture::frameStarted(const protocol::DecodedFrame &frame)
{
    m_record = {};
    m_record.setHeader(frame.header, frame.headerSize, m_direction);
    m_record.startNs = m_startNs;
    m_record.connection = m_connection;
    m_record.violations = frame.violations.bits();
    const bool continuation = (frame.header.opcode & 0x0F) == 0;
    m_record.set(capture::FrameRecord::Compressed, continuation && m_messageCompressed);
    m_begun = false;
    m_buffering = false;
    m_buffer.clear();
    m_target = {};
    m_open = true;
}

void FrameCapture::messageStarted(protocol::Opcode opcode, bool compressed)
{
    m_messageCompressed = compressed;
    m_record.set(capture::FrameRecord::Compressed, compressed);
    begin();
    m_listener.messageStarted(opcode);
}

std::span<std::uint8_t> FrameCapture::payloadTarget(std::size_t size)
{
    // Only a data frame's payload is stored as it arrives: a control frame's is stored whole
    // when it ends, a compressed one's after inflating.
    const bool plainData = m_record.opcode < 8 && !m_record.has(capture::FrameRecord::Rsv1)
                           && !m_record.has(capture::FrameRecord::Compressed);
    if (!m_open || m_buffering || !plainData)
        return {};
    begin();
    m_target = m_store.payloadSpace(size);
    return m_target;
}

void FrameCapture::messageData(std::span<const std::uint8_t> data)
{
    if (!m_target.empty() && data.data() == m_target.data() && data.size() <= m_target.size())
        m_store.commitPayload(data.size()); // unmasked in place by the reader
    else
        storePayload(data);
    m_target = {};
    m_listener.messageData(data);
}

void FrameCapture::messageFinished()
{
    m_messageCompressed = false;
    m_messageFinished = true; // announced once the frame is in the capture
}

void FrameCapture::controlFrameReceived(protocol::Opcode opcode,
                                        std::span<const std::uint8_t> payload)
{
    storePayload(payload);
    m_pendingControl = {opcode, std::vector<std::uint8_t>(payload.begin(), payload.end())};
}

void FrameCapture::violationFound(protocol::ProtocolError error)
{
    m_record.violations |= 1u << static_cast<unsigned>(error);
}

void FrameCapture::frameFinished()
{
    finishInStore();
    m_listener.frameCaptured();
    if (m_messageFinished) {
        m_messageFinished = false;
        m_listener.messageFinished();
    }
    if (m_pendingControl) {
        auto control = std::move(*m_pendingControl);
        m_pendingControl.reset();
        m_listener.controlFrame(control.first, control.second);
    }
}

void FrameCapture::failFrame(protocol::ProtocolError error)
{
    if (!m_open)
        return;
    m_record.violations |= 1u << static_cast<unsigned>(error);
    finishIncomplete();
}

void FrameCapture::finishIncomplete()
{
    if (!m_open)
        return;
    finishInStore();
    m_messageCompressed = false;
    m_messageFinished = false;
    m_pendingControl.reset();
    m_listener.frameCaptured();
}

std::unique_ptr<protocol::MessageReader>
makeSentFrameReader(protocol::Role sender, FrameCapture &capture,
                    const std::optional<protocol::DeflateParameters> &deflate)
{
    constexpr std::uint64_t kUnlimited = ~std::uint64_t{0} >> 1;
    protocol::ReaderOptions options;
    options.decoder.role
        = sender == protocol::Role::Client ? protocol::Role::Server : protocol::Role::Client;
    options.decoder.reportMode = options.assembler.reportMode = true;
    options.decoder.maxFramePayload = options.decoder.maxMessageSize = kUnlimited;
    options.assembler.maxMessageSize = kUnlimited;
    options.assembler.maxFragments = UINT32_MAX;
    auto reader = std::make_unique<protocol::MessageReader>(options, capture);
    if (deflate)
        reader->enableDeflate(*deflate);
    return reader;
}

} // namespace framescope::session
