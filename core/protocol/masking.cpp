#include "masking.h"

#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstring>
#include <memory>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FRAMESCOPE_X86 1
#endif

namespace framescope::protocol {

namespace {

// The key rotated so that byte 0 applies to a payload offset with the given phase.
std::uint32_t rotatedKey(MaskKey key, std::size_t phase)
{
    std::array<std::uint8_t, 4> rotated{};
    for (std::size_t i = 0; i < 4; ++i)
        rotated[i] = key[(i + phase) & 3];
    std::uint32_t word = 0;
    std::memcpy(&word, rotated.data(), 4);
    return word;
}

// Handles whole 8-byte words, then the tail byte by byte. The key word is phase-aligned at
// dst[0]; every block size used here is a multiple of 4 so alignment is kept.
void maskWords(std::uint8_t *dst, const std::uint8_t *src, std::size_t size, std::uint32_t key32)
{
    const std::uint64_t key64 = (std::uint64_t{key32} << 32) | key32;
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t word;
        std::memcpy(&word, src + i, 8);
        word ^= key64;
        std::memcpy(dst + i, &word, 8);
    }
    std::uint8_t keyBytes[4];
    std::memcpy(keyBytes, &key32, 4);
    for (; i < size; ++i)
        dst[i] = src[i] ^ keyBytes[i & 3];
}

#ifdef FRAMESCOPE_X86
void maskSse2(std::uint8_t *dst, const std::uint8_t *src, std::size_t size, std::uint32_t key32)
{
    const __m128i key = _mm_set1_epi32(static_cast<int>(key32));
    std::size_t i = 0;
    for (; i + 64 <= size; i += 64) {
        for (std::size_t j = 0; j < 64; j += 16) {
            const __m128i *in = reinterpret_cast<const __m128i *>(src + i + j);
            _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i + j),
                             _mm_xor_si128(_mm_loadu_si128(in), key));
        }
    }
    for (; i + 16 <= size; i += 16) {
        const __m128i *in = reinterpret_cast<const __m128i *>(src + i);
        _mm_storeu_si128(reinterpret_cast<__m128i *>(dst + i), _mm_xor_si128(_mm_loadu_si128(in), key));
    }
    maskWords(dst + i, src + i, size - i, key32);
}

__attribute__((target("avx2"))) void maskAvx2(std::uint8_t *dst, const std::uint8_t *src,
                                              std::size_t size, std::uint32_t key32)
{
    const __m256i key = _mm256_set1_epi32(static_cast<int>(key32));
    std::size_t i = 0;
    for (; i + 128 <= size; i += 128) {
        for (std::size_t j = 0; j < 128; j += 32) {
            const __m256i *in = reinterpret_cast<const __m256i *>(src + i + j);
            _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i + j),
                                _mm256_xor_si256(_mm256_loadu_si256(in), key));
        }
    }
    for (; i + 32 <= size; i += 32) {
        const __m256i *in = reinterpret_cast<const __m256i *>(src + i);
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(dst + i),
                            _mm256_xor_si256(_mm256_loadu_si256(in), key));
    }
    maskWords(dst + i, src + i, size - i, key32);
}
#endif

using MaskFunction = void (*)(std::uint8_t *, const std::uint8_t *, std::size_t, std::uint32_t);

struct Dispatch
{
    MaskFunction function;
    const char *name;
};

std::vector<Dispatch> implementations()
{
    std::vector<Dispatch> available;
#ifdef FRAMESCOPE_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        available.push_back({maskAvx2, "avx2"});
    available.push_back({maskSse2, "sse2"});
#endif
    available.push_back({maskWords, "word"});
    return available;
}

std::atomic<const Dispatch *> g_selected{nullptr};

const Dispatch &dispatch()
{
    static const std::vector<Dispatch> available = implementations();
    const Dispatch *selected = g_selected.load(std::memory_order_relaxed);
    return selected ? *selected : available.front();
}

// Short payloads (most control frames, small messages) skip the dispatch and the SIMD set-up.
constexpr std::size_t kSmallPayload = 16;

} // namespace

std::size_t copyMasked(std::uint8_t *dst, std::span<const std::uint8_t> src, MaskKey key,
                       std::size_t phase)
{
    const std::uint32_t key32 = rotatedKey(key, phase & 3);
    if (src.size() < kSmallPayload)
        maskWords(dst, src.data(), src.size(), key32);
    else
        dispatch().function(dst, src.data(), src.size(), key32);
    return (phase + src.size()) & 3;
}

std::size_t applyMask(std::span<std::uint8_t> data, MaskKey key, std::size_t phase)
{
    return copyMasked(data.data(), data, key, phase);
}

const char *maskImplementation()
{
    return dispatch().name;
}

std::vector<const char *> availableMaskImplementations()
{
    std::vector<const char *> names;
    for (const Dispatch &entry : implementations())
        names.push_back(entry.name);
    return names;
}

bool selectMaskImplementation(std::string_view name)
{
    static const std::vector<Dispatch> available = implementations();
    for (const Dispatch &entry : available) {
        if (name == entry.name) {
            g_selected.store(&entry, std::memory_order_relaxed);
            return true;
        }
    }
    return false;
}

bool randomBytes(std::span<std::uint8_t> out)
{
    if (out.empty())
        return true;
    return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

MaskKeySource randomMaskKeySource()
{
    // RAND_bytes per 4-byte key is costly; draw 1 KiB at a time and hand keys out of it.
    struct Pool
    {
        std::array<std::uint8_t, 1024> bytes{};
        std::size_t used = 1024;
    };
    auto pool = std::make_shared<Pool>();
    return [pool]() -> std::optional<MaskKey> {
        if (pool->used == pool->bytes.size()) {
            if (!randomBytes(pool->bytes))
                return std::nullopt;
            pool->used = 0;
        }
        MaskKey key;
        std::memcpy(key.data(), pool->bytes.data() + pool->used, 4);
        pool->used += 4;
        return key;
    };
}

} // namespace framescope::protocol
