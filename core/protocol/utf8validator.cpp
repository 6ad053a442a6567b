#include "utf8validator.h"

#include <array>
#include <cstring>

namespace framescope::protocol {

namespace {

// DFA states, each stored as the bit offset of its 6-bit field in a transition row. For input
// byte b, row[b] holds the next state of every state: next = (row[b] >> state) & 63. Error is 0,
// so every transition left unset leads to it, and it leads only to itself.
enum State : std::uint64_t {
    kError = 0,
    kAccept = 6,
    kNeed1 = 12,   // one continuation byte 80-BF to go
    kNeed2 = 18,   // two to go
    kNeed3 = 24,   // three to go
    kAfterE0 = 30, // A0-BF next (no overlong 3-byte forms)
    kAfterED = 36, // 80-9F next (no UTF-16 surrogates)
    kAfterF0 = 42, // 90-BF next (no overlong 4-byte forms)
    kAfterF4 = 48, // 80-8F next (nothing above U+10FFFF)
};

constexpr void set(std::array<std::uint64_t, 256> &rows, int from, int to, State state, State next)
{
    for (int b = from; b <= to; ++b)
        rows[b] |= std::uint64_t{next} << state;
}

// RFC 3629 §4, "UTF8-octets" ABNF, as transitions.
constexpr std::array<std::uint64_t, 256> buildRows()
{
    std::array<std::uint64_t, 256> rows{};
    set(rows, 0x00, 0x7F, kAccept, kAccept);
    set(rows, 0xC2, 0xDF, kAccept, kNeed1);
    set(rows, 0xE0, 0xE0, kAccept, kAfterE0);
    set(rows, 0xE1, 0xEC, kAccept, kNeed2);
    set(rows, 0xED, 0xED, kAccept, kAfterED);
    set(rows, 0xEE, 0xEF, kAccept, kNeed2);
    set(rows, 0xF0, 0xF0, kAccept, kAfterF0);
    set(rows, 0xF1, 0xF3, kAccept, kNeed3);
    set(rows, 0xF4, 0xF4, kAccept, kAfterF4);
    set(rows, 0x80, 0xBF, kNeed1, kAccept);
    set(rows, 0x80, 0xBF, kNeed2, kNeed1);
    set(rows, 0x80, 0xBF, kNeed3, kNeed2);
    set(rows, 0xA0, 0xBF, kAfterE0, kNeed1);
    set(rows, 0x80, 0x9F, kAfterED, kNeed1);
    set(rows, 0x90, 0xBF, kAfterF0, kNeed2);
    set(rows, 0x80, 0x8F, kAfterF4, kNeed2);
    return rows;
}

constexpr std::array<std::uint64_t, 256> kRows = buildRows();

constexpr std::uint64_t kHighBits = 0x8080808080808080ull;

// The state is kept unmasked between bytes: only its low 6 bits matter, and x86 shifts use just
// those bits, so the hot loop is one load and one shift per byte.
inline std::uint64_t step(std::uint64_t state, std::uint8_t byte)
{
    return kRows[byte] >> (state & 63);
}

} // namespace

bool Utf8Validator::isComplete() const
{
    return (m_state & 63) == kAccept;
}

bool Utf8Validator::hasFailed() const
{
    return (m_state & 63) == kError;
}

bool Utf8Validator::feed(std::span<const std::uint8_t> data)
{
    std::uint64_t state = m_state;
    const std::uint8_t *p = data.data();
    const std::uint8_t *const end = p + data.size();
    while (end - p >= 16) {
        std::uint64_t a;
        std::uint64_t b;
        std::memcpy(&a, p, 8);
        std::memcpy(&b, p + 8, 8);
        // Between code points, a block of ASCII changes nothing.
        if (((a | b) & kHighBits) == 0 && (state & 63) == kAccept) {
            p += 16;
            continue;
        }
        for (int i = 0; i < 16; ++i)
            state = step(state, p[i]);
        p += 16;
        if ((state & 63) == kError)
            break;
    }
    while (p != end)
        state = step(state, *p++);
    m_state = state & 63;
    return m_state != kError;
}

bool isValidUtf8(std::span<const std::uint8_t> data)
{
    Utf8Validator validator;
    return validator.feed(data) && validator.isComplete();
}

} // namespace framescope::protocol
