#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace framescope::protocol {

// Incremental UTF-8 validation (RFC 3629, as RFC 6455 §8.1 requires): input may be split anywhere,
// across frames and TCP chunks, and feed() reports an invalid sequence in the call that delivers
// its first impossible byte, not at the end of the message. Surrogates, overlong forms and code
// points above U+10FFFF are invalid; noncharacters are valid.
//
// A shift-based DFA: one table load and one shift per byte, with ASCII runs skipped 16 bytes at
// a time.
class Utf8Validator
{
public:
    // False once any invalid byte has been seen; the validator then stays failed.
    bool feed(std::span<const std::uint8_t> data);

    // True when the text so far ends on a code point boundary (a message may end here).
    bool isComplete() const;
    bool hasFailed() const;
    void reset() { *this = Utf8Validator{}; }

private:
    std::uint64_t m_state = 6; // kAccept, see utf8validator.cpp
};

bool isValidUtf8(std::span<const std::uint8_t> data);

} // namespace framescope::protocol
