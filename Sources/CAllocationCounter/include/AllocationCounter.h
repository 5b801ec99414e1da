#ifndef PSOAS_ALLOCATION_COUNTER_H
#define PSOAS_ALLOCATION_COUNTER_H

/// Counts the heap allocations (malloc, calloc, realloc, memalign, aligned_alloc,
/// posix_memalign) the calling thread makes between begin and end. For tests only: linking
/// this target replaces those functions for the whole process with wrappers around glibc's.

/// Starts counting on the calling thread, from zero.
void allocation_counter_begin(void);

/// Stops counting on the calling thread. Returns the allocations since the begin.
long allocation_counter_end(void);

#endif
