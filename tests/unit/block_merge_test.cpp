// Merging adjacent requests into one command (kernel/block/merge.cpp): when two requests may
// merge, the limits (sectors, segments, segment size, boundary), and the buffers of the result.
#include "support.h"
#include <kernel/block/merge.h>
#include <vector>

using namespace block;
using dev::BlockOp;
using dev::BlockRequest;
using dev::BlockSegment;

namespace {

alignas(65536) u8 g_memory[256 * 1024];

QueueLimits limits(u32 max_sectors = 256, u32 max_segments = 8)
{
    dev::BlockGeometry geometry { .sector_size = 512, .sector_count = 1000, .max_sectors = max_sectors,
        .max_segments = max_segments };
    return limits_of(geometry);
}

// A request for `count` sectors at `sector` whose buffer starts `offset` bytes into g_memory.
void make(BlockRequest& request, BlockOp op, u64 sector, u32 count, usize offset)
{
    request.op = op;
    request.sector = sector;
    request.count = count;
    request.buffer = Bytes(g_memory + offset, count * 512u);
}

std::vector<std::pair<usize, u32>> layout(QueueEntry const& entry, QueueLimits const& limits)
{
    BlockSegment segments[32];
    usize count = build_segments(entry, limits, segments, 32);
    std::vector<std::pair<usize, u32>> out;
    for (usize i = 0; i < count && i < 32; ++i)
        out.emplace_back(usize(segments[i].data - g_memory), segments[i].length);
    return out;
}

}

TEST_CASE("limits: zeros become the defaults", "[block][merge]")
{
    QueueLimits resolved = limits_of(dev::BlockGeometry { .sector_size = 512, .sector_count = 8 });
    CHECK(resolved.max_sectors == DEFAULT_MAX_COMMAND_SECTORS);
    CHECK(resolved.max_segments == 1);
    CHECK(resolved.depth == 1);
    CHECK(resolved.segment_boundary == 0);
}

TEST_CASE("a request continuing an entry merges at its back; buffers far apart stay two segments", "[block][merge]")
{
    QueueLimits l = limits();
    BlockRequest a, b;
    make(a, BlockOp::Write, 100, 8, 0);
    make(b, BlockOp::Write, 108, 8, 64 * 1024);
    start_entry(a, l);
    start_entry(b, l);
    REQUIRE(can_back_merge(a.core.entry, b, l));
    CHECK_FALSE(can_front_merge(a.core.entry, b, l));
    back_merge(a.core.entry, b, l);
    QueueEntry const& e = a.core.entry;
    CHECK(e.sector == 100);
    CHECK(e.count == 16);
    CHECK(e.requests == 2);
    CHECK(e.segments == 2);
    CHECK(e.first == &a);
    CHECK(e.last == &b);
    CHECK(layout(e, l) == std::vector<std::pair<usize, u32>> { { 0, 4096 }, { 65536, 4096 } });
}

TEST_CASE("buffers adjacent in memory join into one segment", "[block][merge]")
{
    QueueLimits l = limits(256, 1);   // a driver that takes one buffer only
    BlockRequest a, b, c;
    make(a, BlockOp::Read, 0, 8, 0);
    make(b, BlockOp::Read, 8, 8, 4096);
    make(c, BlockOp::Read, 16, 8, 3 * 4096);   // a gap in memory
    start_entry(a, l);
    start_entry(b, l);
    start_entry(c, l);
    REQUIRE(can_back_merge(a.core.entry, b, l));
    back_merge(a.core.entry, b, l);
    CHECK(a.core.entry.segments == 1);
    CHECK(layout(a.core.entry, l) == std::vector<std::pair<usize, u32>> { { 0, 8192 } });
    CHECK_FALSE(can_back_merge(a.core.entry, c, l));   // would need a second buffer
}

TEST_CASE("a request ending where an entry starts merges at its front", "[block][merge]")
{
    QueueLimits l = limits();
    BlockRequest a, b;
    make(a, BlockOp::Read, 200, 4, 8192);
    make(b, BlockOp::Read, 196, 4, 0);
    start_entry(a, l);
    start_entry(b, l);
    a.core.entry.arrival_ns = 10;
    a.core.entry.deadline_ns = 110;
    b.core.entry.arrival_ns = 50;
    b.core.entry.deadline_ns = 150;
    REQUIRE(can_front_merge(a.core.entry, b, l));
    QueueEntry& merged = front_merge(a.core.entry, b, l);
    CHECK(&merged == &b.core.entry);
    CHECK(merged.sector == 196);
    CHECK(merged.count == 8);
    CHECK(merged.first == &b);
    CHECK(merged.last == &a);
    CHECK(merged.arrival_ns == 10);     // the older request's
    CHECK(merged.deadline_ns == 110);
    CHECK(merged.segments == 2);
    CHECK(layout(merged, l) == std::vector<std::pair<usize, u32>> { { 0, 2048 }, { 8192, 2048 } });
}

