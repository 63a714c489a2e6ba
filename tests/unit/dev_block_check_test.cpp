// Block request checking (kernel/dev/block_check.cpp): what the core refuses before a driver
// sees a request, including the overflow cases, and which geometries a device may declare.
#include "support.h"
#include <kernel/dev/blockdev.h>
#include <cstdint>

using namespace dev;

namespace {

constexpr u64 SECTORS = 100;
alignas(64) u8 g_buffer[8 * 512];

BlockGeometry disk() { return { .sector_size = 512, .sector_count = SECTORS }; }

// The errno check_request answers for (op, sector, count, buffer), 0 for a valid request.
int check(BlockGeometry const& geometry, BlockOp op, u64 sector, u32 count, Bytes buffer)
{
    BlockRequest request { .op = op, .sector = sector, .count = count, .buffer = buffer };
    auto result = blockdev::check_request(geometry, request);
    return result.is_error() ? result.error().code() : 0;
}

Bytes sectors(u32 count, usize offset = 0) { return { g_buffer + offset, count * 512u }; }

}

TEST_CASE("requests inside the device pass", "[dev][block]")
{
    CHECK(check(disk(), BlockOp::Read, 0, 1, sectors(1)) == 0);
    CHECK(check(disk(), BlockOp::Write, SECTORS - 8, 8, sectors(8)) == 0);   // up to the last sector
    CHECK(check(disk(), BlockOp::Flush, 0, 0, {}) == 0);
}

TEST_CASE("requests past the end are refused, overflow included", "[dev][block]")
{
    CHECK(check(disk(), BlockOp::Read, SECTORS, 1, sectors(1)) == EINVAL);       // just past
    CHECK(check(disk(), BlockOp::Write, SECTORS - 1, 2, sectors(2)) == EINVAL);  // across the end
    CHECK(check(disk(), BlockOp::Read, UINT64_MAX, 1, sectors(1)) == EINVAL);
    CHECK(check(disk(), BlockOp::Read, UINT64_MAX - 1, 4, sectors(4)) == EINVAL);   // sector + count wraps
}

TEST_CASE("malformed requests are refused", "[dev][block]")
{
    CHECK(check(disk(), BlockOp::Read, 0, 0, {}) == EINVAL);                      // nothing to do
    CHECK(check(disk(), BlockOp::Read, 0, 2, sectors(1)) == EINVAL);              // buffer too small
    CHECK(check(disk(), BlockOp::Read, 0, 1, sectors(2)) == EINVAL);              // buffer too large
    CHECK(check(disk(), BlockOp::Read, 0, 1, Bytes(g_buffer, 100)) == EINVAL);
    CHECK(check(disk(), BlockOp::Flush, 1, 0, {}) == EINVAL);                     // flush has no range
    CHECK(check(disk(), BlockOp::Flush, 0, 1, sectors(1)) == EINVAL);
    CHECK(check(disk(), BlockOp(9), 0, 1, sectors(1)) == EINVAL);                 // not an op
}

TEST_CASE("the device's alignment, request size limit and read-only flag are enforced", "[dev][block]")
{
    BlockGeometry geometry = disk();
    geometry.buffer_alignment = 4;
    CHECK(check(geometry, BlockOp::Read, 0, 1, sectors(1)) == 0);
    CHECK(check(geometry, BlockOp::Read, 0, 1, sectors(1, 2)) == EINVAL);   // buffer at +2

    geometry = disk();
    geometry.max_sectors = 4;
    CHECK(check(geometry, BlockOp::Read, 0, 4, sectors(4)) == 0);
    CHECK(check(geometry, BlockOp::Read, 0, 5, sectors(5)) == EINVAL);

    geometry = disk();
    geometry.read_only = true;
    CHECK(check(geometry, BlockOp::Read, 0, 1, sectors(1)) == 0);
    CHECK(check(geometry, BlockOp::Write, 0, 1, sectors(1)) == EROFS);
    CHECK(check(geometry, BlockOp::Write, SECTORS, 1, sectors(1)) == EINVAL);   // range first
}

TEST_CASE("a device may only declare a possible geometry", "[dev][block]")
{
    auto error_of = [](BlockGeometry geometry) {
        auto result = blockdev::check_geometry(geometry);
        return result.is_error() ? result.error().code() : 0;
    };
    CHECK(error_of(disk()) == 0);
    CHECK(error_of({ .sector_size = 4096, .sector_count = 1 }) == 0);
    CHECK(error_of({ .sector_size = 256, .sector_count = 1 }) == EINVAL);
    CHECK(error_of({ .sector_size = 1000, .sector_count = 1 }) == EINVAL);
    CHECK(error_of({ .sector_size = 8192, .sector_count = 1 }) == EINVAL);
    CHECK(error_of({ .sector_size = 512, .sector_count = 0 }) == EINVAL);
    CHECK(error_of({ .sector_size = 512, .sector_count = 1, .buffer_alignment = 3 }) == EINVAL);
    CHECK(error_of({ .sector_size = 512, .sector_count = UINT64_MAX / 256 }) == EINVAL);   // bytes > 2^63
}

