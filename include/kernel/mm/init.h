#pragma once
// Bringing up memory management, and what it knows about physical memory.
#include <kernel/boot_info.h>
#include <kstd/types.h>

namespace mm {

// Frames, then PAT/NX/WP/PGE, then fresh kernel page tables (direct map, W^X kernel image,
// identity map dropped), then the heap. Must run once, early in kernel_main, after
// arch::init_cpu_tables() (the boot GDT is only reachable through the identity map that this
// drops) and after the boot information has been copied; before anything allocates.
// Context: boot, interrupts off.
void init(BootInfo const& info);
bool is_initialized();

// The memory map mm works from: the boot loader's, sorted, without overlaps, merged
// (kernel/mm/memory_map.h has the rules).
struct MemoryMap {
    MemoryRegion const* regions;
    usize count;
};
MemoryMap memory_map();

// The physical ranges withheld from the frame allocator at boot (low 1 MiB, kernel image,
// boot information, modules, ELF symbol sections, the allocator's bitmaps).
struct ReservedRange {
    u64 start;
    u64 end;             // exclusive
    char const* what;
};
struct ReservedRanges {
    ReservedRange const* ranges;
    usize count;
};
ReservedRanges reserved_ranges();

// The monitor's `meminfo`: memory totals, zones, heap, page tables and stacks, printed with
// kprint. Context: thread.
void print_meminfo();

}
