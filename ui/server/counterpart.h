#pragma once

#include <capture/framestore.h>
#include <optional>

namespace framescope::ui {

// The same frame in the other side's log: a client's frame as the built-in server stored it, or
// the other way round. Both stores are on one machine's monotonic clock. A masked frame is found
// by its mask key (and opcode and length); an unmasked one is the nearest frame of the same
// opcode and length on the other side that went out before it arrived (or arrived after it went
// out), holding the same first bytes. Looks at most `maxFrames` back or ahead; nothing when none
// matches.
std::optional<capture::FrameId> counterpart(const capture::FrameStore &from, capture::FrameId id,
                                            const capture::FrameStore &to,
                                            std::uint64_t maxFrames = 1'000'000);

} // namespace framescope::ui
