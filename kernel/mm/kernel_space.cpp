// The kernel's own page tables, built once at boot to replace boot.S's tables:
//  * the direct map at PHYS_MAP_BASE of RAM and firmware data only (no MMIO holes: device
//    memory is reached through map_mmio with the right cache policy), 2 MiB pages where
//    aligned and 4 KiB pages at the edges;
//  * the kernel image at KERNEL_VMA in 4 KiB pages with W^X per section:
//    .text RX, .rodata R+NX, .data/.bss RW+NX (the linker script page-aligns them);
//  * the PML4 slots of the heap, stack, scratch, MMIO and kernel windows, created up front so every
//    later address space can share the kernel half by copying PML4 entries 256-511;
//  * no identity map: the lower half is empty once CR3 points here.
#include "internal.h"
#include "memory_map.h"
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

// Linker-script symbols. .rodata needs none: whatever is neither code nor data is mapped R+NX.
extern "C" char __kernel_start[], __text_start[], __text_end[], __data_start[], __kernel_end[];

namespace mm::detail {

namespace {

struct Range {
    u64 start;
    u64 end;
};

constexpr u64 LOW_MEMORY_END = 1 * MiB;
constexpr usize MAX_DIRECT_MAP_RANGES = MAX_SANITIZED_REGIONS;

bool is_ram(MemoryType type)
{
    return type == MemoryType::Usable || type == MemoryType::AcpiReclaimable || type == MemoryType::AcpiNvs;
}

// Reserved regions are mapped when they are firmware data rather than device memory: those in
// the first MiB (EBDA, BIOS data and ROM) and those that directly follow RAM, because firmware
// carves its tables out of the end of RAM (QEMU's ACPI tables sit in a Reserved region right
// after the last usable byte below 4 GiB). Device memory lies apart from RAM or directly below
// it (the q35 ECAM at 0xb0000000, the BIOS flash that ends at 4 GiB where high RAM begins, the
// HyperTransport hole), so a region that merely precedes RAM is not enough. The map is sorted,
// so the region before is the previous entry.
bool is_firmware_data(MemoryRegion const* map, usize i)
{
    MemoryRegion const& r = map[i];
    if (r.type != MemoryType::Reserved)
        return false;
    if (r.base + r.length <= LOW_MEMORY_END)
        return true;
    return i > 0 && is_ram(map[i - 1].type) && map[i - 1].base + map[i - 1].length == r.base;
}

// The page-aligned, merged physical ranges of the direct map, in address order.
usize collect_direct_map(MemoryRegion const* map, usize count, Range* out, usize capacity)
{
    usize n = 0;
    for (usize i = 0; i < count; ++i) {
        if (!is_ram(map[i].type) && !is_firmware_data(map, i))
            continue;
        Range range { kstd::align_down(map[i].base, PAGE_SIZE), kstd::align_up(map[i].base + map[i].length, PAGE_SIZE) };
        if (n > 0 && range.start <= out[n - 1].end) {
            out[n - 1].end = kstd::max(out[n - 1].end, range.end);
            continue;
        }
        if (n == capacity)
            panic("mm: more than %zu direct-map ranges", capacity);
        out[n++] = range;
    }
    return n;
}

void map_direct(Range range)
{
    for (u64 phys = range.start; phys < range.end;) {
        bool large = kstd::is_aligned(phys, LARGE_PAGE_SIZE) && range.end - phys >= LARGE_PAGE_SIZE;
        auto result = large ? map_large(phys_to_virt(phys), phys, KERNEL_DATA, CachePolicy::WriteBack)
                            : map(phys_to_virt(phys), phys, KERNEL_DATA, CachePolicy::WriteBack);
        // Ranges are merged and page-aligned, so even EEXIST would be a bug here.
        if (result.is_error())
            panic("mm: direct map of %#lx failed: %s", phys, result.error().name());
        phys += large ? LARGE_PAGE_SIZE : PAGE_SIZE;
    }
    add_direct_map_bytes(range.end - range.start);
}

bool overlaps(u64 page, char const* start, char const* end)
{
    return page < reinterpret_cast<u64>(end) && reinterpret_cast<u64>(start) < page + PAGE_SIZE;
}

void map_kernel_image()
{
    u64 start = kstd::align_down(reinterpret_cast<u64>(__kernel_start), PAGE_SIZE);
    u64 end = kstd::align_up(reinterpret_cast<u64>(__kernel_end), PAGE_SIZE);
    for (u64 page = start; page < end; page += PAGE_SIZE) {
        bool code = overlaps(page, __text_start, __text_end);
        bool data = overlaps(page, __data_start, __kernel_end);
        if (code && data)
            panic("mm: page %#lx holds both code and data: the linker script must page-align .data", page);
        PageFlags flags = PageFlags::Global;
        if (!code)
            flags |= PageFlags::NoExecute;
        if (data)
            flags |= PageFlags::Writable;
        if (auto result = map(page, kernel_virt_to_phys(page), flags); result.is_error())
            panic("mm: mapping the kernel image at %#lx failed: %s", page, result.error().name());
    }
}

}

void build_kernel_space(MemoryRegion const* map, usize count)
{
    auto root = create_root();
    if (root.is_error())
        panic("mm: no frame for the kernel PML4");
    set_root(root.value());

    constexpr u64 shared_windows[] = { HEAP_BASE, STACKS_BASE, SCRATCH_BASE, MMIO_BASE, KERNEL_VMA };
    for (u64 window : shared_windows) {
        if (ensure_pml4_slot(window).is_error())
            panic("mm: no frame for the page tables of window %#lx", window);
    }

    Range ranges[MAX_DIRECT_MAP_RANGES];
    usize n = collect_direct_map(map, count, ranges, MAX_DIRECT_MAP_RANGES);
    for (usize i = 0; i < n; ++i) {
        log_debug("mm: direct map [%#lx, %#lx)\n", ranges[i].start, ranges[i].end);
        map_direct(ranges[i]);
    }
    map_kernel_image();

    // From here on the boot tables (and their identity map) are gone.
    activate_root();
}

}
