#pragma once

#include <cstddef>

namespace framescope::platform {

// Maps in all the pages of a freshly allocated range at once, ahead of its first writes: one
// system call instead of a page fault per 4 KiB, each of which costs a trap (on the virtual
// machines measured here, the capture store spent 30% of a 16 KiB receive in the fault path).
// Linux: madvise(MADV_POPULATE_WRITE); elsewhere, or when the kernel refuses, nothing happens
// and the pages fault in as they are touched.
void populateMemory(void *memory, std::size_t size);

// Gives the allocator's free memory back to the system: what many connections freed together
// (zlib's windows, message buffers) lies between what is still in use, and glibc keeps it
// mapped (a server at 770 MB with nobody connected). Linux with glibc: malloc_trim(0), which
// returns the free pages inside the heaps too; elsewhere nothing.
void releaseFreeMemory();

} // namespace framescope::platform
