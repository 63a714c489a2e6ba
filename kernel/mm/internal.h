#pragma once
// kernel/mm internals shared by its kernel-only files (paging, kernel_space, mmio, frames, heap,
// init). Not a public interface: code outside kernel/mm uses the headers in include/kernel/mm.
#include <kernel/boot_info.h>
#include <kernel/mm/paging.h>
#include "frame_allocator.h"
#include <kstd/error.h>
#include <kstd/types.h>

namespace mm {
// The frame allocator singleton (frames.cpp); other kernel code uses <kernel/mm/frames.h>.
FrameAllocator& frames();
}

namespace mm::detail {

// Page-table entry bits (Intel SDM vol. 3A, 4.5, tables 4-15 to 4-20).
inline constexpr u64 PTE_PRESENT = u64(1) << 0;
inline constexpr u64 PTE_WRITABLE = u64(1) << 1;
inline constexpr u64 PTE_USER = u64(1) << 2;
inline constexpr u64 PTE_PWT = u64(1) << 3;
inline constexpr u64 PTE_PCD = u64(1) << 4;
inline constexpr u64 PTE_ACCESSED = u64(1) << 5;
inline constexpr u64 PTE_DIRTY = u64(1) << 6;
inline constexpr u64 PTE_LARGE = u64(1) << 7;       // PS in a PDE/PDPTE
inline constexpr u64 PTE_PAT_4K = u64(1) << 7;      // PAT in a PTE (same bit as PS)
inline constexpr u64 PTE_GLOBAL = u64(1) << 8;
inline constexpr u64 PTE_PAT_LARGE = u64(1) << 12;  // PAT in a 2 MiB / 1 GiB entry
inline constexpr u64 PTE_NO_EXECUTE = u64(1) << 63;
inline constexpr u64 PTE_ADDRESS_MASK = 0x000ffffffffff000;

// The IA32_PAT layout mm::init programs (SDM vol. 3A, 11.12.2). An entry selects PAT entry
// number (PAT << 2 | PCD << 1 | PWT). Entries 0-3 and 5-7 keep their power-on values, so every
// entry written before the MSR changes (the boot tables, all PAT=0 PCD=0 PWT=0: WB) means
// the same afterwards; only PA4 changes, from WB to WC, so WC becomes reachable:
//   PA0 WB  <- WriteBack        (no bits)
//   PA1 WT  <- WriteThrough     (PWT)
//   PA2 UC- (unused)
//   PA3 UC  <- Uncached         (PCD | PWT)  strong UC: MTRRs cannot turn it into WC
//   PA4 WC  <- WriteCombining   (PAT)
//   PA5 WT, PA6 UC-, PA7 UC     (unused)
inline constexpr u8 PAT_UC = 0x00, PAT_WC = 0x01, PAT_WT = 0x04, PAT_WP = 0x05, PAT_WB = 0x06, PAT_UC_MINUS = 0x07;
inline constexpr u64 PAT_LAYOUT = u64(PAT_WB) | u64(PAT_WT) << 8 | u64(PAT_UC_MINUS) << 16 | u64(PAT_UC) << 24
    | u64(PAT_WC) << 32 | u64(PAT_WT) << 40 | u64(PAT_UC_MINUS) << 48 | u64(PAT_UC) << 56;

inline constexpr u8 pat_index_of(CachePolicy policy)
{
    switch (policy) {
    case CachePolicy::WriteBack: return 0;
    case CachePolicy::WriteThrough: return 1;
    case CachePolicy::Uncached: return 3;
    case CachePolicy::WriteCombining: return 4;
    }
    return 3;
}

// Sets EFER.NXE, CR0.WP, CR4.PGE and programs IA32_PAT. Boot only.
void enable_paging_features();

// Builds the kernel page tables (direct map of RAM and firmware data, the kernel image with
// W^X, the shared kernel-half PML4 slots), switches CR3 to them and so drops the boot identity
// map. Boot only; runs on the boot tables, so it only touches memory below 4 GiB until the switch.
void build_kernel_space(MemoryRegion const* map, usize count);

// Creates the page-table levels above `virt` down to the PDPT (the PML4 entry), so that the
// PML4 slot exists. Used for the shared kernel-half windows.
[[nodiscard]] ErrorOr<void> ensure_pml4_slot(u64 virt);

// Maps one 2 MiB page (virt and phys 2 MiB aligned). EEXIST if anything is mapped there.
[[nodiscard]] ErrorOr<void> map_large(u64 virt, u64 phys, PageFlags flags, CachePolicy policy);

// The same operations on another root: a user address space (address_space.cpp). They work
// on 4 KiB pages only and never touch the kernel root's counters except for table frames.
// `extra_bits` are ORed into the leaf (PTE_OWNED_FRAME).
[[nodiscard]] ErrorOr<void> map_in(u64 root, u64 virt, u64 phys, PageFlags flags, CachePolicy policy,
                                   u64 extra_bits = 0);
// Clears the leaf and returns the physical address it mapped; *entry_bits gets the old entry.
// ENOENT when nothing (or a large page) is mapped there.
[[nodiscard]] ErrorOr<u64> unmap_in(u64 root, u64 virt, u64* entry_bits = nullptr);
[[nodiscard]] ErrorOr<Mapping> query_in(u64 root, u64 virt);
// The raw 4 KiB leaf entry for virt; ENOENT when unmapped or mapped by a large page.
[[nodiscard]] ErrorOr<u64> leaf_entry_in(u64 root, u64 virt);
[[nodiscard]] ErrorOr<CachePolicy> cache_policy_in(u64 root, u64 virt);
// A zeroed PML4 for a user address space, and the release of any table of one (both counted
// in paging_stats as user tables).
[[nodiscard]] ErrorOr<u64> alloc_user_root();
void free_user_table(u64 phys);
// The root CR3 points at now.
u64 arch_current_root();

// A software-available PTE bit (SDM 4.5: bits 9-11 are ignored by the CPU): the frame behind
// this user mapping belongs to the address space and is freed with it; device memory has it clear.
inline constexpr u64 PTE_OWNED_FRAME = u64(1) << 9;

// Root table management. Until set_root() the paging functions have no tables to work on.
[[nodiscard]] ErrorOr<u64> create_root();
void set_root(u64 pml4_phys);
void activate_root();
void add_direct_map_bytes(u64 bytes);

// The sanitised memory map mm::init keeps (init.cpp).
MemoryRegion const* memory_map_regions();
usize memory_map_count();

// Live MMIO mapping count and bytes (mmio.cpp), for paging_stats().
void mmio_usage(u64& mappings, u64& bytes);

// Frame allocator set-up (frames.cpp): places the bitmaps, initialises the allocator and
// returns where the bitmaps went (already reserved).
PhysRange init_frames(MemoryRegion const* map, usize count, PhysRange const* reserved, usize reserved_count);

// Heap set-up (heap.cpp).
void init_heap();

}
