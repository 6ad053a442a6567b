#pragma once

#include "frameheader.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace framescope::protocol {

// RFC 6455 §5.3 masking. `phase` is the payload offset of data[0] modulo 4, so a payload split
// across chunks is unmasked exactly as if it came whole. Each call returns the next phase.
std::size_t applyMask(std::span<std::uint8_t> data, MaskKey key, std::size_t phase = 0);

// Copies src into dst (at least src.size() bytes), masking or unmasking during the copy.
std::size_t copyMasked(std::uint8_t *dst, std::span<const std::uint8_t> src, MaskKey key,
                       std::size_t phase = 0);

// Which implementation the runtime dispatch picked ("avx2", "sse2" or "word").
const char *maskImplementation();

// The implementations this CPU can run, best first, and a way to pin one (tests, benchmarks).
std::vector<const char *> availableMaskImplementations();
bool selectMaskImplementation(std::string_view name);

// Where mask keys come from. The default draws from OpenSSL's RAND_bytes; tests inject their own.
// Returns nothing when no random bytes could be had: the caller must not send the frame.
using MaskKeySource = std::function<std::optional<MaskKey>()>;

MaskKeySource randomMaskKeySource();

// Fills `out` from OpenSSL's CSPRNG. False if it failed.
bool randomBytes(std::span<std::uint8_t> out);

} // namespace framescope::protocol
