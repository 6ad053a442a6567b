// permessage-deflate both ways: the input is cut into messages (at 0xFF bytes), compressed with
// the writer's deflater and inflated again with the reader's inflater, with and without context
// takeover and at several window sizes. Every message must come back unchanged.

#include "fuzzutil.h"

#include <protocol/messagedeflater.h>
#include <protocol/messageinflater.h>
#include <vector>

using namespace framescope::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const bool noTakeover = data[0] & 1;
    const int windowBits = 9 + (data[0] >> 1) % 7;
    MessageDeflater deflater(windowBits, noTakeover);
    MessageInflater inflater(windowBits, noTakeover);
    fuzzutil::check(deflater.isValid() && inflater.isValid(), "zlib set-up failed");

    std::vector<std::uint8_t> message;
    std::vector<std::uint8_t> compressed;
    std::vector<std::uint8_t> restored;
    auto sink = [&restored](std::span<const std::uint8_t> piece) {
        restored.insert(restored.end(), piece.begin(), piece.end());
        return ProtocolError::None;
    };
    for (std::size_t i = 1; i <= size; ++i) {
        if (i < size && data[i] != 0xFF) {
            message.push_back(data[i]);
            continue;
        }
        compressed.clear();
        restored.clear();
        fuzzutil::check(deflater.compress(message, compressed), "deflate failed");
        fuzzutil::check(!compressed.empty(),
                        "a compressed message is never empty (RFC 7692 §7.2.3.6)");
        const auto chunks = fuzzutil::chunks(compressed, std::uint8_t(message.size()));
        for (auto chunk : chunks)
            fuzzutil::check(inflater.inflate(chunk, 1 << 20, sink) == ProtocolError::None,
                            "inflate failed");
        fuzzutil::check(inflater.finishMessage(1 << 20, sink) == ProtocolError::None,
                        "finish failed");
        fuzzutil::check(restored == message, "round trip changed the message");
        message.clear();
    }
    return 0;
}
