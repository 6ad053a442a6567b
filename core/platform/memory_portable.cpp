#include "memory.h"

namespace framescope::platform {

void populateMemory(void *, std::size_t) {}

void adviseLargePages(void *, std::size_t) {}

void releaseFreeMemory() {}

} // namespace framescope::platform
