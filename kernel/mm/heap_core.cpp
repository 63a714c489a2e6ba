// HeapCore: boundary-tag heap with segregated free lists (see heap_core.h). Portable.
//
// Block layout (every block, used or free, sizes in multiples of 16):
//
//   +--------+--------+---------------------------- ... ---+--------+--------+
//   | size   | magic  | payload (free: next, prev links)     | size   | magic  |
//   +--------+--------+---------------------------- ... ---+--------+--------+
//   header (16 bytes)                                        footer (16 bytes)
//
// The magic is a used/free constant XOR the size, so a header whose size field was overwritten
// no longer matches either constant. Invariant: no two free blocks are adjacent (free() merges).
#include "heap_core.h"
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace mm {

namespace {
constexpr u64 TAG_SIZE = 16;
constexpr u64 OVERHEAD = 2 * TAG_SIZE;
constexpr u64 MIN_BLOCK = OVERHEAD + 16;   // room for the free-list links
constexpr u64 ARENA_PAGE = 4096;

// ASCII "HEAPUSED", "HEAPFREE", "FOOTUSED", "FOOTFREE": readable in a memory dump.
constexpr u64 HEADER_USED = 0x4845415055534544;
constexpr u64 HEADER_FREE = 0x4845415046524545;
constexpr u64 FOOTER_USED = 0x464f4f5455534544;
constexpr u64 FOOTER_FREE = 0x464f4f5446524545;
}

char const* heap_fault_text(HeapFault fault)
{
    switch (fault) {
    case HeapFault::None: return "no fault";
    case HeapFault::NotHeapPointer: return "pointer is not a heap block";
    case HeapFault::DoubleFree: return "double free";
    case HeapFault::HeaderCorrupt: return "block header corrupted (underrun, wild pointer or use after free)";
    case HeapFault::FooterCorrupt: return "block footer corrupted (overrun past the end of the block)";
    case HeapFault::SizeMismatch: return "sized delete with a size larger than the block";
    case HeapFault::AdjacentFree: return "two adjacent free blocks (heap metadata corrupted)";
    }
    return "unknown heap fault";
}

void HeapCore::initialize(u64 arena_start, u64 arena_limit, GrowFn grow, void* ctx)
{
    *this = HeapCore {};
    m_start = m_end = arena_start;
    m_limit = arena_limit;
    m_grow = grow;
    m_grow_ctx = ctx;
}

usize HeapCore::bin_of(u64 size)
{
    usize log2 = usize(63 - __builtin_clzll(size));
    return kstd::min(log2, BIN_COUNT - 1);
}

HeapCore::FreeLinks& HeapCore::links(Tag* block)
{
    return *reinterpret_cast<FreeLinks*>(reinterpret_cast<u8*>(block) + TAG_SIZE);
}

HeapCore::Tag* HeapCore::footer(Tag* block)
{
    return reinterpret_cast<Tag*>(reinterpret_cast<u8*>(block) + block->size - TAG_SIZE);
}

void HeapCore::write_tags(Tag* block, u64 size, bool used)
{
    block->size = size;
    block->magic = (used ? HEADER_USED : HEADER_FREE) ^ size;
    Tag* foot = footer(block);
    foot->size = size;
    foot->magic = (used ? FOOTER_USED : FOOTER_FREE) ^ size;
}

bool HeapCore::is_free(Tag const* block) { return block->magic == (HEADER_FREE ^ block->size); }
bool HeapCore::is_used(Tag const* block) { return block->magic == (HEADER_USED ^ block->size); }

bool HeapCore::contains(void const* ptr) const
{
    u64 p = reinterpret_cast<u64>(ptr);
    return p >= m_start + TAG_SIZE && p < m_end;
}

void HeapCore::insert(Tag* block)
{
    Tag*& head = m_bins[bin_of(block->size)];
    links(block) = FreeLinks { head, nullptr };
    if (head)
        links(head).prev = block;
    head = block;
    m_stats.free_bytes += block->size;
    ++m_stats.free_blocks;
}

void HeapCore::remove(Tag* block)
{
    FreeLinks& l = links(block);
    if (l.prev)
        links(l.prev).next = l.next;
    else
        m_bins[bin_of(block->size)] = l.next;
    if (l.next)
        links(l.next).prev = l.prev;
    m_stats.free_bytes -= block->size;
    --m_stats.free_blocks;
}

HeapCore::Tag* HeapCore::free_neighbour_before(Tag* block) const
{
    u64 addr = reinterpret_cast<u64>(block);
    if (addr == m_start)
        return nullptr;
    auto* foot = reinterpret_cast<Tag*>(addr - TAG_SIZE);
    if (foot->magic != (FOOTER_FREE ^ foot->size) || foot->size < MIN_BLOCK || foot->size > addr - m_start)
        return nullptr;
    auto* prev = reinterpret_cast<Tag*>(addr - foot->size);
    return is_free(prev) ? prev : nullptr;
}

HeapCore::Tag* HeapCore::free_neighbour_after(Tag* block) const
{
    u64 next = reinterpret_cast<u64>(block) + block->size;
    if (next >= m_end)
        return nullptr;
    auto* tag = reinterpret_cast<Tag*>(next);
    return is_free(tag) ? tag : nullptr;
}

// The first payload address inside `block` with the alignment; the gap before it is either
// empty or big enough to become a free block of its own.
u64 HeapCore::payload_for(Tag* block, usize align)
{
    u64 start = reinterpret_cast<u64>(block);
    u64 payload = kstd::align_up(start + TAG_SIZE, align);
    u64 gap = payload - TAG_SIZE - start;
    if (gap != 0 && gap < MIN_BLOCK)
        payload = kstd::align_up(start + TAG_SIZE + MIN_BLOCK, align);
    return payload;
}

HeapCore::Tag* HeapCore::find_fit(u64 need, usize align, u64& payload) const
{
    for (usize bin = bin_of(need); bin < BIN_COUNT; ++bin) {
        for (Tag* block = m_bins[bin]; block; block = links(block).next) {
            u64 candidate = payload_for(block, align);
            if (candidate - TAG_SIZE + need <= reinterpret_cast<u64>(block) + block->size) {
                payload = candidate;
                return block;
            }
        }
    }
    return nullptr;
}

void* HeapCore::carve(Tag* block, u64 payload, u64 need)
{
    remove(block);
    u64 start = reinterpret_cast<u64>(block);
    u64 end = start + block->size;
    auto* used = reinterpret_cast<Tag*>(payload - TAG_SIZE);
    if (reinterpret_cast<u64>(used) > start) {
        write_tags(block, reinterpret_cast<u64>(used) - start, false);
        insert(block);
    }
    u64 size = end - reinterpret_cast<u64>(used);
    if (size - need >= MIN_BLOCK) {
        // The tail cannot have a free right neighbour: `block` was free, so it had none.
        auto* tail = reinterpret_cast<Tag*>(reinterpret_cast<u64>(used) + need);
        write_tags(tail, size - need, false);
        insert(tail);
        size = need;
    }
    write_tags(used, size, true);

    m_stats.bytes_in_use += size - OVERHEAD;
    m_stats.peak_bytes_in_use = kstd::max(m_stats.peak_bytes_in_use, m_stats.bytes_in_use);
    ++m_stats.allocations;
    return reinterpret_cast<void*>(payload);
}

bool HeapCore::grow(u64 min_bytes)
{
    u64 bytes = kstd::align_up(kstd::max(min_bytes, GROW_GRANULE), ARENA_PAGE);
    if (bytes > m_limit - m_end || !m_grow(m_grow_ctx, m_end, bytes))
        return false;
    auto* block = reinterpret_cast<Tag*>(m_end);
    m_end += bytes;
    m_stats.arena_bytes += bytes;
    write_tags(block, bytes, false);
    if (Tag* prev = free_neighbour_before(block)) {
        remove(prev);
        write_tags(prev, prev->size + bytes, false);
        block = prev;
    }
    insert(block);
    return true;
}

void* HeapCore::allocate(usize size, usize align)
{
    if (align == 0)
        align = MIN_ALIGN;
    if (!m_grow || !kstd::is_power_of_two(align) || size > MAX_ALLOCATION || align > MAX_ALLOCATION) {
        ++m_stats.failed_allocations;
        return nullptr;
    }
    align = kstd::max(align, MIN_ALIGN);
    u64 need = kstd::max(kstd::align_up(size, TAG_SIZE) + OVERHEAD, MIN_BLOCK);
    u64 payload = 0;
    Tag* block = find_fit(need, align, payload);
    // A fresh arena extension always fits: it is at least need + the worst alignment padding.
    if (!block && grow(need + align + MIN_BLOCK))
        block = find_fit(need, align, payload);
    if (!block) {
        ++m_stats.failed_allocations;
        return nullptr;
    }
    return carve(block, payload, need);
}

HeapFault HeapCore::deallocate(void* ptr, usize size_hint)
{
    if (!ptr)
        return HeapFault::None;
    u64 p = reinterpret_cast<u64>(ptr);
    if (!contains(ptr) || !kstd::is_aligned(p, MIN_ALIGN))
        return HeapFault::NotHeapPointer;
    auto* block = reinterpret_cast<Tag*>(p - TAG_SIZE);
    if (is_free(block))
        return HeapFault::DoubleFree;
    if (!is_used(block) || block->size < MIN_BLOCK || block->size % TAG_SIZE != 0
        || block->size > m_end - (p - TAG_SIZE))
        return HeapFault::HeaderCorrupt;
    Tag* foot = footer(block);
    if (foot->size != block->size || foot->magic != (FOOTER_USED ^ block->size))
        return HeapFault::FooterCorrupt;
    if (size_hint > block->size - OVERHEAD)
        return HeapFault::SizeMismatch;

    m_stats.bytes_in_use -= block->size - OVERHEAD;
    ++m_stats.frees;
    release(block);
    return HeapFault::None;
}

void HeapCore::release(Tag* block)
{
    // Mark the header free before any merge: if `block` disappears into its left neighbour,
    // its stale header still says "free", so a second free of the same pointer is recognised.
    write_tags(block, block->size, false);
    u64 size = block->size;
    if (Tag* next = free_neighbour_after(block)) {
        remove(next);
        size += next->size;
    }
    if (Tag* prev = free_neighbour_before(block)) {
        remove(prev);
        size += prev->size;
        block = prev;
    }
    write_tags(block, size, false);
    insert(block);
}

usize HeapCore::usable_size(void const* ptr) const
{
    if (!contains(ptr) || !kstd::is_aligned(reinterpret_cast<u64>(ptr), MIN_ALIGN))
        return 0;
    auto const* block = reinterpret_cast<Tag const*>(reinterpret_cast<u64>(ptr) - TAG_SIZE);
    return is_used(block) ? usize(block->size - OVERHEAD) : 0;
}

HeapFault HeapCore::check() const
{
    u64 free_bytes = 0;
    bool previous_free = false;
    for (u64 addr = m_start; addr < m_end;) {
        auto* block = reinterpret_cast<Tag*>(addr);
        bool free = is_free(block);
        if ((!free && !is_used(block)) || block->size < MIN_BLOCK || block->size % TAG_SIZE != 0
            || block->size > m_end - addr)
            return HeapFault::HeaderCorrupt;
        Tag* foot = footer(block);
        if (foot->size != block->size || foot->magic != ((free ? FOOTER_FREE : FOOTER_USED) ^ block->size))
            return HeapFault::FooterCorrupt;
        if (free && previous_free)
            return HeapFault::AdjacentFree;
        if (free)
            free_bytes += block->size;
        previous_free = free;
        addr += block->size;
    }
    return free_bytes == m_stats.free_bytes ? HeapFault::None : HeapFault::HeaderCorrupt;
}

}
