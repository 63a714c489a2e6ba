#pragma once
// Kernel page tables: 4-level x86_64 paging over the single kernel address space.
//
// All functions work on 4 KiB pages unless stated. Rules worth knowing:
//  * map() never overwrites: mapping a page that is already mapped (also by a 2 MiB page)
//    fails with EEXIST. Unmap first.
//  * unmap() and protect() on part of a 2 MiB page (the direct map uses them) split it into
//    512 4 KiB pages first, keeping the other 511 as they were.
//  * Cache policies are encoded with the PAT/PCD/PWT bits against the PAT layout mm::init
//    programs (documented in kernel/mm/internal.h): WB, WT, UC and WC are all reachable from
//    4 KiB and 2 MiB entries.
//  * The kernel half (PML4 slots 256-511) is shared by every future address space; the slots
//    of the heap, stack, scratch, MMIO and kernel-image windows are created at init, so later
//    mappings never add a PML4 entry there.
// Context: thread or boot (not IRQ: may allocate page-table frames).
// Locking: interrupts are disabled while a table is walked or changed (uniprocessor).
#include <kernel/mm/layout.h>
#include <kstd/bitmask.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace mm {

enum class PageFlags : u32 {
    None = 0,          // present, read-only, supervisor, executable
    Writable = 1 << 0,
    User = 1 << 1,
    NoExecute = 1 << 2,
    Global = 1 << 3,   // survives CR3 switches: for kernel-half mappings
};
ENUM_BITMASK(PageFlags)

enum class CachePolicy : u8 {
    WriteBack,        // normal RAM
    WriteThrough,
    Uncached,         // strong UC: device registers
    WriteCombining,   // framebuffers, write-only buffers
};
char const* cache_policy_name(CachePolicy policy);

// Convenience flag sets.
inline constexpr PageFlags KERNEL_DATA = PageFlags::Writable | PageFlags::NoExecute | PageFlags::Global;
inline constexpr PageFlags KERNEL_RODATA = PageFlags::NoExecute | PageFlags::Global;

// Maps one 4 KiB page. EINVAL: unaligned or non-canonical address; EEXIST: already mapped;
// ENOMEM: no frame for a page table.
[[nodiscard]] ErrorOr<void> map(u64 virt, u64 phys, PageFlags flags, CachePolicy policy = CachePolicy::WriteBack);

// Unmaps one 4 KiB page and returns the physical address it mapped (the caller owns the frame).
// ENOENT when nothing is mapped there; ENOMEM if a 2 MiB page had to be split and no frame was left.
[[nodiscard]] ErrorOr<u64> unmap(u64 virt);

// Maps `size` bytes (rounded up to pages) page by page. On error nothing stays mapped.
[[nodiscard]] ErrorOr<void> map_range(u64 virt, u64 phys, u64 size, PageFlags flags,
    CachePolicy policy = CachePolicy::WriteBack);

// Unmaps every page in the range; ENOENT (and nothing changed) if one of them was not mapped.
[[nodiscard]] ErrorOr<void> unmap_range(u64 virt, u64 size);

// Changes flags and cache policy of every page in the range (ENOENT if one is unmapped).
[[nodiscard]] ErrorOr<void> protect(u64 virt, u64 size, PageFlags flags,
    CachePolicy policy = CachePolicy::WriteBack);

// The physical address `virt` maps to (4 KiB, 2 MiB and 1 GiB pages). ENOENT if unmapped.
[[nodiscard]] ErrorOr<u64> translate(u64 virt);

struct Mapping {
    u64 phys;          // of the byte at virt
    u64 page_size;     // 4 KiB, 2 MiB or 1 GiB
    PageFlags flags;
    u8 pat_index;      // 0-7, from the PAT/PCD/PWT bits
};
[[nodiscard]] ErrorOr<Mapping> query(u64 virt);

// Reads the memory type back from the page tables and the IA32_PAT MSR (so a test can check
// that an MMIO mapping really got the requested type). ENOENT if unmapped, EPROTO for a PAT
// type with no CachePolicy (write-protect).
[[nodiscard]] ErrorOr<CachePolicy> cache_policy_of(u64 virt);

// Maps device memory into the MMIO window with 4 KiB pages, writable, no-execute, and returns
// the virtual address of `phys` (the offset within the page is preserved). Mappings are
// separated by an unmapped guard page. EINVAL for size 0, or for RAM with a policy other than
// WriteBack (two mappings of one frame with different memory types are undefined behaviour on
// x86); ENOMEM when frames or window slots run out.
[[nodiscard]] ErrorOr<u64> map_mmio(u64 phys, u64 size, CachePolicy policy);

// Undoes map_mmio; `virt` is what map_mmio returned. EINVAL if it is not a live MMIO mapping.
[[nodiscard]] ErrorOr<void> unmap_mmio(u64 virt);

struct PagingStats {
    u64 table_frames;       // frames used by page tables (the kernel's and the processes')
    u64 user_table_frames;  // ... of which those of user address spaces (address_space.h)
    u64 direct_map_bytes;   // physical memory mapped at PHYS_MAP_BASE
    u64 mmio_mappings;
    u64 mmio_bytes;
};
PagingStats paging_stats();

// Physical address of the kernel PML4 (for future address spaces and the exception dump).
u64 kernel_page_table_root();

}
