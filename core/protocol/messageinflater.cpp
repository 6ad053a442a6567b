#include "messageinflater.h"

#include <algorithm>
#include <array>
#include <vector>
#include <zlib.h>

namespace framescope::protocol {

struct MessageInflater::Stream
{
    z_stream z{};
    bool valid = false;
    int windowBits = 15;
    std::array<std::uint8_t, kChunkSize> out{};
};

MessageInflater::MessageInflater(int windowBits, bool noContextTakeover)
    : m_stream(std::make_unique<Stream>())
    , m_noContextTakeover(noContextTakeover)
{
    // Inflating with a window of 15 also reads streams made with any smaller window.
    m_stream->windowBits = windowBits < 8 || windowBits > 15 ? 15 : windowBits;
    m_stream->valid = inflateInit2(&m_stream->z, -m_stream->windowBits) == Z_OK;
}

MessageInflater::~MessageInflater()
{
    if (m_stream->valid)
        inflateEnd(&m_stream->z);
}

bool MessageInflater::isValid() const
{
    return m_stream->valid;
}

ProtocolError MessageInflater::run(std::span<const std::uint8_t> input, std::uint64_t limit,
                                   const Sink &sink)
{
    if (!m_stream->valid)
        return ProtocolError::InvalidCompressedData;
    z_stream &z = m_stream->z;
    z.next_in = const_cast<Bytef *>(input.data());
    z.avail_in = static_cast<uInt>(input.size());
    // RFC 7692 §7.2.3.4: after a block with BFINAL set, the rest of the message is ignored.
    while (!m_streamEnded) {
        z.next_out = m_stream->out.data();
        z.avail_out = static_cast<uInt>(m_stream->out.size());
        const int status = ::inflate(&z, Z_SYNC_FLUSH);
        // What zlib wrote before finding corrupt data is valid output: hand it on first, so the
        // result does not depend on how the compressed bytes were chunked.
        // Past the limit likewise: the first `limit` bytes are handed on, then the message is
        // too big, however the output came in pieces.
        const std::size_t produced = m_stream->out.size() - z.avail_out;
        if (produced > 0) {
            const std::uint64_t room = limit > m_messageSize ? limit - m_messageSize : 0;
            const std::size_t handed = std::size_t(std::min<std::uint64_t>(produced, room));
            m_messageSize += produced;
            if (handed > 0) {
                if (const ProtocolError error = sink({m_stream->out.data(), handed});
                    error != ProtocolError::None) {
                    return error;
                }
            }
            if (m_messageSize > limit)
                return ProtocolError::MessageTooBig;
        }
        if (status == Z_DATA_ERROR || status == Z_NEED_DICT || status == Z_MEM_ERROR
            || status == Z_STREAM_ERROR) {
            return ProtocolError::InvalidCompressedData;
        }
        if (status == Z_STREAM_END)
            m_streamEnded = true;
        // Output space left over means zlib took all the input it could and flushed everything.
        if (z.avail_out != 0)
            break;
    }
    return ProtocolError::None;
}

ProtocolError MessageInflater::inflate(std::span<const std::uint8_t> compressed,
                                       std::uint64_t limit, const Sink &sink)
{
    return run(compressed, limit, sink);
}

void MessageInflater::restartStream()
{
    z_stream &z = m_stream->z;
    if (m_noContextTakeover) {
        inflateReset(&z);
        return;
    }
    // Keep the window across a stream end so context takeover still works after BFINAL.
    std::vector<Bytef> window(std::size_t{1} << m_stream->windowBits);
    uInt windowSize = static_cast<uInt>(window.size());
    if (inflateGetDictionary(&z, window.data(), &windowSize) != Z_OK)
        windowSize = 0;
    inflateReset(&z);
    if (windowSize > 0)
        inflateSetDictionary(&z, window.data(), windowSize);
}

void MessageInflater::reset()
{
    if (m_stream->valid)
        inflateReset(&m_stream->z);
    m_streamEnded = false;
    m_messageSize = 0;
}

ProtocolError MessageInflater::finishMessage(std::uint64_t limit, const Sink &sink)
{
    static constexpr std::uint8_t kTail[4] = {0x00, 0x00, 0xFF, 0xFF};
    ProtocolError error = ProtocolError::None;
    if (!m_streamEnded)
        error = run(kTail, limit, sink);
    if (m_streamEnded)
        restartStream();
    else if (m_noContextTakeover)
        inflateReset(&m_stream->z);
    m_streamEnded = false;
    m_messageSize = 0;
    return error;
}

} // namespace framescope::protocol
