#pragma once
// The kernel's virtual address map (x86_64, 4-level paging, 48-bit canonical addresses).
//
//   0x0000000000000000 ..             user half: each process's own mappings (address_space.h);
//                                     empty in the kernel's own tables (no identity map after boot)
//   0xffff800000000000  PHYS_MAP_BASE  direct map of physical memory (RAM and firmware tables)
//   0xffffc00000000000  HEAP_BASE      kernel heap, grows upward, 4 KiB pages
//   0xffffd00000000000  STACKS_BASE    kernel stacks, each with an unmapped guard page below it
//   0xffffd08000000000  SCRATCH_BASE   temporary mappings (mm self-tests; later kmap-style windows)
//   0xffffe00000000000  MMIO_BASE      device register mappings (the I/O manager's window)
//   0xffffffff80000000  KERNEL_VMA     kernel image (linked at KERNEL_VMA + 1 MiB)
#include <kstd/types.h>

namespace mm {

inline constexpr u64 PAGE_SIZE = 4096;
inline constexpr u64 LARGE_PAGE_SIZE = 2 * MiB;

inline constexpr u64 USER_SPACE_LIMIT = 0x0000800000000000;   // end of the lower canonical half
inline constexpr u64 PHYS_MAP_BASE = 0xffff800000000000;
inline constexpr u64 HEAP_BASE = 0xffffc00000000000;
inline constexpr u64 HEAP_LIMIT = 0xffffc08000000000;   // 512 GiB of address space, not memory
inline constexpr u64 STACKS_BASE = 0xffffd00000000000;
inline constexpr u64 STACKS_LIMIT = 0xffffd08000000000;
inline constexpr u64 SCRATCH_BASE = 0xffffd08000000000;
inline constexpr u64 SCRATCH_LIMIT = 0xffffd10000000000;
inline constexpr u64 MMIO_BASE = 0xffffe00000000000;
inline constexpr u64 MMIO_LIMIT = 0xffffe08000000000;
inline constexpr u64 KERNEL_VMA = 0xffffffff80000000;

// The boot code maps the first 4 GiB of physical memory at PHYS_MAP_BASE (2 MiB pages) before
// kernel_main runs, so phys_to_virt works from the first line of C++ for addresses below 4 GiB.
inline constexpr u64 BOOT_PHYS_MAP_SIZE = 4 * GiB;

#ifdef CONDUIT_HOST_TEST
// Host unit tests: "physical memory" is the device models' (tests/unit/models/phys_memory.cpp),
// so that the DMA API's own code runs there unchanged.
u64 phys_to_virt(u64 phys);
#else
inline u64 phys_to_virt(u64 phys) { return phys + PHYS_MAP_BASE; }
#endif
template<typename T>
inline T* phys_to_ptr(u64 phys) { return reinterpret_cast<T*>(phys_to_virt(phys)); }
inline u64 virt_to_phys_direct(u64 virt) { return virt - PHYS_MAP_BASE; }

// Physical address of a symbol in the kernel image (the image is linked at KERNEL_VMA + phys).
inline u64 kernel_virt_to_phys(u64 virt) { return virt - KERNEL_VMA; }

}
