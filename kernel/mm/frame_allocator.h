#pragma once
// FrameAllocator: the portable core of the physical frame allocator (no hardware access, so the
// host tests in tests/unit/mm_frames.cpp run it over fake memory maps).
//
// Design: two bitmaps over every frame from physical 0 up to the end of the highest Usable
// region, one bit per 4 KiB frame:
//   m_managed  1 = the frame lies wholly inside a Usable region and is not reserved,
//   m_free     1 = the frame is managed and currently free.
// Keeping "managed" separate from "free" is what lets free_frame() tell a double free (managed,
// already free) from freeing a reserved or hole frame (not managed) at the cost of one extra bit
// per frame (8 KiB for 128 MiB, 256 KiB for 4 GiB). A bitmap rather than a free list because it
// needs no memory of its own inside the frames it manages, answers "is this frame free?" in O(1)
// for the checks above, and makes contiguous, aligned, below-a-limit searches (DMA) a simple scan.
//
// alloc_frame() is next-fit: it resumes the scan at the word where the previous one succeeded,
// skipping full 64-frame words with one compare, so steady-state allocation is O(1) amortised.
#include <kernel/boot_info.h>
#include <kernel/mm/frames.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace mm {

// A physical address range [start, end).
struct PhysRange {
    u64 start;
    u64 end;
};

class FrameAllocator {
public:
    static constexpr u64 FRAME_SIZE = 4096;

    // End (exclusive) of the highest Usable region: the bitmaps cover [0, usable_end).
    static u64 usable_end(MemoryRegion const* regions, usize count);

    // Bytes of storage initialize() needs to manage memory up to `phys_end`.
    static usize storage_bytes_for(u64 phys_end);

    // Finds a page-aligned home for `bytes` of storage inside a Usable region, below `limit`,
    // overlapping none of `reserved`. The kernel carves the bitmaps out of RAM this way.
    [[nodiscard]] static ErrorOr<u64> find_free_range(MemoryRegion const* regions, usize count,
        PhysRange const* reserved, usize reserved_count, u64 bytes, u64 limit);

    // Builds the bitmaps in `storage` (at least storage_bytes_for(usable_end(...)) bytes, 8-byte
    // aligned): every whole frame inside a Usable region becomes free, then every frame touched
    // by a reserved range (rounded outward to frames) is withheld. `regions` need not be sorted;
    // where a Usable region overlaps another type the frame is withheld as well.
    [[nodiscard]] ErrorOr<void> initialize(MemoryRegion const* regions, usize count,
        PhysRange const* reserved, usize reserved_count, void* storage, usize storage_bytes);

    // Withholds more frames after initialize(). EBUSY if one of them is currently allocated.
    [[nodiscard]] ErrorOr<void> reserve(PhysRange range);

    [[nodiscard]] ErrorOr<u64> alloc_frame();
    [[nodiscard]] ErrorOr<u64> alloc_contiguous(usize count, u64 align, u64 max_phys);

    // EINVAL: misaligned, beyond the managed memory, or a reserved/hole frame.
    // EALREADY: the frame is already free (double free). Nothing changes on error.
    [[nodiscard]] ErrorOr<void> free_frame(u64 phys);
    [[nodiscard]] ErrorOr<void> free_contiguous(u64 phys, usize count);

    bool is_free(u64 phys) const;
    bool is_managed(u64 phys) const;
    FrameStats stats() const;
    bool is_initialized() const { return m_frame_count != 0; }

private:
    static Zone zone_of_frame(u64 frame);
    bool test(u64 const* bitmap, u64 frame) const { return bitmap[frame / 64] >> (frame % 64) & 1; }
    void set_free(u64 frame, bool free);
    void count_usable_frames();
    void withhold(u64 first_frame, u64 end_frame);
    bool search_words(u64 first_word, u64 end_word, u64& frame_out) const;
    ErrorOr<void> check_freeable(u64 phys) const;

    u64* m_free { nullptr };
    u64* m_managed { nullptr };
    u64 m_frame_count { 0 };
    u64 m_word_count { 0 };
    u64 m_next_word { 0 };         // next-fit hint for alloc_frame()
    u64 m_total_frames { 0 };      // frames inside Usable regions, reserved or not
    u64 m_managed_frames { 0 };
    u64 m_free_frames { 0 };
    ZoneStats m_zones[ZONE_COUNT] {};
};

}
