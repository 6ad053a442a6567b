// The hand-written UTF-8 validator against the straightforward per-byte state machine, whole
// and re-split.

#include "fuzzutil.h"

#include <protocol/utf8validator.h>

using namespace framescope::protocol;

namespace {

// RFC 3629 §4 as a plain per-byte check, written separately from the validator.
bool reference(std::span<const std::uint8_t> data)
{
    std::size_t i = 0;
    while (i < data.size()) {
        const std::uint8_t b = data[i];
        int n = 0;
        std::uint8_t lo = 0x80;
        std::uint8_t hi = 0xBF;
        if (b <= 0x7F) {
            ++i;
            continue;
        } else if (b >= 0xC2 && b <= 0xDF) {
            n = 1;
        } else if (b >= 0xE0 && b <= 0xEF) {
            n = 2;
            lo = b == 0xE0 ? 0xA0 : 0x80;
            hi = b == 0xED ? 0x9F : 0xBF;
        } else if (b >= 0xF0 && b <= 0xF4) {
            n = 3;
            lo = b == 0xF0 ? 0x90 : 0x80;
            hi = b == 0xF4 ? 0x8F : 0xBF;
        } else {
            return false;
        }
        for (int k = 1; k <= n; ++k) {
            if (i + k >= data.size())
                return false;
            const std::uint8_t c = data[i + k];
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF))
                return false;
        }
        i += n + 1;
    }
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::span<const std::uint8_t> input(data, size);
    const bool expected = reference(input);
    fuzzutil::check(isValidUtf8(input) == expected, "validator disagrees with the reference");
    Utf8Validator validator;
    bool ok = true;
    for (auto chunk : fuzzutil::chunks(input, size > 0 ? data[0] : 7))
        ok = validator.feed(chunk) && ok;
    fuzzutil::check((ok && validator.isComplete()) == expected, "split validation disagrees");
    return 0;
}
