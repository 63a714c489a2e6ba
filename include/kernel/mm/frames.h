#pragma once
// Physical frame allocator: the public interface (kernel/mm/frame_allocator.h holds the core).
//
// Frames are 4 KiB. Physical memory is split into three zones so that drivers can ask for memory
// a device can reach: Dma (below 16 MiB, ISA DMA), Dma32 (below 4 GiB, 32-bit bus masters such
// as IDE bus-master DMA and the e1000) and High (the rest). alloc_frame() prefers frames above
// 16 MiB and only falls back to the Dma zone when nothing else is left, so the scarce low memory
// stays available for alloc_contiguous(..., 16 * MiB).
#include <kstd/error.h>
#include <kstd/types.h>

namespace mm {

enum class Zone : u8 {
    Dma,     // [0, 16 MiB)
    Dma32,   // [16 MiB, 4 GiB)
    High,    // [4 GiB, ...)
};
inline constexpr usize ZONE_COUNT = 3;
inline constexpr u64 ZONE_DMA_LIMIT = 16 * MiB;
inline constexpr u64 ZONE_DMA32_LIMIT = 4 * GiB;

char const* zone_name(Zone zone);

struct ZoneStats {
    u64 managed_frames;   // frames the allocator may hand out (usable and not reserved)
    u64 free_frames;
};

struct FrameStats {
    u64 total_frames;      // whole frames inside Usable regions of the memory map
    u64 reserved_frames;   // usable frames withheld: low 1 MiB, kernel image, MBI, modules, bitmap
    u64 free_frames;
    u64 used_frames;       // handed out and not yet freed
    ZoneStats zones[ZONE_COUNT];
};

// One frame anywhere in physical memory, not zeroed. ENOMEM when none is left.
// Context: thread or boot. Locking: takes the allocator lock (interrupts off inside).
[[nodiscard]] ErrorOr<u64> alloc_frame();

// `count` physically contiguous frames, the first aligned to `align` bytes (a power of two;
// anything below 4 KiB means 4 KiB), the whole block below `max_phys` (exclusive), for DMA.
// ENOMEM when no such run exists, EINVAL for a zero count or a bad alignment.
// Context: thread or boot. Locking: allocator lock.
[[nodiscard]] ErrorOr<u64> alloc_contiguous(usize count, u64 align, u64 max_phys);

// Gives a frame back. Freeing a frame twice, a reserved frame, or an address outside managed
// memory is a broken invariant in the kernel and panics with the reason (the portable core
// reports these as errors, which the host tests check). Context: thread or boot.
void free_frame(u64 phys);
void free_contiguous(u64 phys, usize count);

FrameStats frame_stats();

}
