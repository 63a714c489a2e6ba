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
