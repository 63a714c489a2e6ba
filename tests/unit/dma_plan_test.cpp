// Host tests for the portable DMA planner (kernel/io/dma_plan.cpp): bounce decisions (mask,
// boundary, contiguity, alignment), scatter-gather splitting at page breaks, boundaries and
// maximum segment sizes, and the bounce slot allocator. A fake page table stands in for
// mm::translate.
#include "support.h"
#include <kernel/io/dma_plan.h>
#include <map>
#include <vector>

using io::BouncePool;
using io::BounceReason;
using io::DmaConstraints;
using io::DmaSegment;
using io::PhysChunk;

namespace {

constexpr u64 PAGE = 4096;
constexpr u64 VBASE = 0xffffc00000000000;   // where the fake buffer lives

// Virtual page -> physical page; unmapped pages are ENOENT, as in mm::translate.
struct FakePageTable {
    std::map<u64, u64> pages;
    int lookups = 0;

    void map(u64 virt, u64 phys) { pages[virt] = phys; }
    // Maps `count` pages at VBASE + index * PAGE to the given physical pages.
    void map_pages(std::vector<u64> const& phys)
    {
        for (usize i = 0; i < phys.size(); ++i)
            map(VBASE + i * PAGE, phys[i]);
    }

    static ErrorOr<u64> translate(void* context, u64 virt)
    {
        auto& self = *static_cast<FakePageTable*>(context);
        ++self.lookups;
        auto it = self.pages.find(virt & ~(PAGE - 1));
        if (it == self.pages.end())
            return Error::from_errno(ENOENT);
        return it->second + (virt & (PAGE - 1));
    }
    io::Translator translator() { return { translate, this }; }
};

DmaConstraints limits(u64 mask, u64 boundary = 0, u64 max_segment = 0, u64 alignment = 1)
{
    return DmaConstraints { mask, boundary, max_segment, alignment };
}

BounceReason single(FakePageTable& pt, u64 offset, u64 length, DmaConstraints const& c, PhysChunk* first = nullptr)
{
    PhysChunk chunk {};
    auto result = io::plan_single(VBASE + offset, length, pt.translator(), c, chunk);
    REQUIRE_FALSE(result.is_error());
    if (first)
        *first = chunk;
    return result.value();
}

std::vector<DmaSegment> segments(FakePageTable& pt, u64 offset, u64 length, DmaConstraints const& c)
{
    auto count = io::plan_segments(VBASE + offset, length, pt.translator(), c, nullptr, 0);
    REQUIRE_FALSE(count.is_error());
    std::vector<DmaSegment> out(count.value());
    auto again = io::plan_segments(VBASE + offset, length, pt.translator(), c, out.data(), out.size());
    REQUIRE_FALSE(again.is_error());
    REQUIRE(again.value() == out.size());
    return out;
}

}

TEST_CASE("reachability and boundary crossing", "[dma][plan]")
{
    CHECK(io::dma_reachable(0xFFF000, 0x1000, 0xFFFFFF));
    CHECK_FALSE(io::dma_reachable(0xFFF000, 0x1001, 0xFFFFFF));
    CHECK_FALSE(io::dma_reachable(~0ull - 4, 16, ~0ull));   // wraps around
    CHECK(io::dma_reachable(0, 1, 0));

    CHECK_FALSE(io::dma_crosses_boundary(0xF000, 0x1000, 0x10000));   // ends on the line
    CHECK(io::dma_crosses_boundary(0xF000, 0x1001, 0x10000));
    CHECK_FALSE(io::dma_crosses_boundary(0xF000, 0x100000, 0));        // no boundary
    CHECK(io::dma_crosses_boundary(0x1FFFF, 2, 0x10000));
}

TEST_CASE("chunks merge contiguous pages and translate each page once", "[dma][plan]")
{
    FakePageTable pt;
    pt.map_pages({ 0x100000, 0x101000, 0x200000, 0x201000 });
    io::ChunkWalker walker(VBASE + 0x800, 4 * PAGE - 0x1000, pt.translator());
    std::vector<PhysChunk> chunks;
    PhysChunk chunk {};
    while (true) {
        auto more = walker.next(chunk);
        REQUIRE_FALSE(more.is_error());
        if (!more.value())
            break;
        chunks.push_back(chunk);
    }
    REQUIRE(chunks.size() == 2);
    CHECK(chunks[0].phys == 0x100800);
    CHECK(chunks[0].length == 2 * PAGE - 0x800);
    CHECK(chunks[0].buffer_offset == 0);
    CHECK(chunks[1].phys == 0x200000);
    CHECK(chunks[1].length == PAGE + 0x800);
    CHECK(chunks[1].buffer_offset == 2 * PAGE - 0x800);
    CHECK(pt.lookups == 4);
}

