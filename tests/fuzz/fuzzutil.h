#pragma once

// Shared by the libFuzzer targets: the input is re-split into chunks so that every target also
// exercises incremental parsing, and a whole-versus-split comparison catches chunking bugs.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <vector>

namespace fuzzutil {

// Splits `data` into chunks whose sizes come from `seed` (1 to 64 bytes, cycling).
inline std::vector<std::span<const std::uint8_t>> chunks(std::span<const std::uint8_t> data,
                                                         std::uint8_t seed)
{
    std::vector<std::span<const std::uint8_t>> out;
    std::size_t pos = 0;
    std::uint32_t state = seed * 2654435761u + 1;
    while (pos < data.size()) {
        state = state * 1103515245u + 12345u;
        const std::size_t size = 1 + ((state >> 16) % 64);
        const std::size_t take = size < data.size() - pos ? size : data.size() - pos;
        out.push_back(data.subspan(pos, take));
        pos += take;
    }
    return out;
}

[[noreturn]] inline void failure(const char *what)
{
    std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
    std::abort();
}

inline void check(bool condition, const char *what)
{
    if (!condition)
        failure(what);
}

} // namespace fuzzutil
