#include "framedecoder.h"

#include <algorithm>
#include <cstring>

namespace framescope::protocol {

namespace {

// Parses a complete header of the given size. The caller guarantees `bytes` holds it. Field by
// field into the decoder's frame: building a DecodedFrame and assigning it made GCC
// store its bytes one by one and reload them as 16-byte words, a store-forwarding stall on every
// frame (a seventh of the client's time receiving 64 B frames).
void parseCompleteHeader(const std::uint8_t *bytes, std::size_t size, DecodedFrame &frame)
{
    FrameHeader &h = frame.header;
    h.fin = bytes[0] & 0x80;
    h.rsv1 = bytes[0] & 0x40;
    h.rsv2 = bytes[0] & 0x20;
    h.rsv3 = bytes[0] & 0x10;
    h.opcode = bytes[0] & 0x0F;
    h.masked = bytes[1] & 0x80;
    const std::uint8_t len7 = bytes[1] & 0x7F;
    std::size_t pos = 2;
    if (len7 == 126) {
        h.payloadLength = (std::uint64_t{bytes[2]} << 8) | bytes[3];
        h.lengthForm = LengthForm::Extended16;
        pos = 4;
    } else if (len7 == 127) {
        std::uint64_t length = 0;
        for (std::size_t i = 0; i < 8; ++i)
            length = (length << 8) | bytes[2 + i];
        h.payloadLength = length;
        h.lengthForm = LengthForm::Extended64;
        pos = 10;
    } else {
        h.payloadLength = len7;
        h.lengthForm = LengthForm::Short7;
    }
    if (h.masked)
        std::memcpy(h.maskKey.data(), bytes + pos, 4);
    else
        h.maskKey = {};
    frame.headerSize = static_cast<std::uint8_t>(size);
    frame.nonMinimalLength = h.lengthForm != minimalLengthForm(h.payloadLength);
    frame.violations = {};
}

} // namespace

FrameDecoder::FrameDecoder(const DecoderOptions &options)
    : m_options(options)
{
    updateRules();
}

void FrameDecoder::updateRules()
{
    m_rules.sender = m_options.role == Role::Client ? Role::Server : Role::Client;
    m_rules.rsv1Allowed = m_options.rsv1Negotiated;
    m_rules.strictLengths = m_options.strictLengths;
    m_rules.maxFramePayload = m_options.maxFramePayload;
}

void FrameDecoder::setRsv1Negotiated(bool negotiated)
{
    m_options.rsv1Negotiated = negotiated;
    updateRules();
}

DecodeEvent FrameDecoder::fail(ProtocolError error, std::size_t consumed)
{
    m_error = error;
    m_totalConsumed += consumed;
    DecodeEvent event;
    event.type = DecodeEventType::Error;
    event.consumed = consumed;
    event.error = error;
    return event;
}

ViolationSet FrameDecoder::checkFrame()
{
    const FrameHeader &header = m_frame.header;
    // The common case in one test: no RSV bits, a data opcode or a small unfragmented control
    // frame, masking right for the role, within the frame limit, and no strict length check.
    const bool plain = !header.rsv1 && !header.rsv2 && !header.rsv3 && !m_rules.strictLengths
                       && (header.opcode <= 2
                           || (header.opcode >= 8 && header.opcode <= 10 && header.fin
                               && header.payloadLength <= kMaxControlPayload))
                       && header.masked == (m_rules.sender == Role::Client)
                       && header.payloadLength <= m_rules.maxFramePayload;
    ViolationSet violations = plain ? ViolationSet{} : headerViolations(header, m_rules);

    // The message limit is checked on declared lengths, before any payload is read.
    const FrameHeader &h = m_frame.header;
    const std::uint8_t opcode = h.opcode & 0x0F;
    if (!h.isControl() && !isReservedOpcode(opcode)) {
        if (opcode != static_cast<std::uint8_t>(Opcode::Continuation))
            m_messageBytes = 0;
        if (h.payloadLength
            > m_options.maxMessageSize - std::min(m_messageBytes, m_options.maxMessageSize))
            violations.add(ProtocolError::MessageTooBig);
        m_messageBytes += std::min<std::uint64_t>(h.payloadLength, m_options.maxMessageSize + 1);
        if (h.fin)
            m_messageBytes = 0;
    }
    return violations;
}

DecodeEvent FrameDecoder::parseHeader(std::span<const std::uint8_t> input)
{
    std::size_t consumed = 0;
    const std::uint8_t *headerBytes = nullptr;
    std::size_t headerSize = 0;

    if (m_stashSize == 0 && input.size() >= 2 && input.size() >= headerSizeFromPrefix(input[1])) {
        // Fast path: the whole header is in this chunk.
        headerSize = headerSizeFromPrefix(input[1]);
        headerBytes = input.data();
        consumed = headerSize;
    } else {
        // Split header: stash only what the header needs, then wait for the rest.
        const std::size_t wanted = m_stashSize >= 2 ? headerSizeFromPrefix(m_stash[1]) : 2;
        const std::size_t take = std::min(wanted - m_stashSize, input.size());
        std::memcpy(m_stash.data() + m_stashSize, input.data(), take);
        m_stashSize = static_cast<std::uint8_t>(m_stashSize + take);
        consumed = take;
        if (m_stashSize == 2 && headerSizeFromPrefix(m_stash[1]) > 2) {
            const std::size_t rest
                = std::min(headerSizeFromPrefix(m_stash[1]) - 2, input.size() - consumed);
            std::memcpy(m_stash.data() + 2, input.data() + consumed, rest);
            m_stashSize = static_cast<std::uint8_t>(m_stashSize + rest);
            consumed += rest;
        }
        if (m_stashSize < 2 || m_stashSize < headerSizeFromPrefix(m_stash[1])) {
            m_totalConsumed += consumed;
            DecodeEvent event;
            event.consumed = consumed;
            return event;
        }
        headerSize = m_stashSize;
        headerBytes = m_stash.data();
        m_stashSize = 0;
    }

    parseCompleteHeader(headerBytes, headerSize, m_frame);
    const ViolationSet violations = checkFrame();
    m_frame.violations = violations;
    if (!violations.isEmpty()) {
        const ProtocolError first = violations.first();
        // A length with its top bit set leaves no frame structure to follow.
        if (!m_options.reportMode || violations.contains(ProtocolError::LengthTopBitSet)) {
            m_frame.violations = ViolationSet{};
            m_frame.violations.add(first);
            m_failedInHeader = true;
            return fail(first, consumed);
        }
    }

    m_payloadRead = 0;
    m_state = m_frame.header.payloadLength == 0 ? State::End : State::Payload;
    m_totalConsumed += consumed;
    DecodeEvent event;
    event.type = DecodeEventType::FrameHeader;
    event.consumed = consumed;
    return event;
}

DecodeEvent FrameDecoder::next(std::span<const std::uint8_t> input)
{
    if (m_error != ProtocolError::None) {
        DecodeEvent event;
        event.type = DecodeEventType::Error;
        event.error = m_error;
        return event;
    }
    switch (m_state) {
    case State::Header:
        if (input.empty())
            return {};
        return parseHeader(input);
    case State::Payload: {
        if (input.empty())
            return {};
        const std::uint64_t remaining = m_frame.header.payloadLength - m_payloadRead;
        const std::size_t take
            = static_cast<std::size_t>(std::min<std::uint64_t>(remaining, input.size()));
        DecodeEvent event;
        event.type = DecodeEventType::Payload;
        event.consumed = take;
        event.payload = input.first(take);
        event.payloadOffset = m_payloadRead;
        m_payloadRead += take;
        m_totalConsumed += take;
        if (m_payloadRead == m_frame.header.payloadLength)
            m_state = State::End;
        return event;
    }
    case State::End: {
        m_state = State::Header;
        DecodeEvent event;
        event.type = DecodeEventType::FrameEnd;
        return event;
    }
    }
    return {};
}

} // namespace framescope::protocol
