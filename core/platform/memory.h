#pragma once

#include <cstddef>

namespace framescope::platform {

// Maps in all the pages of a freshly allocated range at once, ahead of its first writes: one
// system call instead of a page fault per 4 KiB, each of which costs a trap (on the virtual
// machines measured here, the capture store spent 30% of a 16 KiB receive in the fault path).
// Linux: madvise(MADV_POPULATE_WRITE); elsewhere, or when the kernel refuses, nothing happens
// and the pages fault in as they are touched.
void populateMemory(void *memory, std::size_t size);

// Asks for a range to be backed by large pages (2 MiB on x86-64) when it is populated: one TLB
// entry instead of 512, and one fault or zeroing pass instead of 512. Linux:
// madvise(MADV_HUGEPAGE), which takes effect when transparent huge pages are on "madvise" or
// "always"; elsewhere nothing. Where the kernel has no free large page it may compact memory
// first (with THP defrag on "madvise"), so a caller that must answer at once should not ask for
// its very first memory this way.
void adviseLargePages(void *memory, std::size_t size);

// Gives the allocator's free memory back to the system: what many connections freed together
// (zlib's windows, message buffers) lies between what is still in use, and glibc keeps it
// mapped (a server at 770 MB with nobody connected). Linux with glibc: malloc_trim(0), which
// returns the free pages inside the heaps too; elsewhere nothing.
void releaseFreeMemory();

} // namespace framescope::platform
