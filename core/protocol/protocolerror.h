#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace framescope::protocol {

// Every way a peer can break RFC 6455 / RFC 7692 that the codec detects. Each value maps to
// exactly one close code and one stable id (used in logs, capture files and JSON output).
enum class ProtocolError : std::uint8_t {
    None = 0,
    ReservedBitsSet,         // RFC 6455 §5.2: RSV1-3 must be 0 unless an extension says otherwise.
    UnexpectedCompressedBit, // RFC 7692 §6.1: RSV1 only on the first frame of a data message.
    ReservedOpcode,          // RFC 6455 §5.2: opcodes 3-7 and 11-15 are reserved.
    FragmentedControlFrame,  // RFC 6455 §5.5: control frames must not be fragmented.
    ControlFrameTooLong,     // RFC 6455 §5.5: control frame payloads are at most 125 bytes.
    UnmaskedClientFrame,     // RFC 6455 §5.1: a client masks every frame it sends.
    MaskedServerFrame,       // RFC 6455 §5.1: a server never masks a frame.
    LengthTopBitSet,         // RFC 6455 §5.2: the most significant bit of a 64-bit length is 0.
    NonMinimalLength,        // RFC 6455 §5.2: the minimal number of bytes must be used (strict).
    FrameTooBig,             // Local limit on one frame's payload (1009).
    MessageTooBig,           // Local limit on one message, inflated size included (1009).
    TooManyFragments,        // Local limit on fragments per message (1009).
    UnexpectedContinuation,  // RFC 6455 §5.4: a continuation frame with no message to continue.
    ExpectedContinuation,    // RFC 6455 §5.4: a new data frame while a message is unfinished.
    InvalidUtf8,             // RFC 6455 §8.1: text messages must be valid UTF-8.
    InvalidClosePayload,     // RFC 6455 §5.5.1: a close body is empty or at least 2 bytes.
    InvalidCloseCode,        // RFC 6455 §7.4: the code is not one an endpoint may send.
    InvalidCloseReason,      // RFC 6455 §5.5.1: the close reason must be UTF-8.
    InvalidCompressedData,   // RFC 7692 §6.2: the payload is not a valid DEFLATE stream.
};

inline constexpr int kProtocolErrorCount = 20;

// The close code Framescope puts on the wire for this error (1002, 1007 or 1009).
std::uint16_t closeCodeFor(ProtocolError error);

// A short stable identifier, e.g. "reserved-opcode".
std::string_view errorId(ProtocolError error);

// The error with this stable identifier, or nothing (reading capture files).
std::optional<ProtocolError> errorFromId(std::string_view id);

// One sentence for people, e.g. "control frame longer than 125 bytes".
std::string_view describe(ProtocolError error);

// A set of ProtocolError values, recorded per frame in report mode.
class ViolationSet
{
public:
    constexpr void add(ProtocolError error)
    {
        if (error != ProtocolError::None)
            m_bits |= bit(error);
    }
    constexpr bool contains(ProtocolError error) const { return (m_bits & bit(error)) != 0; }
    constexpr bool isEmpty() const { return m_bits == 0; }
    constexpr std::uint32_t bits() const { return m_bits; }
    static constexpr ViolationSet fromBits(std::uint32_t bits)
    {
        ViolationSet set;
        set.m_bits = bits;
        return set;
    }
    // The first violation in the decoder's check order (the lowest enum value).
    ProtocolError first() const;

    friend constexpr bool operator==(ViolationSet, ViolationSet) = default;

private:
    static constexpr std::uint32_t bit(ProtocolError error)
    {
        return std::uint32_t{1} << static_cast<unsigned>(error);
    }
    std::uint32_t m_bits = 0;
};

} // namespace framescope::protocol
