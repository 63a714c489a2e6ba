// Kernel glue for the frame allocator: the singleton, where its bitmaps live, the interrupt
// guard, and panics for misuse (see include/kernel/mm/frames.h).
#include "frame_allocator.h"
#include "internal.h"
#include <kernel/irq_flags.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kernel/panic.h>
#include <kstd/utility.h>
#include <kernel/io/dma.h>
#include <kstd/enforce.h>

namespace mm {

namespace {

// Constant-initialised, so the global constructors (which run before mm::init) leave it alone.
constinit FrameAllocator g_frames;

[[noreturn]] void bad_free(char const* function, u64 phys, Error error)
{
    if (error.code() == EALREADY)
        panic("%s(%#lx): double free (the frame is already free)", function, phys);
    panic("%s(%#lx): not an allocated frame (misaligned, reserved, a hole, or beyond RAM)", function, phys);
}

}

FrameAllocator& frames() { return g_frames; }

PhysRange detail::init_frames(MemoryRegion const* map, usize count, PhysRange const* reserved, usize reserved_count)
{
    // The bitmaps live in ordinary RAM: the first spot that is usable, not reserved, and below
    // 4 GiB (the boot direct map, the only way to reach it before the kernel tables exist).
    u64 bytes = kstd::align_up(FrameAllocator::storage_bytes_for(FrameAllocator::usable_end(map, count)), PAGE_SIZE);
    auto home = FrameAllocator::find_free_range(map, count, reserved, reserved_count, bytes, BOOT_PHYS_MAP_SIZE);
    if (home.is_error())
        panic("mm: no room below 4 GiB for the frame bitmaps (%lu bytes)", bytes);
    u64 phys = home.value();
    if (auto result = g_frames.initialize(map, count, reserved, reserved_count, phys_to_ptr<void>(phys), bytes);
        result.is_error())
        panic("mm: frame allocator initialisation failed: %s", result.error().name());
    PhysRange bitmap { phys, phys + bytes };
    MUST(g_frames.reserve(bitmap));
    return bitmap;
}

ErrorOr<u64> alloc_frame()
{
    InterruptsDisabled guard;
    return g_frames.alloc_frame();
}

ErrorOr<u64> alloc_contiguous(usize count, u64 align, u64 max_phys)
{
    InterruptsDisabled guard;
    return g_frames.alloc_contiguous(count, align, max_phys);
}

// Frames still part of a live DMA mapping are reported by the DMA API before they are freed.
void free_frame(u64 phys)
{
    io::dma_debug_check_free_phys(phys, PAGE_SIZE);
    InterruptsDisabled guard;
    if (auto result = g_frames.free_frame(phys); result.is_error())
        bad_free("free_frame", phys, result.error());
}

void free_contiguous(u64 phys, usize count)
{
    io::dma_debug_check_free_phys(phys, count * PAGE_SIZE);
    InterruptsDisabled guard;
    if (auto result = g_frames.free_contiguous(phys, count); result.is_error())
        bad_free("free_contiguous", phys, result.error());
}

FrameStats frame_stats()
{
    InterruptsDisabled guard;
    return g_frames.stats();
}

}
