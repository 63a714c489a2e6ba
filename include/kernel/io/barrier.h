#pragma once
// Named memory barriers for device I/O (docs/style.md, "Device memory"), x86_64 semantics.
//
// What x86 reorders (SDM vol. 3, 8.2.2 and 11.3): for write-back and uncached memory the CPU
// keeps loads in order, keeps stores in order, and never moves a store above an earlier load.
// The one reordering it does is a later load passing an earlier store to another address
// (the store buffer). Write-combining memory and non-temporal stores are weakly ordered. DMA is
// cache coherent: a device's reads snoop the caches and its writes invalidate them.
//
// So most of the ordering a driver needs is the compiler's, and the fences are for the cases
// above. The names match Linux so that its driver comments read the same here.
//
//   io::dma_wmb()   descriptor fields before the "owned by device" bit / DD clear in coherent
//                   memory: compiler barrier only (stores stay in order on x86).
//   io::dma_rmb()   after reading a "done" bit, before reading the rest of the descriptor:
//                   compiler barrier only (loads stay in order on x86).
//   io::wmb()       stores before stores including write-combining and non-temporal ones (a
//                   WC framebuffer or BAR): sfence drains the WC buffers.
//   io::rmb()       loads before loads including weakly ordered ones (movntdqa from WC): lfence.
//   io::mb()        a store that must be globally visible before a later load (the one
//                   reordering TSO allows, e.g. "write a flag in memory, then read the device's
//                   view of it"): mfence.
//
// MmioWindow accessors already include the compiler barrier of readl/writel (io.h), so a
// descriptor write followed by an MMIO doorbell write needs no extra barrier with a UC window.
// The fences are arch functions (include/arch/barrier.h, which has host versions for the unit
// tests). Context: any. Locking: none.
#include <arch/barrier.h>

namespace io {

// Stops the compiler from moving memory accesses across this point; emits no instruction.
inline void barrier() { __atomic_signal_fence(__ATOMIC_SEQ_CST); }

inline void dma_wmb() { barrier(); }
inline void dma_rmb() { barrier(); }

inline void wmb() { arch::store_fence(); }
inline void rmb() { arch::load_fence(); }
inline void mb() { arch::full_fence(); }

}
