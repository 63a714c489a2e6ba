// 4-level page tables of the kernel address space: map, unmap, translate, protect, and the
// PAT-based cache policies (see include/kernel/mm/paging.h and internal.h for the PAT layout).
//
// Page tables are reached through the direct map (phys_to_ptr), which the boot tables already
// provide for the first 4 GiB; build_kernel_space() keeps table frames below 4 GiB until its own
// direct map is live.
//
// The CPU side (CR3, INVLPG, the feature bits, the PAT MSR) is include/arch/mmu.h.
#include "internal.h"
#include <arch/mmu.h>
#include <kernel/irq_flags.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace mm {

using namespace detail;

namespace {

constexpr u64 LEVEL_SIZE[5] = { 0, PAGE_SIZE, LARGE_PAGE_SIZE, GiB, 512 * GiB };

constinit u64 g_root = 0;             // physical address of the kernel PML4
constinit u64 g_table_frames = 0;
constinit u64 g_user_table_frames = 0;   // of g_table_frames: under user roots (address_space.cpp)
constinit u64 g_direct_map_bytes = 0;
constinit bool g_tables_below_4g = true;   // until the kernel direct map is live

u64* table_at(u64 phys) { return phys_to_ptr<u64>(phys); }
usize index_at(u64 virt, int level) { return usize(virt >> (12 + 9 * (level - 1))) & 511; }
bool is_canonical(u64 virt) { return u64(i64(virt << 16) >> 16) == virt; }

u64 leaf_bits(PageFlags flags, CachePolicy policy, bool large)
{
    u64 bits = PTE_PRESENT;
    if (has(flags, PageFlags::Writable))
        bits |= PTE_WRITABLE;
    if (has(flags, PageFlags::User))
        bits |= PTE_USER;
    if (has(flags, PageFlags::NoExecute))
        bits |= PTE_NO_EXECUTE;
    if (has(flags, PageFlags::Global))
        bits |= PTE_GLOBAL;
    u8 pat = pat_index_of(policy);
    if (pat & 1)
        bits |= PTE_PWT;
    if (pat & 2)
        bits |= PTE_PCD;
    if (pat & 4)
        bits |= large ? PTE_PAT_LARGE : PTE_PAT_4K;
    return large ? bits | PTE_LARGE : bits;
}

PageFlags flags_of(u64 entry)
{
    PageFlags flags = PageFlags::None;
    if (entry & PTE_WRITABLE)
        flags |= PageFlags::Writable;
    if (entry & PTE_USER)
        flags |= PageFlags::User;
    if (entry & PTE_NO_EXECUTE)
        flags |= PageFlags::NoExecute;
    if (entry & PTE_GLOBAL)
        flags |= PageFlags::Global;
    return flags;
}

u8 pat_index_of_entry(u64 entry, int level)
{
    u64 pat_bit = level == 1 ? PTE_PAT_4K : PTE_PAT_LARGE;
    return u8((entry & PTE_PWT ? 1 : 0) | (entry & PTE_PCD ? 2 : 0) | (entry & pat_bit ? 4 : 0));
}

ErrorOr<u64> alloc_table()
{
    u64 frame = TRY(alloc_frame());
    // Before the switch only the boot direct map (first 4 GiB) can reach a new table. Ask for
    // a low frame only then: alloc_contiguous searches from the bottom, the scarce DMA zone.
    if (g_tables_below_4g && frame >= BOOT_PHYS_MAP_SIZE) {
        free_frame(frame);
        frame = TRY(alloc_contiguous(1, PAGE_SIZE, BOOT_PHYS_MAP_SIZE));
    }
    memset(table_at(frame), 0, PAGE_SIZE);
    ++g_table_frames;
    return frame;
}

// The entry at `level` (1 = PT ... 4 = PML4) for virt, creating missing tables on the way.
// EEXIST when a large page above `level` already covers virt.
ErrorOr<u64*> entry_for(u64 root, u64 virt, int level, PageFlags flags)
{
    u64* table = table_at(root);
    for (int l = 4; l > level; --l) {
        u64& entry = table[index_at(virt, l)];
        if (!(entry & PTE_PRESENT)) {
            // Upper levels allow everything; the leaf decides (SDM 4.6: the strictest wins).
            entry = TRY(alloc_table()) | PTE_PRESENT | PTE_WRITABLE
                | (has(flags, PageFlags::User) ? PTE_USER : 0);
            if (root != g_root)
                ++g_user_table_frames;
        } else if (entry & PTE_LARGE) {
            return Error::from_errno(EEXIST);
        } else if (has(flags, PageFlags::User)) {
            entry |= PTE_USER;
        }
        table = table_at(entry & PTE_ADDRESS_MASK);
    }
    return &table[index_at(virt, level)];
}

struct Leaf {
    u64* entry;   // nullptr when virt is not mapped
    int level;
};

Leaf find_leaf(u64 root, u64 virt)
{
    u64* table = table_at(root);
    for (int level = 4;; --level) {
        u64* entry = &table[index_at(virt, level)];
        if (!(*entry & PTE_PRESENT))
            return { nullptr, level };
        if (level == 1 || (level <= 3 && (*entry & PTE_LARGE)))
            return { entry, level };
        table = table_at(*entry & PTE_ADDRESS_MASK);
    }
}

// Replaces a large page by a table of 512 smaller pages with the same flags and memory type.
ErrorOr<void> split(Leaf leaf, u64 virt)
{
    u64 large = *leaf.entry;
    u64 child_size = LEVEL_SIZE[leaf.level - 1];
    u64 base_phys = large & PTE_ADDRESS_MASK & ~(LEVEL_SIZE[leaf.level] - 1);
    u64 child_bits = large & ~PTE_ADDRESS_MASK & ~PTE_PAT_LARGE;
    if (leaf.level == 2) {
        // 4 KiB entries have PAT in bit 7 (where PS was) rather than bit 12.
        child_bits &= ~PTE_LARGE;
        if (large & PTE_PAT_LARGE)
            child_bits |= PTE_PAT_4K;
    } else if (large & PTE_PAT_LARGE) {
        child_bits |= PTE_PAT_LARGE;
    }
    u64 table_phys = TRY(alloc_table());
    u64* table = table_at(table_phys);
    for (usize i = 0; i < 512; ++i)
        table[i] = (base_phys + i * child_size) | child_bits;
    *leaf.entry = table_phys | PTE_PRESENT | PTE_WRITABLE | (large & PTE_USER);
    // One INVLPG inside a large page drops its TLB entry and the paging-structure caches.
    arch::flush_tlb_page(virt & ~(LEVEL_SIZE[leaf.level] - 1));
    return {};
}

// The 4 KiB leaf entry for virt, splitting large pages; ENOENT when unmapped.
ErrorOr<u64*> small_leaf(u64 root, u64 virt)
{
    Leaf leaf = find_leaf(root, virt);
    while (leaf.entry && leaf.level > 1) {
        TRY(split(leaf, virt));
        leaf = find_leaf(root, virt);
    }
    if (!leaf.entry)
        return Error::from_errno(ENOENT);
    return leaf.entry;
}

ErrorOr<void> check_page(u64 virt, u64 phys)
{
    if (!g_root || !is_canonical(virt) || virt % PAGE_SIZE || phys % PAGE_SIZE || phys >> 52)
        return Error::from_errno(EINVAL);
    return {};
}

ErrorOr<void> protect_page(u64 virt, u64 end, PageFlags flags, CachePolicy policy)
{
    Leaf leaf = find_leaf(g_root, virt);
    if (!leaf.entry)
        return Error::from_errno(ENOENT);
    // A whole large page inside the range keeps its size; a partial one is split.
    bool whole = leaf.level > 1 && virt % LEVEL_SIZE[leaf.level] == 0 && end - virt >= LEVEL_SIZE[leaf.level];
    u64* entry = whole ? leaf.entry : TRY(small_leaf(g_root, virt));
    bool large = whole;
    u64 phys_mask = large ? PTE_ADDRESS_MASK & ~(LEVEL_SIZE[leaf.level] - 1) : PTE_ADDRESS_MASK;
    *entry = (*entry & phys_mask) | leaf_bits(flags, policy, large);
    arch::flush_tlb_page(virt);
    return {};
}

}

