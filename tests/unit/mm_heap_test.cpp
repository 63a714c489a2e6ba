// Host tests for the kernel heap core (kernel/mm/heap_core.cpp) over an arena in host memory.
#include "support.h"
#include "../../kernel/mm/heap_core.h"
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

using mm::HeapCore;
using mm::HeapFault;

namespace {

// A reserved stretch of host memory that the heap "maps" page by page, with an optional
// budget so that running out of memory can be tested.
struct Arena {
    static constexpr u64 SIZE = 64 * MiB;
    u8* memory = static_cast<u8*>(std::aligned_alloc(4096, SIZE));
    u64 budget = SIZE;
    u64 granted = 0;
    int grow_calls = 0;
    HeapCore heap;

    Arena()
    {
        REQUIRE(memory);
        heap.initialize(reinterpret_cast<u64>(memory), reinterpret_cast<u64>(memory) + SIZE, grow, this);
    }
    ~Arena() { std::free(memory); }
    Arena(Arena const&) = delete;
    Arena& operator=(Arena const&) = delete;

    static bool grow(void* ctx, u64 at, u64 bytes)
    {
        auto* self = static_cast<Arena*>(ctx);
        REQUIRE(at == reinterpret_cast<u64>(self->memory) + self->granted);   // contiguous growth
        REQUIRE(bytes % 4096 == 0);
        if (self->granted + bytes > self->budget)
            return false;
        self->granted += bytes;
        ++self->grow_calls;
        // Poison fresh memory so the heap cannot rely on zeroed pages.
        std::memset(reinterpret_cast<void*>(at), 0xa5, bytes);
        return true;
    }
};

struct Live {
    u8* ptr;
    usize size;
    u8 pattern;
};

void fill(Live const& block) { std::memset(block.ptr, block.pattern, block.size); }

bool intact(Live const& block)
{
    for (usize i = 0; i < block.size; ++i)
        if (block.ptr[i] != block.pattern)
            return false;
    return true;
}

}

TEST_CASE("heap: random sizes and alignments, no overlap, patterns survive", "[mm][heap]")
{
    Arena arena;
    std::mt19937 rng(12345);
    std::vector<Live> live;
    for (int round = 0; round < 20000; ++round) {
        bool do_free = !live.empty() && (rng() % 100 < 45);
        if (do_free) {
            usize index = rng() % live.size();
            REQUIRE(intact(live[index]));
            REQUIRE(arena.heap.deallocate(live[index].ptr, live[index].size) == HeapFault::None);
            live[index] = live.back();
            live.pop_back();
            continue;
        }
        usize size = (rng() % 8 == 0) ? rng() % 20000 : rng() % 300;
        usize align = usize(1) << (rng() % 13);   // 1 .. 4096
        auto* ptr = static_cast<u8*>(arena.heap.allocate(size, align));
        REQUIRE(ptr);
        REQUIRE(reinterpret_cast<u64>(ptr) % std::max<usize>(align, 16) == 0);
        REQUIRE(arena.heap.usable_size(ptr) >= size);
        live.push_back({ ptr, size, u8(round) });
        fill(live.back());
        if (round % 1000 == 0)
            REQUIRE(arena.heap.check() == HeapFault::None);
    }

    // No two live blocks overlap.
    std::sort(live.begin(), live.end(), [](Live const& a, Live const& b) { return a.ptr < b.ptr; });
    for (usize i = 1; i < live.size(); ++i)
        REQUIRE(live[i - 1].ptr + live[i - 1].size <= live[i].ptr);

    for (auto const& block : live) {
        REQUIRE(intact(block));
        REQUIRE(arena.heap.deallocate(block.ptr) == HeapFault::None);
    }
    auto stats = arena.heap.stats();
    CHECK(stats.bytes_in_use == 0);
    CHECK(stats.allocations == stats.frees);
    CHECK(stats.peak_bytes_in_use > 0);
    // Everything coalesced back into one free block spanning the arena.
    CHECK(stats.free_blocks == 1);
    CHECK(stats.free_bytes == stats.arena_bytes);
    CHECK(arena.heap.check() == HeapFault::None);
}

TEST_CASE("heap: a freed block is reused", "[mm][heap]")
{
    Arena arena;
    void* a = arena.heap.allocate(100);
    void* guard = arena.heap.allocate(100);
    REQUIRE(arena.heap.deallocate(a) == HeapFault::None);
    CHECK(arena.heap.allocate(100) == a);
    CHECK(arena.heap.deallocate(guard) == HeapFault::None);
}

TEST_CASE("heap: neighbours coalesce in either order", "[mm][heap]")
{
    Arena arena;
    auto* a = static_cast<u8*>(arena.heap.allocate(1000));
    auto* b = static_cast<u8*>(arena.heap.allocate(1000));
    auto* c = static_cast<u8*>(arena.heap.allocate(1000));
    void* fence = arena.heap.allocate(16);   // keeps c from merging with the arena's tail
    REQUIRE((a < b && b < c));
    u64 blocks_before = arena.heap.stats().free_blocks;

    REQUIRE(arena.heap.deallocate(a) == HeapFault::None);
    REQUIRE(arena.heap.deallocate(c) == HeapFault::None);
    CHECK(arena.heap.stats().free_blocks == blocks_before + 2);
    REQUIRE(arena.heap.deallocate(b) == HeapFault::None);   // merges a+b+c into one
    CHECK(arena.heap.stats().free_blocks == blocks_before + 1);
    CHECK(arena.heap.check() == HeapFault::None);

    // The merged block serves a request none of the three could have served alone.
    int grows = arena.grow_calls;
    void* big = arena.heap.allocate(2900);
    CHECK(big == a);
    CHECK(arena.grow_calls == grows);
    CHECK(arena.heap.deallocate(big) == HeapFault::None);
    CHECK(arena.heap.deallocate(fence) == HeapFault::None);
    CHECK(arena.heap.stats().free_blocks == 1);
}

