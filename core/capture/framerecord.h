#pragma once

#include <cstdint>
#include <protocol/frameheader.h>

namespace framescope::capture {

// A frame's position in a capture, counted from the first frame ever stored (eviction does not
// renumber).
struct FrameId
{
    std::uint64_t value = 0;
    friend auto operator<=>(FrameId, FrameId) = default;
};

enum class Direction : std::uint8_t { Received, Sent };

// Everything recorded about one frame except its payload, in 56 bytes. Stored by value in chunks:
// no heap object per frame.
struct FrameRecord
{
    enum Flag : std::uint8_t {
        Fin = 1 << 0,
        Rsv1 = 1 << 1,
        Rsv2 = 1 << 2,
        Rsv3 = 1 << 3,
        Masked = 1 << 4,
        Sent = 1 << 5,       // we sent it; otherwise we received it
        Compressed = 1 << 6, // part of a permessage-deflate message: the stored payload is inflated
        // Imported from a capture whose payload had been evicted, or the copy of a payload
        // that was (FrameStore::appendWithPayloadOf).
        PayloadDropped = 1 << 7,
    };

    // Monotonic nanoseconds. Received: first byte seen, frame complete. Sent: queued, written.
    std::int64_t startNs = 0;
    std::int64_t endNs = 0;
    std::uint64_t payloadLength = 0; // as declared on the wire (compressed size when compressed)
    std::uint64_t payloadOffset = 0; // where the stored payload starts in the store's arena
    std::uint32_t storedLength = 0;  // payload bytes kept: unmasked, and inflated when compressed
    std::uint32_t violations = 0;    // protocol::ViolationSet bits
    // Which connection of the capture: the server's connection id, or the client's connection
    // number (0, then 1, 2, ... after reconnects).
    std::uint32_t connection = 0;
    protocol::MaskKey maskKey{};
    std::uint8_t flags = 0;
    std::uint8_t opcode = 0; // raw 4-bit value, reserved ones included
    std::uint8_t headerSize = 0;
    protocol::LengthForm lengthForm = protocol::LengthForm::Short7;

    bool has(Flag flag) const { return (flags & flag) != 0; }
    void set(Flag flag, bool on = true)
    {
        flags = static_cast<std::uint8_t>(on ? (flags | flag) : (flags & ~flag));
    }
    Direction direction() const { return has(Sent) ? Direction::Sent : Direction::Received; }

    // The header fields as the protocol layer describes them.
    protocol::FrameHeader header() const;
    // The header fields as the protocol layer describes them, written over this record: its
    // header fields and flags (Compressed and PayloadDropped cleared); times, lengths kept and
    // the rest are left as they are. In place: a record built elsewhere and copied in is stored
    // byte by byte and reloaded in wide words, which stalls the CPU (store forwarding) on every
    // frame.
    void setHeader(const protocol::FrameHeader &header, std::uint8_t sizeOfHeader,
                   Direction direction);

    friend bool operator==(const FrameRecord &, const FrameRecord &) = default;
};

static_assert(sizeof(FrameRecord) <= 64, "the issue allows at most 64 bytes of metadata per frame");

} // namespace framescope::capture