char const* cache_policy_name(CachePolicy policy)
{
    switch (policy) {
    case CachePolicy::WriteBack: return "write-back";
    case CachePolicy::WriteThrough: return "write-through";
    case CachePolicy::Uncached: return "uncached";
    case CachePolicy::WriteCombining: return "write-combining";
    }
    return "?";
}

ErrorOr<void> map(u64 virt, u64 phys, PageFlags flags, CachePolicy policy)
{
    TRY(check_page(virt, phys));
    InterruptsDisabled guard;
    u64* entry = TRY(entry_for(g_root, virt, 1, flags));
    if (*entry & PTE_PRESENT)
        return Error::from_errno(EEXIST);
    // Not-present entries are never cached in the TLB, so no INVLPG is needed.
    *entry = phys | leaf_bits(flags, policy, false);
    return {};
}

ErrorOr<void> detail::map_large(u64 virt, u64 phys, PageFlags flags, CachePolicy policy)
{
    TRY(check_page(virt, phys));
    if (virt % LARGE_PAGE_SIZE || phys % LARGE_PAGE_SIZE)
        return Error::from_errno(EINVAL);
    InterruptsDisabled guard;
    u64* entry = TRY(entry_for(g_root, virt, 2, flags));
    if (*entry & PTE_PRESENT)
        return Error::from_errno(EEXIST);   // a 2 MiB page or a table of 4 KiB pages
    *entry = phys | leaf_bits(flags, policy, true);
    return {};
}

