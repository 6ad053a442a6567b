#include "memory.h"

#include <sys/mman.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 // Linux 5.14; older headers lack it, older kernels refuse it
#endif

namespace framescope::platform {

void populateMemory(void *memory, std::size_t size)
{
    ::madvise(memory, size, MADV_POPULATE_WRITE); // a refusal leaves the pages to fault in
}

void adviseLargePages(void *memory, std::size_t size)
{
    ::madvise(memory, size, MADV_HUGEPAGE); // refused without THP: small pages, as before
}

void releaseFreeMemory()
{
#if defined(__GLIBC__)
    ::malloc_trim(0);
#endif
}

} // namespace framescope::platform
