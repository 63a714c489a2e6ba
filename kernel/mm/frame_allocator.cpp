// FrameAllocator: bitmap physical frame allocator (see frame_allocator.h for the design).
// Portable: compiled into the kernel and into the host unit tests.
#include "frame_allocator.h"
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace mm {

namespace {
constexpr u64 FRAME = FrameAllocator::FRAME_SIZE;

// The zone limits fall on bitmap word boundaries (16 MiB = 64 words), so zone accounting can
// work a word at a time.
static_assert(ZONE_DMA_LIMIT / FRAME % 64 == 0 && ZONE_DMA32_LIMIT / FRAME % 64 == 0);
constexpr u64 DMA_WORDS = ZONE_DMA_LIMIT / FRAME / 64;

u64 popcount(u64 v) { return u64(__builtin_popcountll(v)); }
}

char const* zone_name(Zone zone)
{
    switch (zone) {
    case Zone::Dma: return "DMA";
    case Zone::Dma32: return "DMA32";
    case Zone::High: return "High";
    }
    return "?";
}

Zone FrameAllocator::zone_of_frame(u64 frame)
{
    u64 phys = frame * FRAME;
    if (phys < ZONE_DMA_LIMIT)
        return Zone::Dma;
    return phys < ZONE_DMA32_LIMIT ? Zone::Dma32 : Zone::High;
}

u64 FrameAllocator::usable_end(MemoryRegion const* regions, usize count)
{
    u64 end = 0;
    for (usize i = 0; i < count; ++i) {
        if (regions[i].type == MemoryType::Usable)
            end = kstd::max(end, kstd::align_down(regions[i].base + regions[i].length, FRAME));
    }
    return end;
}

usize FrameAllocator::storage_bytes_for(u64 phys_end)
{
    u64 words = (phys_end / FRAME + 63) / 64;
    return usize(2 * words * sizeof(u64));   // m_free followed by m_managed
}

ErrorOr<u64> FrameAllocator::find_free_range(MemoryRegion const* regions, usize count,
    PhysRange const* reserved, usize reserved_count, u64 bytes, u64 limit)
{
    for (usize i = 0; i < count; ++i) {
        if (regions[i].type != MemoryType::Usable)
            continue;
        u64 region_end = kstd::min(regions[i].base + regions[i].length, limit);
        u64 candidate = kstd::align_up(regions[i].base, FRAME);
        // Slide the candidate past every reservation it hits; each slide moves strictly
        // forward, so this ends.
        bool moved = true;
        while (moved && candidate + bytes <= region_end) {
            moved = false;
            for (usize r = 0; r < reserved_count; ++r) {
                if (candidate < reserved[r].end && reserved[r].start < candidate + bytes) {
                    candidate = kstd::align_up(reserved[r].end, FRAME);
                    moved = true;
                }
            }
        }
        if (candidate + bytes <= region_end)
            return candidate;
    }
    return Error::from_errno(ENOMEM);
}

ErrorOr<void> FrameAllocator::initialize(MemoryRegion const* regions, usize count,
    PhysRange const* reserved, usize reserved_count, void* storage, usize storage_bytes)
{
    u64 end = usable_end(regions, count);
    if (end == 0 || storage == nullptr || storage_bytes < storage_bytes_for(end))
        return Error::from_errno(EINVAL);

    m_frame_count = end / FRAME;
    m_word_count = (m_frame_count + 63) / 64;
    m_free = static_cast<u64*>(storage);
    m_managed = m_free + m_word_count;
    for (u64 w = 0; w < 2 * m_word_count; ++w)
        m_free[w] = 0;

    // Usable regions first, then knock out anything another region type also claims: a frame
    // is usable only if no firmware region touches it.
    for (usize i = 0; i < count; ++i) {
        if (regions[i].type != MemoryType::Usable)
            continue;
        u64 first = kstd::align_up(regions[i].base, FRAME) / FRAME;
        u64 last = kstd::align_down(regions[i].base + regions[i].length, FRAME) / FRAME;
        for (u64 f = first; f < last; ++f) {
            m_managed[f / 64] |= u64(1) << (f % 64);
            m_free[f / 64] |= u64(1) << (f % 64);
        }
    }
    for (usize i = 0; i < count; ++i) {
        if (regions[i].type == MemoryType::Usable)
            continue;
        u64 first = regions[i].base / FRAME;
        u64 last = kstd::min(kstd::align_up(regions[i].base + regions[i].length, FRAME) / FRAME, m_frame_count);
        for (u64 f = first; f < last; ++f) {
            m_managed[f / 64] &= ~(u64(1) << (f % 64));
            m_free[f / 64] &= ~(u64(1) << (f % 64));
        }
    }

    count_usable_frames();
    for (usize r = 0; r < reserved_count; ++r)
        withhold(reserved[r].start / FRAME, kstd::align_up(reserved[r].end, FRAME) / FRAME);
    m_next_word = 0;
    return {};
}

// Before any reservation every usable frame is managed and free.
void FrameAllocator::count_usable_frames()
{
    m_total_frames = m_managed_frames = m_free_frames = 0;
    for (auto& zone : m_zones)
        zone = {};
    for (u64 w = 0; w < m_word_count; ++w) {
        u64 n = popcount(m_managed[w]);
        m_total_frames += n;
        m_managed_frames += n;
        m_free_frames += n;
        auto& zone = m_zones[u8(zone_of_frame(w * 64))];
        zone.managed_frames += n;
        zone.free_frames += n;
    }
}

void FrameAllocator::withhold(u64 first_frame, u64 end_frame)
{
    end_frame = kstd::min(end_frame, m_frame_count);
    for (u64 f = first_frame; f < end_frame; ++f) {
        if (!test(m_managed, f))
            continue;
        auto& zone = m_zones[u8(zone_of_frame(f))];
        if (test(m_free, f)) {
            m_free[f / 64] &= ~(u64(1) << (f % 64));
            --m_free_frames;
            --zone.free_frames;
        }
        m_managed[f / 64] &= ~(u64(1) << (f % 64));
        --m_managed_frames;
        --zone.managed_frames;
    }
}

ErrorOr<void> FrameAllocator::reserve(PhysRange range)
{
    u64 first = range.start / FRAME;
    u64 end = kstd::min(kstd::align_up(range.end, FRAME) / FRAME, m_frame_count);
    for (u64 f = first; f < end; ++f) {
        if (test(m_managed, f) && !test(m_free, f))
            return Error::from_errno(EBUSY);
    }
    withhold(first, end);
    return {};
}

void FrameAllocator::set_free(u64 frame, bool free)
{
    auto& zone = m_zones[u8(zone_of_frame(frame))];
    if (free) {
        m_free[frame / 64] |= u64(1) << (frame % 64);
        ++m_free_frames;
        ++zone.free_frames;
    } else {
        m_free[frame / 64] &= ~(u64(1) << (frame % 64));
        --m_free_frames;
        --zone.free_frames;
    }
}

bool FrameAllocator::search_words(u64 first_word, u64 end_word, u64& frame_out) const
{
    for (u64 w = first_word; w < end_word; ++w) {
        if (m_free[w] != 0) {
            frame_out = w * 64 + u64(__builtin_ctzll(m_free[w]));
            return true;
        }
    }
    return false;
}

ErrorOr<u64> FrameAllocator::alloc_frame()
{
    // Next-fit over the frames above 16 MiB (wrapping once), then the Dma zone as a last resort.
    u64 dma_words = kstd::min(DMA_WORDS, m_word_count);
    u64 hint = kstd::clamp(m_next_word, dma_words, m_word_count);
    u64 frame = 0;
    bool found = search_words(hint, m_word_count, frame) || search_words(dma_words, hint, frame)
        || search_words(0, dma_words, frame);
    if (!found)
        return Error::from_errno(ENOMEM);
    set_free(frame, false);
    m_next_word = frame / 64;
    return frame * FRAME;
}

ErrorOr<u64> FrameAllocator::alloc_contiguous(usize count, u64 align, u64 max_phys)
{
    if (count == 0)
        return Error::from_errno(EINVAL);
    align = kstd::max(align, FRAME);
    if (!kstd::is_power_of_two(align))
        return Error::from_errno(EINVAL);

    // Lowest-address first fit: DMA users want low memory, and this leaves the high frames to
    // alloc_frame(). When the run is broken at frame `f`, the next candidate is the first
    // aligned start after f, so each frame is examined a bounded number of times.
    u64 step = align / FRAME;
    u64 limit = kstd::min(max_phys / FRAME, m_frame_count);
    u64 start = 0;
    while (count <= limit && start <= limit - count) {
        u64 broken = start + count;
        for (u64 f = start; f < start + count; ++f) {
            if (!test(m_free, f)) {
                broken = f;
                break;
            }
        }
        if (broken == start + count) {
            for (u64 f = start; f < start + count; ++f)
                set_free(f, false);
            return start * FRAME;
        }
        // Skip to the next free frame (64 at a time over full words) before realigning.
        u64 next = broken + 1;
        while (next < limit && !test(m_free, next))
            next += (next % 64 == 0 && m_free[next / 64] == 0) ? 64 : 1;
        start = kstd::align_up(next, step);
    }
    return Error::from_errno(ENOMEM);
}

ErrorOr<void> FrameAllocator::check_freeable(u64 phys) const
{
    if (!kstd::is_aligned(phys, FRAME) || phys / FRAME >= m_frame_count || !test(m_managed, phys / FRAME))
        return Error::from_errno(EINVAL);
    if (test(m_free, phys / FRAME))
        return Error::from_errno(EALREADY);
    return {};
}

ErrorOr<void> FrameAllocator::free_frame(u64 phys)
{
    TRY(check_freeable(phys));
    set_free(phys / FRAME, true);
    return {};
}

ErrorOr<void> FrameAllocator::free_contiguous(u64 phys, usize count)
{
    if (count == 0)
        return Error::from_errno(EINVAL);
    // Validate the whole run first so that a bad call changes nothing.
    for (usize i = 0; i < count; ++i)
        TRY(check_freeable(phys + i * FRAME));
    for (usize i = 0; i < count; ++i)
        set_free(phys / FRAME + i, true);
    return {};
}

bool FrameAllocator::is_free(u64 phys) const
{
    return phys / FRAME < m_frame_count && test(m_free, phys / FRAME);
}

bool FrameAllocator::is_managed(u64 phys) const
{
    return phys / FRAME < m_frame_count && test(m_managed, phys / FRAME);
}

FrameStats FrameAllocator::stats() const
{
    FrameStats s {};
    s.total_frames = m_total_frames;
    s.reserved_frames = m_total_frames - m_managed_frames;
    s.free_frames = m_free_frames;
    s.used_frames = m_managed_frames - m_free_frames;
    for (usize z = 0; z < ZONE_COUNT; ++z)
        s.zones[z] = m_zones[z];
    return s;
}

}