TEST_CASE("single mappings: when to bounce", "[dma][plan]")
{
    FakePageTable pt;
    pt.map_pages({ 0x100000, 0x101000, 0x3000000, 0x3001000, 0x500000 });

    PhysChunk first {};
    CHECK(single(pt, 0, 2 * PAGE, limits(0xFFFFFF), &first) == BounceReason::None);
    CHECK(first.phys == 0x100000);
    CHECK(first.length == 2 * PAGE);

    SECTION("above the mask") {
        CHECK(single(pt, 2 * PAGE, 2 * PAGE, limits(0xFFFFFF)) == BounceReason::AboveMask);
        CHECK(single(pt, 2 * PAGE, 2 * PAGE, limits(0xFFFFFFFF)) == BounceReason::None);
        // The last byte decides: a buffer ending exactly at the mask is reachable.
        FakePageTable edge;
        edge.map(VBASE, 0xFFF000);
        CHECK(single(edge, 0, PAGE, limits(0xFFFFFF)) == BounceReason::None);
    }
    SECTION("crossing the boundary") {
        FakePageTable b;
        b.map_pages({ 0x10F000, 0x110000 });   // contiguous, straddling 0x110000
        CHECK(single(b, 0x800, PAGE, limits(~0ull, 0x10000)) == BounceReason::CrossesBoundary);
        CHECK(single(b, 0, PAGE, limits(~0ull, 0x10000)) == BounceReason::None);   // ends on the line
        CHECK(single(b, 0x800, PAGE, limits(~0ull, 0)) == BounceReason::None);
    }
    SECTION("physically discontiguous") {
        CHECK(single(pt, PAGE, 2 * PAGE, limits(~0ull)) == BounceReason::Discontiguous);
        CHECK(single(pt, PAGE + 0x800, 0x800, limits(~0ull)) == BounceReason::None);   // one page
    }
    SECTION("misaligned start") {
        CHECK(single(pt, 2, 64, limits(~0ull, 0, 0, 4)) == BounceReason::Misaligned);
        CHECK(single(pt, 4, 64, limits(~0ull, 0, 0, 4)) == BounceReason::None);
    }
    SECTION("reasons combine") {
        BounceReason r = single(pt, PAGE, 2 * PAGE + 2, limits(0xFFFFFF, 0, 0, 2));
        CHECK(has(r, BounceReason::Discontiguous | BounceReason::AboveMask));
        CHECK_FALSE(has(r, BounceReason::Misaligned));
    }
}

TEST_CASE("planning fails cleanly on unmapped memory and empty buffers", "[dma][plan]")
{
    FakePageTable pt;
    pt.map_pages({ 0x100000 });
    PhysChunk chunk {};
    auto result = io::plan_single(VBASE, 2 * PAGE, pt.translator(), limits(~0ull), chunk);
    REQUIRE(result.is_error());
    CHECK(result.error().code() == ENOENT);
    CHECK(io::plan_single(VBASE, 0, pt.translator(), limits(~0ull), chunk).is_error());
    CHECK(io::plan_segments(VBASE, 0, pt.translator(), limits(~0ull), nullptr, 0).is_error());
    CHECK(io::plan_segments(VBASE, 16, pt.translator(), limits(~0ull, 3000), nullptr, 0).is_error());   // not 2^n
}

TEST_CASE("scatter-gather splits at page discontinuities", "[dma][plan]")
{
    FakePageTable pt;
    pt.map_pages({ 0x300000, 0x100000, 0x101000, 0x200000 });
    auto segs = segments(pt, 0x100, 4 * PAGE - 0x200, limits(~0ull));
    REQUIRE(segs.size() == 3);
    CHECK(segs[0].bus_address == 0x300100);
    CHECK(segs[0].length == PAGE - 0x100);
    CHECK(segs[1].bus_address == 0x100000);
    CHECK(segs[1].length == 2 * PAGE);   // two contiguous pages make one segment
    CHECK(segs[1].buffer_offset == PAGE - 0x100);
    CHECK(segs[2].bus_address == 0x200000);
    CHECK(segs[2].length == PAGE - 0x100);
    u64 total = 0;
    for (auto const& s : segs) {
        CHECK(s.bounce == BounceReason::None);
        CHECK(s.cpu_phys == s.bus_address);
        total += s.length;
    }
    CHECK(total == 4 * PAGE - 0x200);
}

TEST_CASE("scatter-gather splits at the boundary and the maximum segment size", "[dma][plan]")
{
    FakePageTable pt;
    std::vector<u64> phys;
    for (u64 i = 0; i < 40; ++i)
        phys.push_back(0x1F0000 + i * PAGE);   // contiguous, crossing 0x200000 and 0x210000
    pt.map_pages(phys);

    auto segs = segments(pt, 0, 40 * PAGE, limits(~0ull, 0x10000));
    REQUIRE(segs.size() == 3);   // 0x1F0000-0x1FFFFF, 0x200000-0x20FFFF, 0x210000-0x217FFF
    CHECK(segs[0].bus_address == 0x1F0000);
    CHECK(segs[0].length == 0x10000);
    CHECK(segs[1].bus_address == 0x200000);
    CHECK(segs[1].buffer_offset == 0x10000);
    CHECK(segs[2].bus_address == 0x210000);
    CHECK(segs[2].length == 0x8000);
    for (auto const& s : segs)
        CHECK_FALSE(io::dma_crosses_boundary(s.bus_address, s.length, 0x10000));

    auto capped = segments(pt, 0, 40 * PAGE, limits(~0ull, 0x10000, 0x6000));
    for (auto const& s : capped) {
        CHECK(s.length <= 0x6000);
        CHECK_FALSE(io::dma_crosses_boundary(s.bus_address, s.length, 0x10000));
    }
    CHECK(capped.size() == 8);   // 64 KiB lines: 0x6000 + 0x6000 + 0x4000 twice, then 0x6000 + 0x2000
}

