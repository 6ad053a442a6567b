#include "memory.h"

namespace framescope::platform {

void populateMemory(void *, std::size_t) {}

} // namespace framescope::platform
