// permessage-deflate inflation: arbitrary compressed bytes, split anywhere, never produce more
// than the limit, and whole and split inflation agree.

#include "fuzzutil.h"

#include <protocol/messageinflater.h>

using namespace framescope::protocol;

namespace {

struct Outcome
{
    ProtocolError error = ProtocolError::None;
    std::uint64_t size = 0;
    std::uint64_t digest = 0;
};

Outcome inflateAll(const std::vector<std::span<const std::uint8_t>> &parts, bool noTakeover)
{
    constexpr std::uint64_t kLimit = 1 << 20;
    MessageInflater inflater(15, noTakeover);
    Outcome outcome;
    auto sink = [&outcome](std::span<const std::uint8_t> data) {
        outcome.size += data.size();
        for (std::uint8_t byte : data)
            outcome.digest = outcome.digest * 131 + byte;
        return ProtocolError::None;
    };
    for (auto part : parts) {
        outcome.error = inflater.inflate(part, kLimit, sink);
        if (outcome.error != ProtocolError::None)
            break;
    }
    if (outcome.error == ProtocolError::None)
        outcome.error = inflater.finishMessage(kLimit, sink);
    fuzzutil::check(outcome.size <= kLimit, "inflated past the limit");
    return outcome;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::span<const std::uint8_t> input(data + 1, size - 1);
    const bool noTakeover = data[0] & 1;
    const Outcome whole = inflateAll({input}, noTakeover);
    const Outcome split = inflateAll(fuzzutil::chunks(input, data[0]), noTakeover);
    fuzzutil::check(whole.error == split.error, "split and whole errors differ");
    if (whole.error == ProtocolError::None) {
        fuzzutil::check(whole.size == split.size, "split and whole sizes differ");
        fuzzutil::check(whole.digest == split.digest, "split and whole output differ");
    }
    return 0;
}
