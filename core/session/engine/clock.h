#pragma once

#include <cstdint>

namespace framescope::session {

// Monotonic nanoseconds (std::chrono::steady_clock, CLOCK_MONOTONIC on Linux): the clock every
// capture timestamp uses. Never goes back; unrelated to the wall clock.
std::int64_t monotonicNs();

} // namespace framescope::session