TEST_CASE("no merge across directions, gaps, overlaps or the driver's limits", "[block][merge]")
{
    QueueLimits l = limits(16, 2);
    BlockRequest a, b;
    make(a, BlockOp::Read, 100, 8, 0);
    start_entry(a, l);
    make(b, BlockOp::Write, 108, 8, 8192);
    CHECK_FALSE(can_back_merge(a.core.entry, b, l));   // a write after a read
    make(b, BlockOp::Read, 109, 4, 8192);
    CHECK_FALSE(can_back_merge(a.core.entry, b, l));   // a gap of one sector
    make(b, BlockOp::Read, 104, 8, 8192);
    CHECK_FALSE(can_back_merge(a.core.entry, b, l));   // overlapping
    make(b, BlockOp::Read, 108, 9, 8192);
    CHECK_FALSE(can_back_merge(a.core.entry, b, l));   // 17 sectors > 16
    make(b, BlockOp::Read, 108, 8, 8192);
    CHECK(can_back_merge(a.core.entry, b, l));         // exactly 16, two segments
    start_entry(b, l);
    back_merge(a.core.entry, b, l);
    BlockRequest c;
    make(c, BlockOp::Read, 116, 1, 65536);
    CHECK_FALSE(can_back_merge(a.core.entry, c, limits(64, 2)));   // a third segment
    CHECK(can_back_merge(a.core.entry, c, limits(64, 3)));
}

TEST_CASE("joined segments respect the maximum segment size and the boundary", "[block][merge]")
{
    dev::BlockGeometry geometry { .sector_size = 512, .sector_count = 1000, .max_segments = 4,
        .max_segment_size = 8192, .segment_boundary = 65536 };
    QueueLimits l = limits_of(geometry);
    BlockSegment first { g_memory, 4096 }, next { g_memory + 4096, 4096 }, third { g_memory + 8192, 512 };
    CHECK(buffers_join(first, next, l));
    CHECK_FALSE(buffers_join({ g_memory, 8192 }, third, l));   // 8704 > 8192
    BlockSegment before_boundary { g_memory + 65536 - 1024, 1024 }, after { g_memory + 65536, 1024 };
    CHECK_FALSE(buffers_join(before_boundary, after, l));       // would cross 64 KiB
    geometry.segment_boundary = 0;
    CHECK(buffers_join(before_boundary, after, limits_of(geometry)));
}

TEST_CASE("an entry reaching the next one can swallow it whole", "[block][merge]")
{
    QueueLimits l = limits();
    BlockRequest a, b, c;
    make(a, BlockOp::Write, 0, 8, 0);
    make(b, BlockOp::Write, 8, 8, 4096);
    make(c, BlockOp::Write, 16, 8, 8192);
    start_entry(a, l);
    start_entry(b, l);
    start_entry(c, l);
    back_merge(b.core.entry, c, l);
    c.core.entry.arrival_ns = 0;
    b.core.entry.arrival_ns = 5;
    b.core.entry.deadline_ns = 7;
    a.core.entry.arrival_ns = 9;
    a.core.entry.deadline_ns = 99;
    REQUIRE(can_join_entries(a.core.entry, b.core.entry, l));
    join_entries(a.core.entry, b.core.entry, l);
    CHECK(a.core.entry.count == 24);
    CHECK(a.core.entry.requests == 3);
    CHECK(a.core.entry.segments == 1);   // all three buffers are adjacent
    CHECK(a.core.entry.arrival_ns == 5);
    CHECK(a.core.entry.deadline_ns == 7);
    CHECK(a.core.entry.last == &c);
    CHECK(b.core.entry.requests == 0);
}

TEST_CASE("a scatter-gather request counts its own buffers", "[block][merge]")
{
    QueueLimits l = limits(256, 4);
    BlockSegment parts[3] = { { g_memory, 1024 }, { g_memory + 1024, 512 }, { g_memory + 16384, 512 } };
    BlockRequest request;
    request.op = BlockOp::Read;
    request.sector = 0;
    request.count = 4;
    request.segments = parts;
    start_entry(request, l);
    CHECK(request.segment_count() == 3);
    CHECK(request.core.entry.segments == 2);   // the first two are adjacent
    CHECK(layout(request.core.entry, l) == std::vector<std::pair<usize, u32>> { { 0, 1536 }, { 16384, 512 } });
}