TEST_CASE("heap: large blocks grow the arena and come back", "[mm][heap]")
{
    Arena arena;
    auto* one = static_cast<u8*>(arena.heap.allocate(1 * MiB));
    auto* five = static_cast<u8*>(arena.heap.allocate(5 * MiB, 4096));
    REQUIRE(one);
    REQUIRE(five);
    CHECK(reinterpret_cast<u64>(five) % 4096 == 0);
    std::memset(one, 1, 1 * MiB);
    std::memset(five, 5, 5 * MiB);
    CHECK(arena.heap.stats().arena_bytes >= 6 * MiB);
    CHECK(arena.heap.deallocate(one) == HeapFault::None);
    CHECK(arena.heap.deallocate(five) == HeapFault::None);

    u64 arena_bytes = arena.heap.stats().arena_bytes;
    void* again = arena.heap.allocate(6 * MiB - 4096);
    CHECK(again);
    CHECK(arena.heap.stats().arena_bytes == arena_bytes);   // reused, not grown
    CHECK(arena.heap.deallocate(again) == HeapFault::None);
    CHECK(arena.heap.check() == HeapFault::None);
}

TEST_CASE("heap: misuse is detected and leaves the heap intact", "[mm][heap]")
{
    Arena arena;
    auto* a = static_cast<u8*>(arena.heap.allocate(64));
    auto* b = static_cast<u8*>(arena.heap.allocate(64));
    void* fence = arena.heap.allocate(64);

    SECTION("double free")
    {
        REQUIRE(arena.heap.deallocate(a) == HeapFault::None);
        CHECK(arena.heap.deallocate(a) == HeapFault::DoubleFree);
        // Also after the block has merged into its left neighbour's free space.
        REQUIRE(arena.heap.deallocate(b) == HeapFault::None);
        CHECK(arena.heap.deallocate(b) == HeapFault::DoubleFree);
    }
    SECTION("pointers that never came from the heap")
    {
        int local = 0;
        CHECK(arena.heap.deallocate(&local) == HeapFault::NotHeapPointer);
        CHECK(arena.heap.deallocate(a + 8) == HeapFault::NotHeapPointer);
        CHECK(arena.heap.deallocate(a + 16) == HeapFault::HeaderCorrupt);
        CHECK(arena.heap.deallocate(nullptr) == HeapFault::None);
    }
    SECTION("writing past the end smashes the footer")
    {
        usize usable = arena.heap.usable_size(a);
        a[usable] = 0x42;
        CHECK(arena.heap.check() == HeapFault::FooterCorrupt);
        CHECK(arena.heap.deallocate(a) == HeapFault::FooterCorrupt);
        a[usable] = u8(usable + 32);   // restore the low byte of the footer's size field
        CHECK(arena.heap.check() == HeapFault::None);
    }
    SECTION("an underrun smashes the header")
    {
        b[-8] ^= 0xff;
        CHECK(arena.heap.deallocate(b) == HeapFault::HeaderCorrupt);
        b[-8] ^= 0xff;
    }
    SECTION("sized delete with the wrong size")
    {
        CHECK(arena.heap.deallocate(a, 4096) == HeapFault::SizeMismatch);
        CHECK(arena.heap.deallocate(a, 64) == HeapFault::None);
    }
    CHECK(arena.heap.check() == HeapFault::None);
    (void)fence;
}

TEST_CASE("heap: out of memory returns nullptr and the heap keeps working", "[mm][heap]")
{
    Arena arena;
    arena.budget = 256 * KiB;
    std::vector<void*> blocks;
    while (void* p = arena.heap.allocate(10000))
        blocks.push_back(p);
    CHECK(blocks.size() >= 20);
    CHECK(arena.heap.stats().failed_allocations == 1);
    CHECK(arena.heap.allocate(1 * MiB) == nullptr);
    CHECK(arena.heap.check() == HeapFault::None);
    REQUIRE(arena.heap.deallocate(blocks.back()) == HeapFault::None);
    blocks.pop_back();
    CHECK(arena.heap.allocate(10000) != nullptr);
}

TEST_CASE("heap: edge cases", "[mm][heap]")
{
    Arena arena;
    void* zero1 = arena.heap.allocate(0);
    void* zero2 = arena.heap.allocate(0);
    CHECK(zero1);
    CHECK(zero2);
    CHECK(zero1 != zero2);
    CHECK(arena.heap.allocate(16, 3) == nullptr);           // not a power of two
    CHECK(arena.heap.allocate(HeapCore::MAX_ALLOCATION + 1) == nullptr);
    CHECK(arena.heap.allocate(usize(-1)) == nullptr);      // no overflow in the size maths
    void* page = arena.heap.allocate(4096, 65536);
    CHECK(reinterpret_cast<u64>(page) % 65536 == 0);
    CHECK(arena.heap.check() == HeapFault::None);
    CHECK(arena.heap.usable_size(zero1) >= 16);
    CHECK(arena.heap.usable_size(reinterpret_cast<u8*>(zero1) + 16) == 0);
}
