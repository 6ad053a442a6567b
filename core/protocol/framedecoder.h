#pragma once

#include "frameheader.h"
#include "protocolerror.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace framescope::protocol {

struct DecoderOptions
{
    Role role = Role::Client;    // our role: a client decodes frames sent by a server
    bool rsv1Negotiated = false; // permessage-deflate in use
    bool strictLengths = false;  // reject non-minimal length encodings (1002)
    bool reportMode = false;     // record violations and keep decoding where possible
    std::uint64_t maxFramePayload = 64ull << 20;
    std::uint64_t maxMessageSize = 64ull << 20;
};

// One decoded frame header with what the decoder learned about it.
struct DecodedFrame
{
    FrameHeader header;
    std::uint8_t headerSize = 0;
    bool nonMinimalLength = false;
    ViolationSet violations; // all of them in report mode; the fatal one otherwise
};

enum class DecodeEventType : std::uint8_t {
    NeedMoreData, // every byte given was consumed (or stashed); feed more
    FrameHeader,  // a header was parsed: see frame()
    Payload,      // payload bytes of the current frame, still masked, as a view into the input
    FrameEnd,     // the current frame's payload is complete
    Error,        // a fatal violation; the decoder stays failed
};

struct DecodeEvent
{
    DecodeEventType type = DecodeEventType::NeedMoreData;
    std::size_t consumed = 0;              // bytes of the input this step used
    std::span<const std::uint8_t> payload; // for Payload: a view into the caller's input
    std::uint64_t payloadOffset = 0;       // for Payload: offset of payload[0] in the frame
    ProtocolError error = ProtocolError::None;
};

// Incremental RFC 6455 frame decoder. Bytes may arrive in any chunking; one byte at a time gives
// the same events (payload views aside). The header is parsed all-or-nothing, with only a split
// header stashed (at most 14 bytes); payload is handed out as views and never accumulated.
//
// Usage: for (;;) { auto e = decoder.next(input); input = input.subspan(e.consumed);
//                   ... if (e.type == NeedMoreData || e.type == Error) break; }
class FrameDecoder
{
public:
    explicit FrameDecoder(const DecoderOptions &options = {});

    DecodeEvent next(std::span<const std::uint8_t> input);

    const DecodedFrame &frame() const { return m_frame; }
    bool hasFailed() const { return m_error != ProtocolError::None; }
    // True between the first byte of a frame and its end: a stall here is a stall mid-frame.
    bool isMidFrame() const { return m_state != State::Header || m_stashSize > 0; }
    ProtocolError error() const { return m_error; }
    // The failure was in a complete header (frame() holds it with the violation), so the
    // offending frame can still be shown.
    bool failedInHeader() const { return m_failedInHeader; }
    const DecoderOptions &options() const { return m_options; }

    // After the handshake: permessage-deflate makes RSV1 legal on first data frames.
    void setRsv1Negotiated(bool negotiated);

    // Bytes consumed in total, for positions in error messages.
    std::uint64_t totalConsumed() const { return m_totalConsumed; }

private:
    enum class State : std::uint8_t { Header, Payload, End };

    DecodeEvent parseHeader(std::span<const std::uint8_t> input);
    DecodeEvent fail(ProtocolError error, std::size_t consumed);
    ViolationSet checkFrame();
    void updateRules();

    DecoderOptions m_options;
    HeaderRules m_rules; // derived from m_options once, not per frame
    State m_state = State::Header;
    ProtocolError m_error = ProtocolError::None;
    bool m_failedInHeader = false;
    DecodedFrame m_frame;
    std::uint64_t m_payloadRead = 0;
    std::uint64_t m_messageBytes = 0; // declared data payload in the current message so far
    std::uint64_t m_totalConsumed = 0;
    std::array<std::uint8_t, kMaxHeaderSize> m_stash{};
    std::uint8_t m_stashSize = 0;
};

// Header size implied by the first two bytes of a frame.
constexpr std::size_t headerSizeFromPrefix(std::uint8_t byte1)
{
    const std::uint8_t len7 = byte1 & 0x7F;
    return 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((byte1 & 0x80) ? 4 : 0);
}

} // namespace framescope::protocol