ErrorOr<u64> unmap(u64 virt)
{
    TRY(check_page(virt, 0));
    InterruptsDisabled guard;
    u64* entry = TRY(small_leaf(g_root, virt));
    u64 phys = *entry & PTE_ADDRESS_MASK;
    *entry = 0;
    arch::flush_tlb_page(virt);
    // FIXME: page tables that become empty are kept; the windows reuse them.
    return phys;
}

ErrorOr<void> map_range(u64 virt, u64 phys, u64 size, PageFlags flags, CachePolicy policy)
{
    u64 pages = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    for (u64 i = 0; i < pages; ++i) {
        auto result = map(virt + i * PAGE_SIZE, phys + i * PAGE_SIZE, flags, policy);
        if (result.is_error()) {
            while (i-- > 0)
                (void)unmap(virt + i * PAGE_SIZE);
            return result.release_error();
        }
    }
    return {};
}

ErrorOr<void> unmap_range(u64 virt, u64 size)
{
    InterruptsDisabled guard;
    u64 end = virt + kstd::align_up(size, PAGE_SIZE);
    for (u64 page = virt; page < end; page += PAGE_SIZE)
        TRY(translate(page));
    for (u64 page = virt; page < end; page += PAGE_SIZE)
        TRY(unmap(page));
    return {};
}

ErrorOr<void> protect(u64 virt, u64 size, PageFlags flags, CachePolicy policy)
{
    TRY(check_page(virt, 0));
    InterruptsDisabled guard;
    u64 end = virt + kstd::align_up(size, PAGE_SIZE);
    for (u64 page = virt; page < end; page += PAGE_SIZE)
        TRY(translate(page));
    for (u64 page = virt; page < end;) {
        TRY(protect_page(page, end, flags, policy));
        Leaf leaf = find_leaf(g_root, page);
        page = (page & ~(LEVEL_SIZE[leaf.level] - 1)) + LEVEL_SIZE[leaf.level];
    }
    return {};
}

ErrorOr<Mapping> query(u64 virt)
{
    return detail::query_in(g_root, virt);
}

ErrorOr<Mapping> detail::query_in(u64 root, u64 virt)
{
    if (!root || !is_canonical(virt))
        return Error::from_errno(EINVAL);
    InterruptsDisabled guard;
    Leaf leaf = find_leaf(root, virt);
    if (!leaf.entry)
        return Error::from_errno(ENOENT);
    u64 page_size = LEVEL_SIZE[leaf.level];
    u64 base = *leaf.entry & PTE_ADDRESS_MASK & ~(page_size - 1);
    return Mapping { base + (virt & (page_size - 1)), page_size, flags_of(*leaf.entry),
        pat_index_of_entry(*leaf.entry, leaf.level) };
}

