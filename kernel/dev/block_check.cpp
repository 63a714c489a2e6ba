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

usize BlockRequest::segment_count() const
{
    if (!segments.empty())
        return segments.size();
    return buffer.empty() ? 0 : 1;
}

BlockSegment BlockRequest::segment(usize index) const
{
    VERIFY(index < segment_count());
    if (!segments.empty())
        return segments[index];
    return { buffer.data(), u32(buffer.size()) };
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

bool is_aligned(void const* address, u32 alignment) { return reinterpret_cast<uptr>(address) % alignment == 0; }

// The buffers: one `buffer`, or `segments` of whole sectors, adding up to count sectors.
ErrorOr<void> check_buffers(BlockGeometry const& geometry, BlockRequest const& request)
{
    u64 expected = u64(request.count) * geometry.sector_size;
    if (request.segments.empty()) {
        if (request.buffer.size() != expected || !is_aligned(request.buffer.data(), geometry.buffer_alignment))
            return Error::from_errno(EINVAL);
        return {};
    }
    u32 max_segments = geometry.max_segments > 1 ? geometry.max_segments : 1;
    if (!request.buffer.empty() || request.segments.size() > max_segments)
        return Error::from_errno(EINVAL);
    u64 total = 0;
    for (dev::BlockSegment const& segment : request.segments) {
        if (segment.length == 0 || segment.length % geometry.sector_size != 0 || !segment.data
            || !is_aligned(segment.data, geometry.buffer_alignment))
            return Error::from_errno(EINVAL);
        if (geometry.max_segment_size != 0 && segment.length > geometry.max_segment_size)
            return Error::from_errno(EINVAL);
        total += segment.length;
    }
    if (total != expected)
        return Error::from_errno(EINVAL);
    return {};
}

ErrorOr<void> check_transfer(BlockGeometry const& geometry, BlockRequest const& request)
{
    if (request.count == 0)
        return Error::from_errno(EINVAL);
    if (geometry.max_sectors != 0 && request.count > geometry.max_sectors)
        return Error::from_errno(EINVAL);
    TRY(check_buffers(geometry, request));
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
    // Queue limits: a boundary is a power of two no smaller than a sector; a segment size limit
    // and the largest command hold at least one sector.
    if (geometry.segment_boundary != 0
        && (!is_power_of_two(geometry.segment_boundary) || geometry.segment_boundary < geometry.sector_size))
        return Error::from_errno(EINVAL);
    if (geometry.max_segment_size != 0 && geometry.max_segment_size < geometry.sector_size)
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
        if (request.sector != 0 || request.count != 0 || !request.buffer.empty() || !request.segments.empty())
            return Error::from_errno(EINVAL);
        return {};
    }
    return Error::from_errno(EINVAL);
}

}