TEST_CASE("scatter-gather marks unreachable and misaligned segments for bouncing", "[dma][plan]")
{
    FakePageTable pt;
    pt.map_pages({ 0x100000, 0x2000000, 0x101000 });
    auto segs = segments(pt, 0, 3 * PAGE, limits(0xFFFFFF));
    REQUIRE(segs.size() == 3);
    CHECK(segs[0].bounce == BounceReason::None);
    CHECK(segs[1].bounce == BounceReason::AboveMask);
    CHECK(segs[1].bounced());
    CHECK(segs[2].bounce == BounceReason::None);

    auto odd = segments(pt, 1, PAGE, limits(~0ull, 0, 0, 4));
    CHECK(odd[0].bounce == BounceReason::Misaligned);
}

TEST_CASE("plan_segments counts with capacity 0 and never overruns the output", "[dma][plan]")
{
    FakePageTable pt;
    pt.map_pages({ 0x100000, 0x300000, 0x500000, 0x700000 });
    auto count = io::plan_segments(VBASE, 4 * PAGE, pt.translator(), limits(~0ull), nullptr, 0);
    REQUIRE(count.value() == 4);
    DmaSegment two[2] {};
    auto partial = io::plan_segments(VBASE, 4 * PAGE, pt.translator(), limits(~0ull), two, 2);
    CHECK(partial.value() == 4);
    CHECK(two[1].bus_address == 0x300000);
}

TEST_CASE("bounce pool: first fit within mask, boundary and alignment", "[dma][bounce]")
{
    BouncePool pool;
    pool.init(0xF00000, 2 * MiB);   // straddles 16 MiB: half of it is above a 24-bit mask
    CHECK(pool.size() == 1 * MiB);   // capped at MAX_SLOTS
    CHECK(pool.free_bytes() == 1 * MiB);

    auto a = pool.allocate(3000, limits(~0ull));
    REQUIRE(a.value() == 0xF00000);
    auto b = pool.allocate(100, limits(~0ull));
    CHECK(b.value() == 0xF00000 + 2 * BouncePool::SLOT_SIZE);   // 3000 bytes took two slots
    CHECK(pool.free_bytes() == 1 * MiB - 3 * BouncePool::SLOT_SIZE);

    SECTION("boundary: skips to the next line instead of straddling it") {
        // The first free slot is 0xF01800; 60 KiB from there would cross 0xF10000.
        auto big = pool.allocate(0xF000, limits(~0ull, 0x10000));
        REQUIRE_FALSE(big.is_error());
        CHECK(big.value() == 0xF10000);
        auto small = pool.allocate(0x800, limits(~0ull, 0x10000));
        CHECK(small.value() == 0xF01800);   // the gap before the line is still used
        CHECK(pool.allocate(0x10001, limits(~0ull, 0x10000)).error().code() == EINVAL);
    }
    SECTION("alignment above the slot size") {
        auto aligned = pool.allocate(64, limits(~0ull, 0, 0, 0x4000));
        CHECK(aligned.value() == 0xF04000);
    }
    SECTION("mask: slots above it are never used") {
        BouncePool high;
        high.init(0xFF8000, 0x10000);   // 32 KiB below 16 MiB, 32 KiB above
        auto fits = high.allocate(0x8000, limits(0xFFFFFF));
        CHECK(fits.value() == 0xFF8000);
        CHECK(high.allocate(1, limits(0xFFFFFF)).error().code() == ENOMEM);
        CHECK(high.allocate(1, limits(~0ull)).value() == 0x1000000);
    }
    SECTION("exhaustion and reuse") {
        pool.free(a.value(), 3000);
        pool.free(b.value(), 100);
        auto all = pool.allocate(1 * MiB, limits(~0ull));
        REQUIRE(all.value() == 0xF00000);
        CHECK(pool.free_bytes() == 0);
        CHECK(pool.allocate(1, limits(~0ull)).error().code() == ENOMEM);
        pool.free(all.value(), 1 * MiB);
        CHECK(pool.allocate(1, limits(~0ull)).value() == 0xF00000);
    }
    SECTION("freeing twice or outside the pool is a VERIFY failure") {
        pool.free(b.value(), 100);
        REQUIRE_VERIFY_FAILS(pool.free(b.value(), 100));
        REQUIRE_VERIFY_FAILS(pool.free(0x100000, 100));
    }
}
