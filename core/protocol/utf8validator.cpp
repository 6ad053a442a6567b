#include "utf8validator.h"

#include <cstring>

namespace framescope::protocol {

namespace {

// Per lead byte: the sequence length (0 = never valid as a lead) and the allowed range of the
// second byte, which is where overlongs (E0, F0), surrogates (ED) and values above U+10FFFF (F4)
// are excluded (RFC 3629 §4).
struct LeadInfo
{
    std::uint8_t length;
    std::uint8_t lower;
    std::uint8_t upper;
};

constexpr LeadInfo leadInfo(unsigned byte)
{
    if (byte < 0x80)
        return {1, 0, 0};
    if (byte < 0xC2)
        return {0, 0, 0}; // continuation bytes and the overlong leads C0, C1
    if (byte < 0xE0)
        return {2, 0x80, 0xBF};
    if (byte == 0xE0)
        return {3, 0xA0, 0xBF};
    if (byte == 0xED)
        return {3, 0x80, 0x9F};
    if (byte < 0xF0)
        return {3, 0x80, 0xBF};
    if (byte == 0xF0)
        return {4, 0x90, 0xBF};
    if (byte < 0xF4)
        return {4, 0x80, 0xBF};
    if (byte == 0xF4)
        return {4, 0x80, 0x8F};
    return {0, 0, 0}; // F5-FF
}

struct LeadTable
{
    LeadInfo entries[256];
    constexpr LeadTable() : entries{}
    {
        for (unsigned i = 0; i < 256; ++i)
            entries[i] = leadInfo(i);
    }
};

constexpr LeadTable kLeads;

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

inline bool isContinuation(std::uint8_t byte)
{
    return (byte & 0xC0) == 0x80;
}

} // namespace

bool Utf8Validator::feedByte(std::uint8_t byte)
{
    if (m_pending == 0) {
        const LeadInfo &lead = kLeads.entries[byte];
        if (lead.length == 0)
            return false;
        m_pending = static_cast<std::uint8_t>(lead.length - 1);
        m_lower = lead.lower;
        m_upper = lead.upper;
        return true;
    }
    if (byte < m_lower || byte > m_upper)
        return false;
    --m_pending;
    m_lower = 0x80;
    m_upper = 0xBF;
    return true;
}

bool Utf8Validator::feed(std::span<const std::uint8_t> data)
{
    if (m_failed)
        return false;
    const std::uint8_t *p = data.data();
    const std::uint8_t *const end = p + data.size();

    // Finish a sequence split by the previous chunk one byte at a time.
    while (m_pending != 0 && p != end) {
        if (!feedByte(*p++)) {
            m_failed = true;
            return false;
        }
    }

    while (p != end) {
        if (*p < 0x80) {
            // ASCII runs, 16 bytes at a time.
            while (end - p >= 16) {
                std::uint64_t a;
                std::uint64_t b;
                std::memcpy(&a, p, 8);
                std::memcpy(&b, p + 8, 8);
                if (((a | b) & kHighBits) != 0)
                    break;
                p += 16;
            }
            while (p != end && *p < 0x80)
                ++p;
            continue;
        }
        const LeadInfo lead = kLeads.entries[*p];
        if (lead.length == 0) {
            m_failed = true;
            return false;
        }
        if (end - p >= lead.length) {
            // A whole sequence is here: check it in one go.
            const bool ok = p[1] >= lead.lower && p[1] <= lead.upper
                            && (lead.length < 3 || isContinuation(p[2]))
                            && (lead.length < 4 || isContinuation(p[3]));
            if (!ok) {
                m_failed = true;
                return false;
            }
            p += lead.length;
            continue;
        }
        // The sequence continues in the next chunk: check what is here now (fail fast).
        while (p != end) {
            if (!feedByte(*p++)) {
                m_failed = true;
                return false;
            }
        }
    }
    return true;
}

bool isValidUtf8(std::span<const std::uint8_t> data)
{
    Utf8Validator validator;
    return validator.feed(data) && validator.isComplete();
}

} // namespace framescope::protocol
