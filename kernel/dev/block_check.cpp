// Checking block requests before a driver sees them (include/kernel/dev/blockdev.h). Portable:
// also built into the host unit tests (tests/unit/dev_block_check_test.cpp).
//
// Every rule here protects a driver from a caller's mistake that would otherwise become a DMA
// past a buffer or a write to the wrong sector. Integer overflow gets the same care as a plain
// out-of-range sector: sector + count is compared without ever being computed when it could wrap.
#include <kernel/dev/blockdev.h>
#include <kstd/enforce.h>

namespace dev {

char const* op_name(BlockOp op)
{
    switch (op) {
    case BlockOp::Read:
        return "read";
    case BlockOp::Write:
        return "write";
    case BlockOp::Flush:
        return "flush";
    }
    return "?";
}

ErrorOr<void> BlockRequest::result() const
{
    if (core.status != 0)
        return Error::from_errno(core.status);
    return {};
}

}

namespace blockdev {

namespace {

constexpr bool is_power_of_two(u64 value) { return value != 0 && (value & (value - 1)) == 0; }

ErrorOr<void> check_transfer(BlockGeometry const& geometry, BlockRequest const& request)
{
    if (request.count == 0)
        return Error::from_errno(EINVAL);
    if (geometry.max_sectors != 0 && request.count > geometry.max_sectors)
        return Error::from_errno(EINVAL);
    if (request.buffer.size() != u64(request.count) * geometry.sector_size)
        return Error::from_errno(EINVAL);
    if (reinterpret_cast<uptr>(request.buffer.data()) % geometry.buffer_alignment != 0)
        return Error::from_errno(EINVAL);
    // sector + count <= sector_count, written so that it cannot overflow.
    if (request.sector >= geometry.sector_count || request.count > geometry.sector_count - request.sector)
        return Error::from_errno(EINVAL);
    if (request.op == BlockOp::Write && geometry.read_only)
        return Error::from_errno(EROFS);
    return {};
}

}

ErrorOr<void> check_geometry(BlockGeometry const& geometry)
{
    if (!is_power_of_two(geometry.sector_size) || geometry.sector_size < 512 || geometry.sector_size > 4096)
        return Error::from_errno(EINVAL);
    if (geometry.sector_count == 0 || !is_power_of_two(geometry.buffer_alignment))
        return Error::from_errno(EINVAL);
    // Byte offsets through devfs must fit in 63 bits.
    if (geometry.sector_count > u64(INT64_MAX) / geometry.sector_size)
        return Error::from_errno(EINVAL);
    return {};
}

ErrorOr<void> check_request(BlockGeometry const& geometry, BlockRequest const& request)
{
    switch (request.op) {
    case BlockOp::Read:
    case BlockOp::Write:
        return check_transfer(geometry, request);
    case BlockOp::Flush:
        if (request.sector != 0 || request.count != 0 || !request.buffer.empty())
            return Error::from_errno(EINVAL);
        return {};
    }
    return Error::from_errno(EINVAL);
}

}
