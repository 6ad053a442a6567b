#pragma once

#include "protocolerror.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

namespace framescope::protocol {

// Inflates permessage-deflate messages (RFC 7692 §7.2.2) with the system zlib, streaming: the
// output goes to a sink in chunks of at most kChunkSize bytes and is never accumulated here, and
// the inflated size of a message is checked against the limit while inflating, so a
// decompression bomb stops at the limit (1009) with only a small, fixed buffer in use.
class MessageInflater
{
public:
    static constexpr std::size_t kChunkSize = 16 * 1024;

    // The sink may refuse data (e.g. invalid UTF-8) by returning an error; inflating stops there.
    using Sink = std::function<ProtocolError(std::span<const std::uint8_t>)>;

    explicit MessageInflater(int windowBits = 15, bool noContextTakeover = false);
    ~MessageInflater();
    MessageInflater(const MessageInflater &) = delete;
    MessageInflater &operator=(const MessageInflater &) = delete;

    bool isValid() const;

    // Compressed bytes of the current message, in any chunking.
    ProtocolError inflate(std::span<const std::uint8_t> compressed, std::uint64_t limit,
                          const Sink &sink);

    // The message's last frame ended: appends 00 00 ff ff, flushes, and prepares the next message
    // (keeping the window with context takeover, even after a BFINAL block).
    ProtocolError finishMessage(std::uint64_t limit, const Sink &sink);

    std::uint64_t messageInflatedSize() const { return m_messageSize; }

    // Drops the current message and the window, e.g. after corrupt data in report mode.
    void reset();

private:
    ProtocolError run(std::span<const std::uint8_t> input, std::uint64_t limit, const Sink &sink);
    void restartStream();

    struct Stream;
    std::unique_ptr<Stream> m_stream;
    std::uint64_t m_messageSize = 0;
    bool m_noContextTakeover;
    bool m_streamEnded = false; // a BFINAL block ended the DEFLATE stream inside this message
};

} // namespace framescope::protocol
