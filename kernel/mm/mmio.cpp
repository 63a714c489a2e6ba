// The MMIO window: device registers mapped with an explicit cache policy, 4 KiB pages, each
// mapping followed by an unmapped guard page so an overrun off the end of one device's
// registers faults instead of hitting the next device.
//
// Virtual space is handed out by a bump pointer and never reused: the window is 512 GiB, far
// more than any number of probe/remove cycles needs, and never reusing an address turns a
// stale pointer into a page fault instead of a write to some other device.
// FIXME: reuse freed virtual ranges if a workload ever gets near the end of the window.
#include "internal.h"
#include <kernel/irq_flags.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace mm {

namespace {

struct MmioMapping {
    u64 virt;    // page-aligned start; 0 = slot unused
    u64 pages;
};

constexpr usize MAX_MMIO_MAPPINGS = 256;
constinit MmioMapping g_mappings[MAX_MMIO_MAPPINGS] {};
constinit u64 g_next_virt = MMIO_BASE;

// Memory the memory map calls RAM is also mapped write-back in the direct map; a second
// mapping with another memory type is undefined behaviour (SDM 11.12.4), so refuse it.
bool overlaps_ram(u64 start, u64 end)
{
    MemoryRegion const* map = detail::memory_map_regions();
    for (usize i = 0; i < detail::memory_map_count(); ++i) {
        MemoryType type = map[i].type;
        bool ram = type == MemoryType::Usable || type == MemoryType::AcpiReclaimable || type == MemoryType::AcpiNvs;
        if (ram && start < map[i].base + map[i].length && map[i].base < end)
            return true;
    }
    return false;
}

MmioMapping* free_slot()
{
    for (auto& mapping : g_mappings) {
        if (mapping.virt == 0)
            return &mapping;
    }
    return nullptr;
}

}

ErrorOr<u64> map_mmio(u64 phys, u64 size, CachePolicy policy)
{
    if (size == 0 || phys + size < phys || (phys + size) >> 52)
        return Error::from_errno(EINVAL);
    u64 first = kstd::align_down(phys, PAGE_SIZE);
    u64 end = kstd::align_up(phys + size, PAGE_SIZE);
    if (policy != CachePolicy::WriteBack && overlaps_ram(first, end))
        return Error::from_errno(EINVAL);

    InterruptsDisabled guard;
    MmioMapping* slot = free_slot();
    u64 pages = (end - first) / PAGE_SIZE;
    if (!slot || pages + 1 > (MMIO_LIMIT - g_next_virt) / PAGE_SIZE)
        return Error::from_errno(ENOMEM);
    u64 virt = g_next_virt;
    TRY(map_range(virt, first, end - first, KERNEL_DATA, policy));
    g_next_virt += (pages + 1) * PAGE_SIZE;   // + the guard page
    *slot = MmioMapping { virt, pages };
    return virt + (phys - first);
}

ErrorOr<void> unmap_mmio(u64 virt)
{
    InterruptsDisabled guard;
    u64 page = kstd::align_down(virt, PAGE_SIZE);
    for (auto& mapping : g_mappings) {
        if (mapping.virt == 0 || mapping.virt != page)
            continue;
        TRY(unmap_range(mapping.virt, mapping.pages * PAGE_SIZE));
        mapping = {};
        return {};
    }
    return Error::from_errno(EINVAL);
}

void detail::mmio_usage(u64& mappings, u64& bytes)
{
    mappings = bytes = 0;
    for (auto const& mapping : g_mappings) {
        if (mapping.virt != 0) {
            ++mappings;
            bytes += mapping.pages * PAGE_SIZE;
        }
    }
}

}
