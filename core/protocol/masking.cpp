#include "masking.h"

#include <array>
#include <atomic>
#include <bit>
#include <cstring>
#include <memory>
#include <openssl/rand.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FRAMESCOPE_X86 1
#endif

namespace framescope::protocol {

namespace {

// The key as a little-endian word, rotated so that its first byte applies to a payload offset
// with the given phase.
std::uint32_t rotatedKey(MaskKey key, std::size_t phase)
{
    std::uint32_t word = 0;
    std::memcpy(&word, key.data(), 4);
    if constexpr (std::endian::native == std::endian::little)
        return std::rotr(word, int(8 * (phase & 3)));
    else
        return std::rotl(word, int(8 * (phase & 3)));
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
    if (i + 4 <= size) {
        std::uint32_t word;
        std::memcpy(&word, src + i, 4);
        word ^= key32;
        std::memcpy(dst + i, &word, 4);
        i += 4;
    }
    // At most 3 bytes left, and i is a multiple of 4 here, so the key starts at its first byte.
    std::uint8_t keyBytes[4];
    std::memcpy(keyBytes, &key32, 4);
    for (std::size_t k = 0; i < size; ++i, ++k)
        dst[i] = src[i] ^ keyBytes[k];
}

#ifdef FRAMESCOPE_X86
// Masks the bytes before the first `alignment`-aligned destination address, so the vector loop
// stores whole cache-line pieces; returns how many bytes were done and rotates the key to match.
std::size_t maskHead(std::uint8_t *dst, const std::uint8_t *src, std::size_t size,
                     std::uint32_t &key32, std::size_t alignment)
{
    std::size_t head
        = (alignment - (reinterpret_cast<std::uintptr_t>(dst) & (alignment - 1))) & (alignment - 1);
    if (head > size)
        head = size;
    maskWords(dst, src, head, key32);
    if constexpr (std::endian::native == std::endian::little)
        key32 = std::rotr(key32, int(8 * (head & 3)));
    else
        key32 = std::rotl(key32, int(8 * (head & 3)));
    return head;
}

void maskSse2(std::uint8_t *dst, const std::uint8_t *src, std::size_t size, std::uint32_t key32)
{
    std::size_t i = maskHead(dst, src, size, key32, 16);
    const __m128i key = _mm_set1_epi32(static_cast<int>(key32));
    for (; i + 64 <= size; i += 64) {
        for (std::size_t j = 0; j < 64; j += 16) {
            const __m128i *in = reinterpret_cast<const __m128i *>(src + i + j);
            _mm_store_si128(reinterpret_cast<__m128i *>(dst + i + j),
                            _mm_xor_si128(_mm_loadu_si128(in), key));
        }
    }
    for (; i + 16 <= size; i += 16) {
        const __m128i *in = reinterpret_cast<const __m128i *>(src + i);
        _mm_store_si128(reinterpret_cast<__m128i *>(dst + i),
                        _mm_xor_si128(_mm_loadu_si128(in), key));
    }
    maskWords(dst + i, src + i, size - i, key32);
}

__attribute__((target("avx2"))) void maskAvx2(std::uint8_t *dst, const std::uint8_t *src,
                                              std::size_t size, std::uint32_t key32)
{
    std::size_t i = maskHead(dst, src, size, key32, 32);
    const __m256i key = _mm256_set1_epi32(static_cast<int>(key32));
    for (; i + 128 <= size; i += 128) {
        for (std::size_t j = 0; j < 128; j += 32) {
            const __m256i *in = reinterpret_cast<const __m256i *>(src + i + j);
            _mm256_store_si256(reinterpret_cast<__m256i *>(dst + i + j),
                               _mm256_xor_si256(_mm256_loadu_si256(in), key));
        }
    }
    for (; i + 32 <= size; i += 32) {
        const __m256i *in = reinterpret_cast<const __m256i *>(src + i);
        _mm256_store_si256(reinterpret_cast<__m256i *>(dst + i),
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

const std::vector<Dispatch> &available()
{
    static const std::vector<Dispatch> list = implementations();
    return list;
}

void resolveAndMask(std::uint8_t *dst, const std::uint8_t *src, std::size_t size,
                    std::uint32_t key32);

// The hot path is one relaxed load and an indirect call: the first call resolves the best
// implementation for this CPU and replaces itself.
std::atomic<const Dispatch *> g_active{nullptr};
std::atomic<MaskFunction> g_function{resolveAndMask};

void resolveAndMask(std::uint8_t *dst, const std::uint8_t *src, std::size_t size,
                    std::uint32_t key32)
{
    const Dispatch *best = &available().front();
    const Dispatch *expected = nullptr;
    g_active.compare_exchange_strong(expected, best);
    const MaskFunction function = g_active.load()->function;
    g_function.store(function, std::memory_order_relaxed);
    function(dst, src, size, key32);
}

const Dispatch &dispatch()
{
    const Dispatch *active = g_active.load();
    return active ? *active : available().front();
}

// Short payloads (most control frames, small messages) skip the dispatch and the SIMD set-up.
constexpr std::size_t kSmallPayload = 32;

} // namespace

std::size_t copyMasked(std::uint8_t *dst, std::span<const std::uint8_t> src, MaskKey key,
                       std::size_t phase)
{
    const std::uint32_t key32 = rotatedKey(key, phase & 3);
    if (src.size() < kSmallPayload)
        maskWords(dst, src.data(), src.size(), key32);
    else
        g_function.load(std::memory_order_relaxed)(dst, src.data(), src.size(), key32);
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
    for (const Dispatch &entry : available()) {
        if (name == entry.name) {
            g_active.store(&entry);
            g_function.store(entry.function);
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
