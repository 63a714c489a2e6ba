// Bounce decisions, scatter-gather splitting and the bounce slot allocator (see
// include/kernel/io/dma_plan.h). Portable: compiled into the kernel and the host unit tests.
#include <kernel/io/dma_plan.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace io {

ErrorOr<bool> ChunkWalker::next(PhysChunk& chunk)
{
    if (m_offset >= m_length)
        return false;
    u64 virt = m_virt + m_offset;
    u64 phys = m_has_pending ? m_pending_phys : TRY(m_translator.translate(m_translator.context, virt));
    m_has_pending = false;
    u64 first_piece = kstd::min(PAGE - virt % PAGE, m_length - m_offset);
    chunk = PhysChunk { phys, first_piece, m_offset };
    m_offset += first_piece;
    // Extend over following pages while they continue the same physical run. After the first
    // piece every page starts page-aligned.
    while (m_offset < m_length) {
        u64 next_phys = TRY(m_translator.translate(m_translator.context, m_virt + m_offset));
        if (next_phys != chunk.phys + chunk.length) {
            m_pending_phys = next_phys;
            m_has_pending = true;
            break;
        }
        u64 piece = kstd::min(PAGE, m_length - m_offset);
        chunk.length += piece;
        m_offset += piece;
    }
    return true;
}

bool dma_reachable(u64 phys, u64 length, u64 mask)
{
    if (length == 0)
        return phys <= mask;
    u64 last = phys + (length - 1);
    return last >= phys && last <= mask;
}

bool dma_crosses_boundary(u64 phys, u64 length, u64 boundary)
{
    if (boundary == 0 || length == 0)
        return false;
    u64 last = phys + (length - 1);
    return kstd::align_down(phys, boundary) != kstd::align_down(last, boundary);
}

ErrorOr<BounceReason> plan_single(u64 virt, u64 length, Translator translator, DmaConstraints const& constraints,
    PhysChunk& first)
{
    if (length == 0)
        return Error::from_errno(EINVAL);
    ChunkWalker walker(virt, length, translator);
    PhysChunk chunk {};
    TRY(walker.next(chunk));
    first = chunk;
    BounceReason reason = BounceReason::None;
    usize chunks = 0;
    do {
        ++chunks;
        if (!dma_reachable(chunk.phys, chunk.length, constraints.mask))
            reason |= BounceReason::AboveMask;
        if (dma_crosses_boundary(chunk.phys, chunk.length, constraints.boundary))
            reason |= BounceReason::CrossesBoundary;
    } while (TRY(walker.next(chunk)));
    if (chunks > 1)
        reason |= BounceReason::Discontiguous;
    if (constraints.alignment > 1 && !kstd::is_aligned(first.phys, constraints.alignment))
        reason |= BounceReason::Misaligned;
    return reason;
}

namespace {

// Length of the segment starting at `phys` with `left` bytes left in its chunk.
u64 segment_length(u64 phys, u64 left, DmaConstraints const& constraints)
{
    u64 length = left;
    if (constraints.boundary != 0)
        length = kstd::min(length, constraints.boundary - (phys & (constraints.boundary - 1)));
    if (constraints.max_segment != 0)
        length = kstd::min(length, constraints.max_segment);
    return length;
}

BounceReason segment_bounce(u64 phys, u64 length, DmaConstraints const& constraints)
{
    BounceReason reason = BounceReason::None;
    if (!dma_reachable(phys, length, constraints.mask))
        reason |= BounceReason::AboveMask;
    if (constraints.alignment > 1 && !kstd::is_aligned(phys, constraints.alignment))
        reason |= BounceReason::Misaligned;
    return reason;
}

}

ErrorOr<usize> plan_segments(u64 virt, u64 length, Translator translator, DmaConstraints const& constraints,
    DmaSegment* out, usize capacity)
{
    if (length == 0)
        return Error::from_errno(EINVAL);
    if (constraints.boundary != 0 && !kstd::is_power_of_two(constraints.boundary))
        return Error::from_errno(EINVAL);
    ChunkWalker walker(virt, length, translator);
    PhysChunk chunk {};
    usize count = 0;
    while (TRY(walker.next(chunk))) {
        for (u64 done = 0; done < chunk.length;) {
            u64 phys = chunk.phys + done;
            u64 piece = segment_length(phys, chunk.length - done, constraints);
            if (count < capacity)
                out[count] = DmaSegment { phys, piece, chunk.buffer_offset + done, phys,
                    segment_bounce(phys, piece, constraints) };
            ++count;
            done += piece;
        }
    }
    return count;
}

void BouncePool::init(u64 base, u64 size)
{
    m_base = base;
    m_slot_count = kstd::min<usize>(usize(size / SLOT_SIZE), MAX_SLOTS);
    m_free_slots = m_slot_count;
    for (auto& word : m_bitmap)
        word = 0;
}

void BouncePool::set_used(usize slot, bool used)
{
    u64 bit = 1ull << (slot % 64);
    if (used)
        m_bitmap[slot / 64] |= bit;
    else
        m_bitmap[slot / 64] &= ~bit;
}

bool BouncePool::run_is_free(usize first, usize count) const
{
    for (usize slot = first; slot < first + count; ++slot) {
        if (is_used(slot))
            return false;
    }
    return true;
}

ErrorOr<u64> BouncePool::allocate(u64 length, DmaConstraints const& constraints)
{
    if (length == 0 || (constraints.boundary != 0 && length > constraints.boundary))
        return Error::from_errno(EINVAL);
    usize count = usize(kstd::align_up(length, SLOT_SIZE) / SLOT_SIZE);
    u64 alignment = kstd::max(constraints.alignment, SLOT_SIZE);
    for (usize first = 0; first + count <= m_slot_count;) {
        u64 phys = m_base + first * SLOT_SIZE;
        if (!kstd::is_aligned(phys, alignment)) {
            first = usize((kstd::align_up(phys, alignment) - m_base) / SLOT_SIZE);
            continue;
        }
        if (!dma_reachable(phys, length, constraints.mask))
            break;   // every later slot lies higher still
        if (dma_crosses_boundary(phys, length, constraints.boundary)) {
            first = usize((kstd::align_up(phys + 1, constraints.boundary) - m_base) / SLOT_SIZE);
            continue;
        }
        if (run_is_free(first, count)) {
            for (usize slot = first; slot < first + count; ++slot)
                set_used(slot, true);
            m_free_slots -= count;
            return phys;
        }
        ++first;
    }
    return Error::from_errno(ENOMEM);
}

void BouncePool::free(u64 phys, u64 length)
{
    VERIFY(length > 0 && contains(phys) && kstd::is_aligned(phys - m_base, SLOT_SIZE));
    usize first = usize((phys - m_base) / SLOT_SIZE);
    usize count = usize(kstd::align_up(length, SLOT_SIZE) / SLOT_SIZE);
    VERIFY(first + count <= m_slot_count);
    for (usize slot = first; slot < first + count; ++slot) {
        VERIFY(is_used(slot));   // freeing a slot twice: a broken invariant in the DMA glue
        set_used(slot, false);
    }
    m_free_slots += count;
}

}
