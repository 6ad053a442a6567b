#pragma once

#include "frameheader.h"
#include "masking.h"
#include "messagedeflater.h"
#include "permessagedeflate.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace framescope::protocol {

// Writes one frame: the header exactly as given, then the payload, masked with the header's key
// when the header says masked. Returns false if the header cannot be encoded.
bool appendFrame(const FrameHeader &header, std::span<const std::uint8_t> payload,
                 std::vector<std::uint8_t> &out);

// One direction of a connection as sent: valid frames for messages and control frames, masked
// for a client with keys from the injected source, compressed when permessage-deflate is on.
class MessageWriter
{
public:
    MessageWriter(Role role, MaskKeySource maskKeys = randomMaskKeySource());
    ~MessageWriter();

    void enableDeflate(const DeflateParameters &parameters);
    bool isDeflateEnabled() const { return m_deflater != nullptr; }

    // Appends the frames of one message. fragmentSize 0 sends one frame; otherwise the (possibly
    // compressed) payload is cut into frames of at most fragmentSize bytes. False when no mask
    // key could be drawn or compression failed; nothing is appended then.
    bool writeMessage(Opcode opcode, std::span<const std::uint8_t> payload,
                      std::vector<std::uint8_t> &out, std::size_t fragmentSize = 0,
                      bool compress = true);

    // Appends only the header of a one-frame, uncompressed message whose payload the caller
    // sends as it is, right after (no copy of a large payload into `out`). Server role only: a
    // client's payload must be masked. False for a client, or with compression on.
    bool writeUnmaskedHeader(Opcode opcode, std::uint64_t payloadLength,
                             std::vector<std::uint8_t> &out);

    // Ping, pong or close with at most 125 bytes of payload.
    bool writeControl(Opcode opcode, std::span<const std::uint8_t> payload,
                      std::vector<std::uint8_t> &out);

    // A close frame with a sendable code and reason (see buildClosePayload).
    bool writeClose(std::uint16_t code, std::string_view reason, std::vector<std::uint8_t> &out);

private:
    bool writeFrame(FrameHeader header, std::span<const std::uint8_t> payload,
                    std::vector<std::uint8_t> &out);

    Role m_role;
    MaskKeySource m_maskKeys;
    std::unique_ptr<MessageDeflater> m_deflater;
    std::vector<std::uint8_t> m_compressed;
};

} // namespace framescope::protocol
