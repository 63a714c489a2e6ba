// Host tests for the physical frame allocator core (kernel/mm/frame_allocator.cpp) over fake
// memory maps shaped like QEMU's.
#include "support.h"
#include "../../kernel/mm/frame_allocator.h"
#include <algorithm>
#include <set>
#include <vector>

using mm::FrameAllocator;
using mm::PhysRange;

namespace {

constexpr u64 FRAME = 4096;

// QEMU q35 with 64 MiB below 4 GiB plus 16 MiB above: low RAM, the EBDA/BIOS holes, ACPI
// tables at the top of low RAM, the ECAM window, and high RAM at 4 GiB.
std::vector<MemoryRegion> qemu_like_map()
{
    return {
        { 0, 0x9fc00, MemoryType::Usable },
        { 0x9fc00, 0x400, MemoryType::Reserved },
        { 0xf0000, 0x10000, MemoryType::Reserved },
        { 1 * MiB, 63 * MiB - 128 * KiB, MemoryType::Usable },
        { 64 * MiB - 128 * KiB, 128 * KiB, MemoryType::Reserved },
        { 0xb0000000, 256 * MiB, MemoryType::Reserved },
        { 4 * GiB, 16 * MiB, MemoryType::Usable },
    };
}

struct Fixture {
    std::vector<MemoryRegion> map = qemu_like_map();
    std::vector<PhysRange> reserved { { 0, 1 * MiB }, { 1 * MiB, 2 * MiB + 100 } };   // low memory, "kernel"
    std::vector<u64> storage;
    FrameAllocator allocator;

    Fixture() { init(); }

    void init()
    {
        u64 end = FrameAllocator::usable_end(map.data(), map.size());
        storage.assign(FrameAllocator::storage_bytes_for(end) / 8 + 1, 0xdeadbeef);
        auto result = allocator.initialize(map.data(), map.size(), reserved.data(), reserved.size(),
            storage.data(), storage.size() * 8);
        REQUIRE_FALSE(result.is_error());
    }

    bool in_reserved(u64 phys) const
    {
        for (auto r : reserved)
            if (phys + FRAME > r.start && phys < r.end)
                return true;
        return false;
    }

    bool in_usable(u64 phys) const
    {
        for (auto const& r : map)
            if (r.type == MemoryType::Usable && phys >= r.base && phys + FRAME <= r.base + r.length)
                return true;
        return false;
    }
};

// Every frame of the fixture's map that the allocator may hand out.
u64 expected_managed_frames()
{
    u64 low = 0;                                      // [0, 0x9f000) is all below 1 MiB: reserved
    u64 main = (64 * MiB - 128 * KiB - 2 * MiB - FRAME) / FRAME;   // the "kernel" ends at 2 MiB + 100: rounded up
    u64 high = 16 * MiB / FRAME;
    return low + main + high;
}

}

TEST_CASE("frames: statistics after initialisation", "[mm][frames]")
{
    Fixture f;
    auto s = f.allocator.stats();
    u64 total = 0x9f000 / FRAME + (63 * MiB - 128 * KiB) / FRAME + 16 * MiB / FRAME;
    CHECK(s.total_frames == total);
    CHECK(s.free_frames == expected_managed_frames());
    CHECK(s.used_frames == 0);
    CHECK(s.reserved_frames == total - expected_managed_frames());
    CHECK(s.zones[u8(mm::Zone::Dma)].managed_frames == (16 * MiB - 2 * MiB - FRAME) / FRAME);
    CHECK(s.zones[u8(mm::Zone::Dma32)].managed_frames == (48 * MiB - 128 * KiB) / FRAME);
    CHECK(s.zones[u8(mm::Zone::High)].managed_frames == 16 * MiB / FRAME);
}

TEST_CASE("frames: exhaustion gives ENOMEM, nothing twice, reservations honoured", "[mm][frames]")
{
    Fixture f;
    u64 expected = f.allocator.stats().free_frames;
    std::set<u64> seen;
    for (;;) {
        auto frame = f.allocator.alloc_frame();
        if (frame.is_error()) {
            CHECK(frame.error().code() == ENOMEM);
            break;
        }
        u64 phys = frame.value();
        REQUIRE(phys % FRAME == 0);
        REQUIRE(seen.insert(phys).second);   // never handed out twice
        REQUIRE_FALSE(f.in_reserved(phys));
        REQUIRE(f.in_usable(phys));
        REQUIRE(seen.size() <= expected);
    }
    CHECK(seen.size() == expected);
    CHECK(f.allocator.stats().free_frames == 0);
    CHECK(f.allocator.stats().used_frames == expected);
    CHECK(f.allocator.alloc_contiguous(1, FRAME, ~u64(0)).error().code() == ENOMEM);

    for (u64 phys : seen)
        REQUIRE_FALSE(f.allocator.free_frame(phys).is_error());
    auto s = f.allocator.stats();
    CHECK(s.free_frames == expected);
    CHECK(s.used_frames == 0);
    for (auto const& zone : s.zones)
        CHECK(zone.free_frames == zone.managed_frames);
}

