#pragma once

#include "protocolerror.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace framescope::protocol {

using MaskKey = std::array<std::uint8_t, 4>;

enum class Role : std::uint8_t { Client, Server };

// RFC 6455 §5.2 opcodes. Frames carry the raw 4-bit value so reserved opcodes survive.
enum class Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
};

constexpr bool isControlOpcode(std::uint8_t opcode)
{
    return (opcode & 0x8) != 0;
}

constexpr bool isReservedOpcode(std::uint8_t opcode)
{
    return (opcode >= 0x3 && opcode <= 0x7) || opcode >= 0xB;
}

// How the payload length is written. Minimal picks the shortest form; the others force one,
// so the frame lab can write non-minimal encodings.
enum class LengthForm : std::uint8_t { Minimal, Short7, Extended16, Extended64 };

inline constexpr std::size_t kMaxHeaderSize = 14;
inline constexpr std::uint64_t kMaxControlPayload = 125;

struct FrameHeader
{
    bool fin = true;
    bool rsv1 = false;
    bool rsv2 = false;
    bool rsv3 = false;
    std::uint8_t opcode = static_cast<std::uint8_t>(Opcode::Text); // low 4 bits are used
    bool masked = false;
    MaskKey maskKey{};
    std::uint64_t payloadLength = 0;
    LengthForm lengthForm = LengthForm::Minimal;

    bool isControl() const { return isControlOpcode(opcode); }
    friend bool operator==(const FrameHeader &, const FrameHeader &) = default;
};

// "TEXT", "CONTINUATION", "PING", ... or "RESERVED-3" for the reserved values.
std::string opcodeName(std::uint8_t opcode);

// One line for people: "FIN RSV=000 TEXT MASK=37fa213d LEN=5" (NON-MINIMAL marked).
std::string describeHeader(const FrameHeader &header);

// The shortest form that can hold this length.
LengthForm minimalLengthForm(std::uint64_t payloadLength);

// The form actually used (Minimal resolved).
LengthForm effectiveLengthForm(const FrameHeader &header);

// Bytes the header takes on the wire (2 to 14).
std::size_t encodedHeaderSize(const FrameHeader &header);

// Writes exactly the header it is given, valid or not: reserved opcodes, RSV bits, forced length
// forms, unmasked client frames and any mask key. Returns the bytes written, or 0 when `out` is
// too small or the length does not fit the forced form.
std::size_t encodeHeader(const FrameHeader &header, std::span<std::uint8_t> out);

// What the receiving endpoint accepts; validation is separate from encoding.
struct HeaderRules
{
    Role sender = Role::Client;
    bool rsv1Allowed = false; // true once permessage-deflate is negotiated
    bool rsv2Allowed = false;
    bool rsv3Allowed = false;
    bool strictLengths = false;
    std::uint64_t maxFramePayload = 64ull << 20;
};

// All violations of the header on its own, in the decoder's fixed order (see ProtocolError).
ViolationSet headerViolations(const FrameHeader &header, const HeaderRules &rules);

} // namespace framescope::protocol
