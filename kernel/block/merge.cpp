// Merging adjacent requests into one command (include/kernel/block/merge.h). Portable: also
// built into the host unit tests.
//
// The segment count of a merged command is always recomputed by walking its buffers, the same
// way build_segments() lays them out, so the limit that is checked is exactly what the driver
// will get. Chains are short (a command holds at most max_segments buffers), so the walk is cheap.
#include <kernel/block/merge.h>
#include <kstd/enforce.h>

namespace block {

using dev::BlockRequest;
using dev::BlockSegment;

QueueLimits limits_of(dev::BlockGeometry const& geometry)
{
    return {
        .sector_size = geometry.sector_size,
        .max_sectors = geometry.max_sectors != 0 ? geometry.max_sectors : DEFAULT_MAX_COMMAND_SECTORS,
        .max_segments = geometry.max_segments > 1 ? geometry.max_segments : 1,
        .max_segment_size = geometry.max_segment_size,
        .segment_boundary = geometry.segment_boundary,
        .depth = geometry.queue_depth > 1 ? geometry.queue_depth : 1,
    };
}

bool buffers_join(BlockSegment first, BlockSegment second, QueueLimits const& limits)
{
    if (first.data + first.length != second.data)
        return false;
    u64 length = u64(first.length) + second.length;
    if (length > 0xFFFFFFFFu || (limits.max_segment_size != 0 && length > limits.max_segment_size))
        return false;
    if (limits.segment_boundary != 0) {
        uptr start = reinterpret_cast<uptr>(first.data);
        uptr boundary_mask = ~uptr(limits.segment_boundary - 1);
        if ((start & boundary_mask) != ((start + length - 1) & boundary_mask))
            return false;
    }
    return true;
}

namespace {

// Walks the buffers of one or two chains of requests (each ended by a null merged_next),
// joining adjacent ones, and calls emit(segment) for each resulting segment.
template<typename Emit>
void for_each_joined(BlockRequest const* chain, BlockRequest const* more, QueueLimits const& limits, Emit emit)
{
    BlockSegment pending {};
    for (BlockRequest const* part : { chain, more }) {
        for (BlockRequest const* request = part; request; request = request->core.merged_next) {
            for (usize i = 0; i < request->segment_count(); ++i) {
                BlockSegment next = request->segment(i);
                if (pending.length != 0 && buffers_join(pending, next, limits)) {
                    pending.length += next.length;
                    continue;
                }
                if (pending.length != 0)
                    emit(pending);
                pending = next;
            }
        }
    }
    if (pending.length != 0)
        emit(pending);
}

u32 count_joined(BlockRequest const* chain, BlockRequest const* more, QueueLimits const& limits)
{
    u32 count = 0;
    for_each_joined(chain, more, limits, [&count](BlockSegment) { ++count; });
    return count;
}

bool fits(u64 sectors, u32 segments, QueueLimits const& limits)
{
    return sectors <= limits.max_sectors && segments <= limits.max_segments;
}

}

void start_entry(BlockRequest& request, QueueLimits const& limits)
{
    QueueEntry& entry = request.core.entry;
    request.core.merged_next = nullptr;
    entry.op = request.op;
    entry.sector = request.sector;
    entry.count = request.count;
    entry.first = entry.last = &request;
    entry.requests = 1;
    entry.segments = count_joined(&request, nullptr, limits);   // its own adjacent buffers join too
}

bool can_back_merge(QueueEntry const& entry, BlockRequest const& request, QueueLimits const& limits)
{
    if (entry.op != request.op || entry.end() != request.sector || request.core.merged_next)
        return false;
    if (!fits(u64(entry.count) + request.count, 0, limits))
        return false;
    return fits(0, count_joined(entry.first, &request, limits), limits);
}

bool can_front_merge(QueueEntry const& entry, BlockRequest const& request, QueueLimits const& limits)
{
    if (entry.op != request.op || request.sector + request.count != entry.sector || request.core.merged_next)
        return false;
    if (!fits(u64(entry.count) + request.count, 0, limits))
        return false;
    // The request's merged_next is null, so walking it alone and then the entry's chain is
    // the merged command's layout.
    return fits(0, count_joined(&request, entry.first, limits), limits);
}

bool can_join_entries(QueueEntry const& first, QueueEntry const& second, QueueLimits const& limits)
{
    if (first.op != second.op || first.end() != second.sector)
        return false;
    if (!fits(u64(first.count) + second.count, 0, limits))
        return false;
    return fits(0, count_joined(first.first, second.first, limits), limits);
}

void back_merge(QueueEntry& entry, BlockRequest& request, QueueLimits const& limits)
{
    request.core.merged_next = nullptr;
    entry.last->core.merged_next = &request;
    entry.last = &request;
    entry.count += request.count;
    entry.requests += 1;
    entry.segments = count_joined(entry.first, nullptr, limits);
}

QueueEntry& front_merge(QueueEntry& old, BlockRequest& request, QueueLimits const& limits)
{
    QueueEntry& entry = request.core.entry;
    request.core.merged_next = old.first;
    entry.op = old.op;
    entry.sector = request.sector;
    entry.count = request.count + old.count;
    entry.arrival_ns = old.arrival_ns < entry.arrival_ns ? old.arrival_ns : entry.arrival_ns;
    entry.deadline_ns = old.deadline_ns < entry.deadline_ns ? old.deadline_ns : entry.deadline_ns;
    entry.first = &request;
    entry.last = old.last;
    entry.requests = old.requests + 1;
    entry.segments = count_joined(&request, nullptr, limits);
    old.first = old.last = nullptr;
    old.requests = old.count = old.segments = 0;
    return entry;
}

void join_entries(QueueEntry& first, QueueEntry& second, QueueLimits const& limits)
{
    first.last->core.merged_next = second.first;
    first.last = second.last;
    first.count += second.count;
    first.requests += second.requests;
    if (second.arrival_ns < first.arrival_ns)
        first.arrival_ns = second.arrival_ns;
    if (second.deadline_ns < first.deadline_ns)
        first.deadline_ns = second.deadline_ns;
    first.segments = count_joined(first.first, nullptr, limits);
    second.first = second.last = nullptr;
    second.requests = second.count = second.segments = 0;
}

usize build_segments(QueueEntry const& entry, QueueLimits const& limits, BlockSegment* out, usize capacity)
{
    usize count = 0;
    for_each_joined(entry.first, nullptr, limits, [&](BlockSegment segment) {
        if (count < capacity)
            out[count] = segment;
        ++count;
    });
    return count;
}

}