TEST_CASE("frames: low memory is used last", "[mm][frames]")
{
    Fixture f;
    u64 first = f.allocator.alloc_frame().value();
    CHECK(first >= mm::ZONE_DMA_LIMIT);
    // Drain everything above 16 MiB; only then does the Dma zone give frames.
    u64 above = f.allocator.stats().zones[1].free_frames + f.allocator.stats().zones[2].free_frames;
    for (u64 i = 0; i < above; ++i)
        REQUIRE(f.allocator.alloc_frame().value() >= mm::ZONE_DMA_LIMIT);
    CHECK(f.allocator.alloc_frame().value() < mm::ZONE_DMA_LIMIT);
}

TEST_CASE("frames: a freed frame is reused", "[mm][frames]")
{
    Fixture f;
    std::vector<u64> all;
    for (;;) {
        auto frame = f.allocator.alloc_frame();
        if (frame.is_error())
            break;
        all.push_back(frame.value());
    }
    u64 victim = all[all.size() / 2];
    REQUIRE_FALSE(f.allocator.free_frame(victim).is_error());
    CHECK(f.allocator.is_free(victim));
    CHECK(f.allocator.alloc_frame().value() == victim);
    CHECK(f.allocator.alloc_frame().error().code() == ENOMEM);
}

TEST_CASE("frames: double free and bad frees are detected and change nothing", "[mm][frames]")
{
    Fixture f;
    u64 phys = f.allocator.alloc_frame().value();
    REQUIRE_FALSE(f.allocator.free_frame(phys).is_error());
    auto before = f.allocator.stats();

    CHECK(f.allocator.free_frame(phys).error().code() == EALREADY);          // double free
    CHECK(f.allocator.free_frame(1 * MiB + FRAME).error().code() == EINVAL);  // reserved (kernel)
    CHECK(f.allocator.free_frame(0).error().code() == EINVAL);                // low memory
    CHECK(f.allocator.free_frame(0xb0000000).error().code() == EINVAL);       // hole (ECAM)
    CHECK(f.allocator.free_frame(64 * GiB).error().code() == EINVAL);         // beyond RAM
    CHECK(f.allocator.free_frame(phys + 8).error().code() == EINVAL);         // misaligned

    // A run with one bad frame in it is rejected as a whole.
    u64 run = f.allocator.alloc_contiguous(4, FRAME, ~u64(0)).value();
    REQUIRE_FALSE(f.allocator.free_frame(run + 2 * FRAME).is_error());
    CHECK(f.allocator.free_contiguous(run, 4).error().code() == EALREADY);
    CHECK_FALSE(f.allocator.is_free(run));
    CHECK(f.allocator.free_contiguous(run, 0).error().code() == EINVAL);

    auto after = f.allocator.stats();
    CHECK(after.free_frames == before.free_frames - 3);
}

