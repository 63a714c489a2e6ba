#pragma once
// HeapCore: the portable kernel heap allocator (host-tested in tests/unit/mm_heap.cpp; the
// kernel glue in heap.cpp feeds it pages mapped at HEAP_BASE).
//
// Design: one contiguous arena that only grows, carved into blocks with boundary tags
// (a 16-byte header and a 16-byte footer, both holding the block size and a magic value) and
// free blocks kept in segregated free lists, one per power-of-two size range, searched first-fit.
//
// Why this rather than slabs of size classes:
//  * the kernel needs arbitrary alignments (alignas(64) DMA descriptors, 4 KiB-aligned buffers,
//    the std::align_val_t operator new); carving the padding before an aligned block off as a
//    free block handles any power of two without per-class special cases;
//  * boundary tags make free() O(1) including coalescing with both neighbours, which keeps
//    fragmentation bounded without a compaction pass, and the bins make allocation O(bins) in
//    the common case;
//  * the same tags are the corruption check: the header magic says used/free (so a double free
//    is recognised), and the footer magic sits right after the payload, so writing past the end
//    of a block is caught when that block is freed or when check() walks the arena;
//  * large blocks need no separate path: the arena grows by at least the request.
// Costs, accepted for a teaching kernel: 32 bytes of overhead per block (16-byte granularity),
// no per-CPU caches, and the arena never shrinks (FIXME: return whole free pages at the top).
#include <kstd/types.h>

namespace mm {

struct HeapStats {
    u64 bytes_in_use;        // payload capacity of live blocks (requests rounded up to 16)
    u64 peak_bytes_in_use;
    u64 allocations;         // successful allocations so far
    u64 frees;
    u64 failed_allocations;
    u64 arena_bytes;         // heap grown so far (all of it backed by memory)
    u64 free_bytes;          // in free blocks, tags included
    u64 free_blocks;
};

// What deallocate() or check() found wrong.
enum class HeapFault : u8 {
    None,
    NotHeapPointer,   // outside the arena or misaligned
    DoubleFree,       // the block is already free
    HeaderCorrupt,    // header magic or size is garbage: underrun, wild pointer, use after free
    FooterCorrupt,    // footer smashed: the previous owner wrote past the end of its block
    SizeMismatch,     // sized delete with a size larger than the block
    AdjacentFree,     // check(): two free blocks side by side (coalescing invariant broken)
};
char const* heap_fault_text(HeapFault fault);

class HeapCore {
public:
    // Makes [at, at + bytes) usable memory (bytes is a multiple of 4 KiB and `at` is the current
    // arena end). Returns false when out of memory; nothing must stay half-mapped then.
    using GrowFn = bool (*)(void* ctx, u64 at, u64 bytes);

    static constexpr usize MIN_ALIGN = 16;             // operator new's default alignment
    static constexpr u64 GROW_GRANULE = 64 * KiB;      // grow at least this much at a time
    static constexpr usize MAX_ALLOCATION = usize(1) << 40;

    // The arena starts empty at `arena_start` (4 KiB aligned) and may grow up to `arena_limit`.
    void initialize(u64 arena_start, u64 arena_limit, GrowFn grow, void* ctx);

    // nullptr when out of memory, for a non-power-of-two alignment, or an absurd size.
    // size 0 yields a unique minimal block, like malloc.
    void* allocate(usize size, usize align = MIN_ALIGN);

    // Frees `ptr` (nullptr is fine). `size_hint`, when non-zero, is the size the caller believes
    // it allocated (sized delete) and is checked against the block. On a fault nothing changes.
    [[nodiscard]] HeapFault deallocate(void* ptr, usize size_hint = 0);

    // Bytes usable at ptr (>= the requested size), 0 when ptr is not a live block.
    usize usable_size(void const* ptr) const;

    // Walks every block and verifies tags, sizes and the coalescing invariant.
    [[nodiscard]] HeapFault check() const;

    HeapStats stats() const { return m_stats; }
    bool is_initialized() const { return m_grow != nullptr; }
    bool contains(void const* ptr) const;

private:
    struct Tag {
        u64 size;
        u64 magic;
    };
    struct FreeLinks {
        Tag* next;
        Tag* prev;
    };
    static constexpr usize BIN_COUNT = 48;

    static usize bin_of(u64 size);
    static FreeLinks& links(Tag* block);
    static Tag* footer(Tag* block);
    static void write_tags(Tag* block, u64 size, bool used);
    static bool is_free(Tag const* block);
    static bool is_used(Tag const* block);
    static u64 payload_for(Tag* block, usize align);

    void insert(Tag* block);
    void remove(Tag* block);
    Tag* free_neighbour_before(Tag* block) const;
    Tag* free_neighbour_after(Tag* block) const;
    Tag* find_fit(u64 need, usize align, u64& payload) const;
    void* carve(Tag* block, u64 payload, u64 need);
    bool grow(u64 min_bytes);
    void release(Tag* block);

    Tag* m_bins[BIN_COUNT] {};
    u64 m_start { 0 };
    u64 m_end { 0 };
    u64 m_limit { 0 };
    GrowFn m_grow { nullptr };
    void* m_grow_ctx { nullptr };
    HeapStats m_stats {};
};

}
