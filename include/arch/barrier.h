#pragma once
// Memory fences and cache-line flushes, the instructions behind io::wmb/rmb/mb
// (include/kernel/io/barrier.h) and the DMA API's coherent buffers. They are out-of-line
// functions in arch/x86_64/barrier.cpp: only arch/ holds instructions (docs/style.md, rule 1),
// and a call is itself a compiler barrier, so nothing is lost by the call.
// Context: any. Locking: none.
#include <kstd/types.h>

namespace arch {

#ifndef CONDUIT_HOST_TEST
void store_fence();   // x86: sfence (orders write-combining and non-temporal stores)
void load_fence();    // x86: lfence
void full_fence();    // x86: mfence
// Writes back and invalidates the cache line holding `virt` (x86: clflush). Ordered only by
// full_fence().
void flush_cache_line(u64 virt);
#else
// Host unit tests (CONDUIT_HOST_TEST): the compiler's fence, and nothing to flush (the device
// models read the same memory the code under test writes).
inline void store_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void load_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void full_fence() { __atomic_thread_fence(__ATOMIC_SEQ_CST); }
inline void flush_cache_line(u64) {}
#endif

}
