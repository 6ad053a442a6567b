#pragma once

#include <capture/framestore.h>
#include <optional>

namespace framescope::ui {

// The same frame in the other side's log: a client's frame as the built-in server stored it, or
// the other way round. Both stores are on one machine's monotonic clock. The match has the other
// direction, the same opcode, length, masking (and mask key) and first bytes; of several, the
// nearest in time, before or after (a receive stamp can come before the matching send's). Looks
// at most `maxFrames` each way; nothing when none matches.
std::optional<capture::FrameId> counterpart(const capture::FrameStore &from, capture::FrameId id,
                                            const capture::FrameStore &to,
                                            std::uint64_t maxFrames = 1'000'000);

} // namespace framescope::ui