ErrorOr<u64> translate(u64 virt)
{
    return TRY(query(virt)).phys;
}

ErrorOr<CachePolicy> cache_policy_of(u64 virt)
{
    return detail::cache_policy_in(g_root, virt);
}

ErrorOr<CachePolicy> detail::cache_policy_in(u64 root, u64 virt)
{
    Mapping mapping = TRY(query_in(root, virt));
    u8 type = u8(arch::read_page_attribute_table() >> (8 * mapping.pat_index));
    switch (type) {
    case PAT_WB: return CachePolicy::WriteBack;
    case PAT_WT: return CachePolicy::WriteThrough;
    case PAT_UC:
    case PAT_UC_MINUS: return CachePolicy::Uncached;
    case PAT_WC: return CachePolicy::WriteCombining;
    }
    return Error::from_errno(EPROTO);
}

PagingStats paging_stats()
{
    PagingStats stats { g_table_frames, g_user_table_frames, g_direct_map_bytes, 0, 0 };
    mmio_usage(stats.mmio_mappings, stats.mmio_bytes);
    return stats;
}

u64 kernel_page_table_root() { return g_root; }

ErrorOr<void> detail::ensure_pml4_slot(u64 virt)
{
    InterruptsDisabled guard;
    TRY(entry_for(g_root, virt, 3, PageFlags::None));
    return {};
}

// --- other roots: user address spaces (address_space.cpp) ----------------------------------

ErrorOr<void> detail::map_in(u64 root, u64 virt, u64 phys, PageFlags flags, CachePolicy policy, u64 extra_bits)
{
    TRY(check_page(virt, phys));
    InterruptsDisabled guard;
    u64* entry = TRY(entry_for(root, virt, 1, flags));
    if (*entry & PTE_PRESENT)
        return Error::from_errno(EEXIST);
    *entry = phys | leaf_bits(flags, policy, false) | extra_bits;
    return {};
}

ErrorOr<u64> detail::unmap_in(u64 root, u64 virt, u64* entry_bits)
{
    TRY(check_page(virt, 0));
    InterruptsDisabled guard;
    Leaf leaf = find_leaf(root, virt);
    if (!leaf.entry || leaf.level != 1)
        return Error::from_errno(ENOENT);   // user spaces hold 4 KiB pages only
    u64 entry = *leaf.entry;
    *leaf.entry = 0;
    if (entry_bits)
        *entry_bits = entry;
    if (root == arch_current_root())
        arch::flush_tlb_page(virt);
    return entry & PTE_ADDRESS_MASK;
}

ErrorOr<u64> detail::leaf_entry_in(u64 root, u64 virt)
{
    TRY(check_page(kstd::align_down(virt, PAGE_SIZE), 0));
    InterruptsDisabled guard;
    Leaf leaf = find_leaf(root, virt);
    if (!leaf.entry || leaf.level != 1)
        return Error::from_errno(ENOENT);
    return *leaf.entry;
}

u64 detail::arch_current_root() { return arch::current_page_table_root(); }

void detail::free_user_table(u64 phys)
{
    free_frame(phys);
    --g_table_frames;
    --g_user_table_frames;
}

ErrorOr<u64> detail::alloc_user_root()
{
    u64 root = TRY(alloc_table());
    ++g_user_table_frames;
    return root;
}

ErrorOr<u64> detail::create_root() { return alloc_table(); }
void detail::set_root(u64 pml4_phys) { g_root = pml4_phys; }
void detail::add_direct_map_bytes(u64 bytes) { g_direct_map_bytes += bytes; }

void detail::activate_root()
{
    arch::load_page_table_root(g_root);
    // Global entries survive a CR3 write; the boot tables had none, and from here on every
    // change to a global entry is followed by its own INVLPG.
    g_tables_below_4g = false;
}

void detail::enable_paging_features()
{
    arch::enable_paging_features();
    // Only PA4 changes (WB -> WC) and nothing uses it yet, so no cache flush is needed
    // (SDM 11.12.4 asks for one only when live mappings change their memory type).
    arch::write_page_attribute_table(PAT_LAYOUT);
}

}
