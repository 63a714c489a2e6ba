// mm::init: frames -> PAT/NX/WP/PGE -> kernel page tables -> heap, and `meminfo`.
#include "frame_allocator.h"
#include "internal.h"
#include "memory_map.h"
#include <kernel/elf_symbols.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/init.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/mm/stacks.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

extern "C" char __kernel_start[], __kernel_end[];

namespace mm {

namespace {

constexpr u64 LOW_MEMORY_END = 1 * MiB;
constexpr usize MAX_RESERVED = 64;
constexpr u32 SHT_NOBITS = 8;
constexpr u64 SHF_ALLOC = 2;

constinit MemoryRegion g_map[MAX_SANITIZED_REGIONS] {};
constinit usize g_map_count = 0;
constinit ReservedRange g_reserved[MAX_RESERVED] {};
constinit usize g_reserved_count = 0;
constinit bool g_initialized = false;

void reserve(u64 start, u64 end, char const* what)
{
    if (end <= start)
        return;
    if (g_reserved_count == MAX_RESERVED)
        panic("mm: more than %zu reserved ranges at boot", MAX_RESERVED);
    g_reserved[g_reserved_count++] = ReservedRange { start, end, what };
}

// The symbol and string tables are not part of the loaded image: GRUB puts them in free RAM
// and records their physical address in sh_addr. The panic backtraces need them forever.
void reserve_elf_sections(BootInfo const& info)
{
    if (info.elf_sections_phys == 0 || info.elf_section_entsize != sizeof(Elf64_Shdr))
        return;
    u64 table_end = info.elf_sections_phys + u64(info.elf_section_count) * sizeof(Elf64_Shdr);
    if (table_end > BOOT_PHYS_MAP_SIZE)
        return;   // not reachable before the kernel direct map; symbols cannot use it either
    reserve(info.elf_sections_phys, table_end, "ELF section headers");
    auto const* sections = phys_to_ptr<Elf64_Shdr const>(info.elf_sections_phys);
    for (u32 i = 0; i < info.elf_section_count; ++i) {
        Elf64_Shdr const& s = sections[i];
        if ((s.sh_flags & SHF_ALLOC) || s.sh_type == SHT_NOBITS || s.sh_addr == 0 || s.sh_size == 0
            || s.sh_addr >= KERNEL_VMA)
            continue;
        reserve(s.sh_addr, s.sh_addr + s.sh_size, "kernel ELF section (symbols)");
    }
}

void collect_reservations(BootInfo const& info)
{
    // Real-mode IVT, BDA, EBDA and the BIOS: never RAM to hand out, and keeping physical page 0
    // unused means a stray null physical address is never a valid frame.
    reserve(0, LOW_MEMORY_END, "low memory (BIOS, real-mode data)");
    reserve(kernel_virt_to_phys(reinterpret_cast<u64>(__kernel_start)),
        kernel_virt_to_phys(reinterpret_cast<u64>(__kernel_end)), "kernel image");
    reserve(info.kernel_phys_start, info.kernel_phys_end, "kernel image (boot loader)");
    reserve(info.mbi_phys_start, info.mbi_phys_end, "multiboot2 information");
    for (usize i = 0; i < info.module_count; ++i)
        reserve(info.modules[i].start, info.modules[i].end, "boot module");
    reserve_elf_sections(info);
}

u64 kib(u64 frames) { return frames * PAGE_SIZE / KiB; }

}

MemoryRegion const* detail::memory_map_regions() { return g_map; }
usize detail::memory_map_count() { return g_map_count; }
MemoryMap memory_map() { return { g_map, g_map_count }; }
ReservedRanges reserved_ranges() { return { g_reserved, g_reserved_count }; }
bool is_initialized() { return g_initialized; }

void init(BootInfo const& info)
{
    if (g_initialized)
        panic("mm::init called twice");
    g_map_count = sanitize_memory_map(info.regions, info.region_count, g_map, MAX_SANITIZED_REGIONS);
    if (g_map_count == 0)
        panic("mm: the boot loader passed no memory map");

    collect_reservations(info);
    PhysRange ranges[MAX_RESERVED];
    for (usize i = 0; i < g_reserved_count; ++i)
        ranges[i] = PhysRange { g_reserved[i].start, g_reserved[i].end };
    PhysRange bitmap = detail::init_frames(g_map, g_map_count, ranges, g_reserved_count);
    reserve(bitmap.start, bitmap.end, "frame allocator bitmaps");

    detail::enable_paging_features();
    detail::build_kernel_space(g_map, g_map_count);
    detail::init_heap();
    g_initialized = true;

    FrameStats frames = frame_stats();
    PagingStats paging = paging_stats();
    log_info("mm: %lu KiB usable, %lu KiB free, %lu KiB reserved; direct map %lu MiB, %lu page-table frames\n",
        kib(frames.total_frames), kib(frames.free_frames), kib(frames.reserved_frames),
        paging.direct_map_bytes / MiB, paging.table_frames);
}

void print_meminfo()
{
    FrameStats frames = frame_stats();
    kprint("memory: %lu KiB usable: %lu KiB free, %lu KiB used, %lu KiB reserved\n", kib(frames.total_frames),
        kib(frames.free_frames), kib(frames.used_frames), kib(frames.reserved_frames));
    for (usize z = 0; z < ZONE_COUNT; ++z) {
        kprint("  zone %-5s %10lu KiB managed %10lu KiB free\n", zone_name(Zone(z)),
            kib(frames.zones[z].managed_frames), kib(frames.zones[z].free_frames));
    }

    HeapUsage heap = heap_usage();
    kprint("heap: %lu KiB in use (peak %lu KiB), %lu KiB mapped, %lu KiB free; %lu allocations, %lu frees, %lu failed\n",
        heap.bytes_in_use / KiB, heap.peak_bytes_in_use / KiB, heap.arena_bytes / KiB, heap.free_bytes / KiB,
        heap.allocations, heap.frees, heap.failed_allocations);

    PagingStats paging = paging_stats();
    kprint("page tables: %lu frames (%lu KiB); direct map %lu MiB; MMIO %lu mappings (%lu KiB); %zu kernel stacks\n",
        paging.table_frames, kib(paging.table_frames), paging.direct_map_bytes / MiB, paging.mmio_mappings,
        paging.mmio_bytes / KiB, live_kernel_stacks());

    kprint("memory map:\n");
    for (usize i = 0; i < g_map_count; ++i) {
        kprint("  %016lx-%016lx %s\n", g_map[i].base, g_map[i].base + g_map[i].length,
            memory_type_name(g_map[i].type));
    }
    kprint("reserved at boot:\n");
    for (usize i = 0; i < g_reserved_count; ++i)
        kprint("  %016lx-%016lx %s\n", g_reserved[i].start, g_reserved[i].end, g_reserved[i].what);
}

}