TEST_CASE("frames: contiguous, aligned, below a limit", "[mm][frames]")
{
    Fixture f;
    SECTION("DMA below 16 MiB with 64 KiB alignment")
    {
        u64 phys = f.allocator.alloc_contiguous(16, 64 * KiB, 16 * MiB).value();
        CHECK(phys % (64 * KiB) == 0);
        CHECK(phys + 16 * FRAME <= 16 * MiB);
        for (u64 i = 0; i < 16; ++i) {
            CHECK_FALSE(f.allocator.is_free(phys + i * FRAME));
            CHECK_FALSE(f.in_reserved(phys + i * FRAME));
        }
        u64 second = f.allocator.alloc_contiguous(16, 64 * KiB, 16 * MiB).value();
        CHECK((second >= phys + 16 * FRAME || second + 16 * FRAME <= phys));
        REQUIRE_FALSE(f.allocator.free_contiguous(phys, 16).is_error());
        REQUIRE_FALSE(f.allocator.free_contiguous(second, 16).is_error());
        CHECK(f.allocator.stats().used_frames == 0);
    }
    SECTION("2 MiB aligned block")
    {
        u64 phys = f.allocator.alloc_contiguous(512, 2 * MiB, 4 * GiB).value();
        CHECK(phys % (2 * MiB) == 0);
        CHECK(phys == 4 * MiB);   // the lowest fit: the frame at 2 MiB belongs to the "kernel"
    }
    SECTION("above 4 GiB only when the limit allows")
    {
        CHECK(f.allocator.alloc_contiguous(4096, 1 * GiB, ~u64(0)).value() == 4 * GiB);
        CHECK(f.allocator.alloc_contiguous(1, FRAME, 4 * GiB).value() < 4 * GiB);
    }
    SECTION("impossible requests")
    {
        CHECK(f.allocator.alloc_contiguous(0, FRAME, 16 * MiB).error().code() == EINVAL);
        CHECK(f.allocator.alloc_contiguous(1, 3 * FRAME, 16 * MiB).error().code() == EINVAL);
        CHECK(f.allocator.alloc_contiguous(1, FRAME, 1 * MiB).error().code() == ENOMEM);
        CHECK(f.allocator.alloc_contiguous(32 * MiB / FRAME, FRAME, 16 * MiB).error().code() == ENOMEM);
        CHECK(f.allocator.alloc_contiguous(~usize(0), FRAME, ~u64(0)).error().code() == ENOMEM);
        CHECK(f.allocator.stats().used_frames == 0);
    }
    SECTION("fragmentation defeats contiguity but not single frames")
    {
        // Take every frame below 16 MiB, then free every other one.
        std::vector<u64> low;
        for (;;) {
            auto run = f.allocator.alloc_contiguous(1, FRAME, 16 * MiB);
            if (run.is_error())
                break;
            low.push_back(run.value());
        }
        for (usize i = 0; i < low.size(); i += 2)
            REQUIRE_FALSE(f.allocator.free_frame(low[i]).is_error());
        CHECK(f.allocator.alloc_contiguous(2, FRAME, 16 * MiB).error().code() == ENOMEM);
        CHECK_FALSE(f.allocator.alloc_contiguous(1, FRAME, 16 * MiB).is_error());
    }
}

TEST_CASE("frames: reservations and overlapping firmware regions", "[mm][frames]")
{
    Fixture f;
    f.map.push_back({ 10 * MiB, 3 * FRAME, MemoryType::AcpiNvs });   // overlaps Usable RAM
    f.init();
    for (u64 phys = 10 * MiB; phys < 10 * MiB + 3 * FRAME; phys += FRAME)
        CHECK_FALSE(f.allocator.is_managed(phys));
    CHECK(f.allocator.is_managed(10 * MiB + 3 * FRAME));

    u64 phys = f.allocator.alloc_frame().value();
    CHECK(f.allocator.reserve({ phys, phys + FRAME }).error().code() == EBUSY);
    u64 before = f.allocator.stats().free_frames;
    REQUIRE_FALSE(f.allocator.reserve({ 20 * MiB, 20 * MiB + 5 * FRAME }).is_error());
    CHECK(f.allocator.stats().free_frames == before - 5);
    CHECK(f.allocator.free_frame(20 * MiB).error().code() == EINVAL);
}

TEST_CASE("frames: find_free_range avoids reservations and respects the limit", "[mm][frames]")
{
    auto map = qemu_like_map();
    std::vector<PhysRange> reserved { { 0, 1 * MiB }, { 1 * MiB, 2 * MiB + 1 }, { 3 * MiB, 4 * MiB } };
    u64 at = FrameAllocator::find_free_range(map.data(), map.size(), reserved.data(), reserved.size(), 2 * MiB, 4 * GiB).value();
    CHECK(at == 4 * MiB);   // 2 MiB+4K .. 3 MiB is too small
    u64 small = FrameAllocator::find_free_range(map.data(), map.size(), reserved.data(), reserved.size(), 8 * KiB, 4 * GiB).value();
    CHECK(small == 2 * MiB + FRAME);
    CHECK(FrameAllocator::find_free_range(map.data(), map.size(), reserved.data(), reserved.size(), 2 * MiB, 4 * MiB)
              .error().code() == ENOMEM);
    reserved.push_back({ 4 * MiB, 64 * MiB });
    CHECK(FrameAllocator::find_free_range(map.data(), map.size(), reserved.data(), reserved.size(), 16 * MiB, 4 * GiB)
              .error().code() == ENOMEM);
    CHECK(FrameAllocator::find_free_range(map.data(), map.size(), reserved.data(), reserved.size(), 16 * MiB, ~u64(0))
              .value() == 4 * GiB);
}

TEST_CASE("frames: initialisation rejects bad input", "[mm][frames]")
{
    FrameAllocator allocator;
    std::vector<MemoryRegion> none { { 0, 1 * MiB, MemoryType::Reserved } };
    u64 word = 0;
    CHECK(allocator.initialize(none.data(), none.size(), nullptr, 0, &word, 8).error().code() == EINVAL);
    auto map = qemu_like_map();
    CHECK(allocator.initialize(map.data(), map.size(), nullptr, 0, &word, 8).error().code() == EINVAL);
}
