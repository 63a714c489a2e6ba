#pragma once
// One entry of a disk's request queue: a request, or several adjacent ones merged into one
// command (docs/block-devices.md, "Merging"). The I/O schedulers see only entries: where on the
// disk (sector, count), which way (op), and when it arrived and must be served by (its deadline).
//
// An entry lives inside the BlockRequest that starts it (BlockRequest::core.entry), so queueing
// never allocates. The requests it carries are chained first -> ... -> last in sector order
// through BlockRequest::core.merged_next.
// Context: any. Locking: the request queue's lock guards every field while the entry is queued.
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace dev {
struct BlockRequest;
enum class BlockOp : u8;
}

namespace block {

struct QueueEntry {
    dev::BlockOp op {};
    u64 sector { 0 };        // first sector of the first request
    u32 count { 0 };         // sectors of all the merged requests together
    u64 arrival_ns { 0 };    // when its oldest request was submitted
    u64 deadline_ns { 0 };   // when its oldest request expires (the deadline scheduler's bound)

    // The requests carried, in sector order, and how many buffers they add up to once adjacent
    // buffers are joined (what the driver's max_segments limits).
    dev::BlockRequest* first { nullptr };
    dev::BlockRequest* last { nullptr };
    u32 requests { 0 };
    u32 segments { 0 };

    u64 end() const { return sector + count; }   // the sector just after the entry

    // On the scheduler queue's lists (kernel/block/scheduler_queue.cpp keeps them in order).
    IntrusiveListNode sort_link {};   // by sector
    IntrusiveListNode fifo_link {};   // by arrival, one list per direction
    // Or, instead, waiting behind a flush (the request queue's held list).
    IntrusiveListNode held_link {};
};

}
