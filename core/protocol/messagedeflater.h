#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace framescope::protocol {

// Compresses whole messages for permessage-deflate (RFC 7692 §7.2.1) with the system zlib:
// raw DEFLATE, a sync flush per message, the trailing 00 00 ff ff removed. With context takeover
// the LZ77 window carries over from one message to the next.
class MessageDeflater
{
public:
    explicit MessageDeflater(int windowBits = 15, bool noContextTakeover = false, int level = 6,
                             int memLevel = 8);
    ~MessageDeflater();
    MessageDeflater(const MessageDeflater &) = delete;
    MessageDeflater &operator=(const MessageDeflater &) = delete;

    bool isValid() const;

    // Appends the compressed message to `out`. False on a zlib failure (the stream is then reset).
    bool compress(std::span<const std::uint8_t> message, std::vector<std::uint8_t> &out);

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
    bool m_noContextTakeover;
};

} // namespace framescope::protocol