TEST_CASE("a request reports the status it was completed with", "[dev][block]")
{
    BlockRequest request;
    CHECK_FALSE(request.is_complete());
    request.core.state = BlockRequest::State::Complete;
    request.core.status = EIO;
    CHECK(request.is_complete());
    REQUIRE(request.result().is_error());
    CHECK(request.result().error().code() == EIO);
    CHECK(std::string(op_name(BlockOp::Flush)) == "flush");
}

TEST_CASE("scatter-gather requests: whole sectors, within max_segments, adding up to count", "[dev][block]")
{
    BlockGeometry geometry = disk();
    geometry.max_segments = 2;
    auto check_segments = [&](u32 count, std::initializer_list<BlockSegment> list, Bytes buffer = {}) {
        BlockSegment parts[4];
        usize n = 0;
        for (BlockSegment const& segment : list)
            parts[n++] = segment;
        BlockRequest request { .op = BlockOp::Write, .sector = 0, .count = count, .buffer = buffer,
            .segments = Span<BlockSegment const>(parts, n) };
        auto result = blockdev::check_request(geometry, request);
        return result.is_error() ? result.error().code() : 0;
    };
    CHECK(check_segments(3, { { g_buffer, 1024 }, { g_buffer + 2048, 512 } }) == 0);
    CHECK(check_segments(3, { { g_buffer, 1024 }, { g_buffer + 2048, 1024 } }) == EINVAL);   // 4 sectors, not 3
    CHECK(check_segments(2, { { g_buffer, 1000 }, { g_buffer + 2048, 24 } }) == EINVAL);     // not whole sectors
    CHECK(check_segments(1, { { g_buffer, 512 }, { g_buffer + 512, 0 } }) == EINVAL);        // an empty one
    CHECK(check_segments(3, { { g_buffer, 512 }, { g_buffer + 512, 512 }, { g_buffer + 1024, 512 } }) == EINVAL);
    CHECK(check_segments(1, { { g_buffer, 512 } }, sectors(1)) == EINVAL);                   // both kinds
    CHECK(check_segments(1, { { nullptr, 512 } }) == EINVAL);
    geometry.buffer_alignment = 512;
    CHECK(check_segments(2, { { g_buffer, 512 }, { g_buffer + 1030, 512 } }) == EINVAL);     // misaligned
    geometry.buffer_alignment = 1;
    geometry.max_segments = 0;   // a driver that never heard of segments takes one
    CHECK(check_segments(1, { { g_buffer, 512 } }) == 0);
    CHECK(check_segments(2, { { g_buffer, 512 }, { g_buffer + 2048, 512 } }) == EINVAL);
    BlockRequest flush { .op = BlockOp::Flush };
    BlockSegment one { g_buffer, 512 };
    flush.segments = Span<BlockSegment const>(&one, 1);
    CHECK(blockdev::check_request(geometry, flush).is_error());
}

TEST_CASE("a request's buffers, whichever way they were given", "[dev][block]")
{
    BlockRequest single { .op = BlockOp::Read, .sector = 0, .count = 2, .buffer = sectors(2) };
    CHECK(single.segment_count() == 1);
    CHECK(single.segment(0).data == g_buffer);
    CHECK(single.segment(0).length == 1024);
    BlockSegment parts[2] = { { g_buffer, 512 }, { g_buffer + 4096, 512 } };
    BlockRequest gathered { .op = BlockOp::Read, .sector = 0, .count = 2, .segments = parts };
    CHECK(gathered.segment_count() == 2);
    CHECK(gathered.segment(1).data == g_buffer + 4096);
    BlockRequest flush { .op = BlockOp::Flush };
    CHECK(flush.segment_count() == 0);
}

TEST_CASE("queue limits a geometry may declare", "[dev][block]")
{
    BlockGeometry geometry = disk();
    geometry.segment_boundary = 65536;
    geometry.max_segment_size = 65536;
    CHECK_FALSE(blockdev::check_geometry(geometry).is_error());
    geometry.segment_boundary = 1000;   // not a power of two
    CHECK(blockdev::check_geometry(geometry).is_error());
    geometry.segment_boundary = 256;    // smaller than a sector
    CHECK(blockdev::check_geometry(geometry).is_error());
    geometry.segment_boundary = 0;
    geometry.max_segment_size = 100;
    CHECK(blockdev::check_geometry(geometry).is_error());
}
