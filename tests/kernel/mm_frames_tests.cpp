// Core tests of physical memory: the sanitised memory map, reservations, and the real frame
// allocator (exhaustion, reuse, contiguous DMA allocations). Expects QEMU's -m 128M.
#include <kernel/boot_info.h>
#include <kernel/irq_flags.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/init.h>
#include <kernel/mm/layout.h>
#include <kernel/test.h>
#include <kstd/enforce.h>

extern "C" char __kernel_start[], __kernel_end[];

namespace {

bool region_contains(MemoryRegion const& region, u64 start, u64 end)
{
    return start >= region.base && end <= region.base + region.length;
}

}

KTEST(mm_memory_map_sane, CORE_SUITE)
{
    EXPECT(boot_info().region_count > 0);
    auto map = mm::memory_map();
    EXPECT(map.count > 0);

    u64 usable = 0;
    for (usize i = 0; i < map.count; ++i) {
        MemoryRegion const& r = map.regions[i];
        EXPECT_MSG(r.length > 0, "region %zu is empty", i);
        if (i > 0) {
            MemoryRegion const& prev = map.regions[i - 1];
            EXPECT_MSG(prev.base + prev.length <= r.base, "regions %zu and %zu overlap or are unsorted", i - 1, i);
            EXPECT_MSG(!(prev.base + prev.length == r.base && prev.type == r.type), "regions %zu and %zu not merged", i - 1, i);
        }
        if (r.type == MemoryType::Usable)
            usable += r.length;
    }
    EXPECT_MSG(usable > 64 * MiB, "only %lu KiB usable RAM (the tests expect -m 128M)", usable / KiB);

    u64 kernel_start = mm::kernel_virt_to_phys(reinterpret_cast<u64>(__kernel_start));
    u64 kernel_end = mm::kernel_virt_to_phys(reinterpret_cast<u64>(__kernel_end));
    bool in_usable = false, reserved = false;
    for (usize i = 0; i < map.count; ++i)
        in_usable |= map.regions[i].type == MemoryType::Usable && region_contains(map.regions[i], kernel_start, kernel_end);
    EXPECT_MSG(in_usable, "kernel image [%#lx, %#lx) is not inside one usable region", kernel_start, kernel_end);
    auto ranges = mm::reserved_ranges();
    for (usize i = 0; i < ranges.count; ++i)
        reserved |= ranges.ranges[i].start <= kernel_start && ranges.ranges[i].end >= kernel_end;
    EXPECT_MSG(reserved, "the kernel image is not reserved from the frame allocator");

    auto stats = mm::frame_stats();
    EXPECT_EQ(stats.total_frames, stats.reserved_frames + stats.free_frames + stats.used_frames);
    EXPECT(stats.total_frames * mm::PAGE_SIZE <= usable);
    EXPECT(stats.free_frames * mm::PAGE_SIZE > 64 * MiB);
    return {};
}

KTEST(mm_frames_exhaustion_and_reuse, CORE_SUITE)
{
    auto before = mm::frame_stats();
    u64 head = 0;   // the allocated frames form a list through their first word
    u64 count = 0;
    bool enomem = false, contiguous_enomem = false;
    mm::FrameStats exhausted {};
    {
        // Nothing else may allocate while every frame is taken.
        InterruptsDisabled guard;
        for (;;) {
            auto frame = mm::alloc_frame();
            if (frame.is_error()) {
                enomem = frame.error().code() == ENOMEM;
                break;
            }
            *mm::phys_to_ptr<u64>(frame.value()) = head;
            head = frame.value();
            ++count;
        }
        exhausted = mm::frame_stats();
        auto again = mm::alloc_contiguous(1, mm::PAGE_SIZE, ~u64(0));
        contiguous_enomem = again.is_error() && again.error().code() == ENOMEM;
        // Freeing a frame twice would panic ("double free"), so this walk also proves that no
        // frame was handed out twice.
        while (head != 0) {
            u64 next = *mm::phys_to_ptr<u64>(head);
            mm::free_frame(head);
            head = next;
        }
    }
    auto after = mm::frame_stats();
    EXPECT_MSG(enomem, "exhaustion must report ENOMEM");
    EXPECT(contiguous_enomem);
    EXPECT_EQ(count, before.free_frames);
    EXPECT_EQ(exhausted.free_frames, 0u);
    EXPECT_EQ(exhausted.used_frames, before.used_frames + count);
    EXPECT_EQ(after.free_frames, before.free_frames);
    EXPECT_EQ(after.used_frames, before.used_frames);

    // And the allocator still works afterwards.
    u64 frame = EXPECT_OK(mm::alloc_frame());
    EXPECT(frame >= 1 * MiB);
    mm::free_frame(frame);
    return {};
}

KTEST(mm_frames_contiguous_dma, CORE_SUITE)
{
    u64 isa = EXPECT_OK(mm::alloc_contiguous(16, 64 * KiB, 16 * MiB));
    EXPECT_EQ(isa % (64 * KiB), 0u);
    EXPECT(isa >= 1 * MiB && isa + 16 * mm::PAGE_SIZE <= 16 * MiB);
    for (u64 i = 0; i < 16 * mm::PAGE_SIZE; i += 8)
        *mm::phys_to_ptr<volatile u64>(isa + i) = i;
    for (u64 i = 0; i < 16 * mm::PAGE_SIZE; i += 8)
        EXPECT_EQ(*mm::phys_to_ptr<volatile u64>(isa + i), i);
    mm::free_contiguous(isa, 16);

    u64 large = EXPECT_OK(mm::alloc_contiguous(512, 2 * MiB, 4 * GiB));
    EXPECT_EQ(large % (2 * MiB), 0u);
    mm::free_contiguous(large, 512);

    EXPECT_ERROR(mm::alloc_contiguous(1, mm::PAGE_SIZE, 1 * MiB), ENOMEM);   // the low MiB is reserved
    EXPECT_ERROR(mm::alloc_contiguous(0, mm::PAGE_SIZE, 16 * MiB), EINVAL);
    EXPECT_ERROR(mm::alloc_contiguous(1, 3 * mm::PAGE_SIZE, 16 * MiB), EINVAL);
    EXPECT_ERROR(mm::alloc_contiguous(1 << 20, mm::PAGE_SIZE, ~u64(0)), ENOMEM);   // 4 GiB at once
    return {};
}
