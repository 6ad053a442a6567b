#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace framescope::protocol {

// Incremental UTF-8 validation (RFC 3629, as RFC 6455 §8.1 requires): input may be split anywhere,
// across frames and TCP chunks, and an invalid sequence is reported as soon as its first impossible
// byte arrives, not at the end of the message. Surrogates, overlong forms and code points above
// U+10FFFF are invalid; noncharacters are valid.
class Utf8Validator
{
public:
    // False once any invalid byte has been seen; the validator then stays failed.
    bool feed(std::span<const std::uint8_t> data);

    // True when the text so far ends on a code point boundary (a message may end here).
    bool isComplete() const { return !m_failed && m_pending == 0; }
    bool hasFailed() const { return m_failed; }
    void reset() { *this = Utf8Validator{}; }

private:
    bool feedByte(std::uint8_t byte);

    std::uint8_t m_pending = 0; // continuation bytes still expected
    std::uint8_t m_lower = 0x80;
    std::uint8_t m_upper = 0xBF;
    bool m_failed = false;
};

bool isValidUtf8(std::span<const std::uint8_t> data);

} // namespace framescope::protocol
