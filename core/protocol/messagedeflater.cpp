#include "messagedeflater.h"

#include <cstring>
#include <zlib.h>

namespace framescope::protocol {

struct MessageDeflater::Stream
{
    z_stream z{};
    bool valid = false;
    std::vector<std::uint8_t> scratch;
};

MessageDeflater::MessageDeflater(int windowBits, bool noContextTakeover, int level, int memLevel)
    : m_stream(std::make_unique<Stream>())
    , m_noContextTakeover(noContextTakeover)
{
    // Negative window bits select raw DEFLATE without a zlib header (RFC 7692 §7.2.1).
    m_stream->valid
        = deflateInit2(&m_stream->z, level, Z_DEFLATED, -windowBits, memLevel, Z_DEFAULT_STRATEGY)
          == Z_OK;
}

MessageDeflater::~MessageDeflater()
{
    if (m_stream->valid)
        deflateEnd(&m_stream->z);
}

bool MessageDeflater::isValid() const
{
    return m_stream->valid;
}

bool MessageDeflater::compress(std::span<const std::uint8_t> message,
                               std::vector<std::uint8_t> &out)
{
    if (!m_stream->valid)
        return false;
    z_stream &z = m_stream->z;
    std::vector<std::uint8_t> &scratch = m_stream->scratch;
    z.next_in = const_cast<Bytef *>(message.data());
    z.avail_in = static_cast<uInt>(message.size());
    // A sync flush of n bytes fits in deflateBound(n) plus the empty stored block; the scratch
    // buffer only ever grows, so steady traffic allocates nothing.
    const std::size_t bound = deflateBound(&z, static_cast<uLong>(message.size())) + 16;
    if (scratch.size() < bound)
        scratch.resize(bound);
    std::size_t used = 0;
    for (;;) {
        z.next_out = scratch.data() + used;
        z.avail_out = static_cast<uInt>(scratch.size() - used);
        const int status = deflate(&z, Z_SYNC_FLUSH);
        used = scratch.size() - z.avail_out;
        if (status != Z_OK && status != Z_BUF_ERROR) {
            deflateReset(&z);
            return false;
        }
        // Done once all input is taken and the flush fitted (output space was left over).
        if (z.avail_in == 0 && z.avail_out != 0)
            break;
        scratch.resize(scratch.size() * 2);
    }
    // RFC 7692 §7.2.1: remove the 00 00 ff ff that ends the sync flush.
    static constexpr std::uint8_t kTail[4] = {0x00, 0x00, 0xFF, 0xFF};
    if (used >= 4 && std::memcmp(scratch.data() + used - 4, kTail, 4) == 0)
        used -= 4;
    if (used == 0) {
        // zlib skips a second sync flush in a row, so an empty message after another message
        // produces nothing; RFC 7692 §7.2.3.6 spells an empty message as one 00 byte.
        out.push_back(0x00);
    }
    out.insert(out.end(), scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(used));
    if (m_noContextTakeover)
        deflateReset(&z);
    return true;
}

} // namespace framescope::protocol
