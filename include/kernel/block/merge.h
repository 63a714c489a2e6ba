#pragma once
// Merging: when may a request join a queued entry, and which buffers does the merged command
// carry (docs/block-devices.md, "Merging"). Portable (host-tested).
//
// Two requests merge when they go the same way and the second starts at the sector where the
// first ends: a back merge appends the new request to an entry, a front merge puts it before
// one. The merged command must still fit the driver's limits: at most max_sectors sectors, and
// at most max_segments buffers once each pair of buffers that are adjacent in memory is counted
// as one (unless joining them would exceed max_segment_size or cross segment_boundary).
// Context: any. Locking: the request queue's lock.
#include <kernel/block/queue_entry.h>
#include <kernel/dev/blockdev.h>
#include <kstd/types.h>

namespace block {

// A merged command's size when the driver states none: 1 MiB of 512-byte sectors.
inline constexpr u32 DEFAULT_MAX_COMMAND_SECTORS = 2048;

// The geometry's queue limits with the defaults filled in (no zeros left).
struct QueueLimits {
    u32 sector_size;
    u32 max_sectors;        // per command
    u32 max_segments;       // buffers per command, at least 1
    u32 max_segment_size;   // bytes, 0 = none
    u32 segment_boundary;   // bytes, 0 = none
    u32 depth;              // commands the driver holds at once, at least 1
};
QueueLimits limits_of(dev::BlockGeometry const& geometry);

// Can the buffer `second` continue `first` as one segment?
bool buffers_join(dev::BlockSegment first, dev::BlockSegment second, QueueLimits const& limits);

// Makes `request` an entry of its own (sector, count, op, first = last = request); the caller
// stamps its arrival (SchedulerQueue::stamp).
void start_entry(dev::BlockRequest& request, QueueLimits const& limits);

// Does `request` fit after `entry` (back) or before it (front) within the limits?
bool can_back_merge(QueueEntry const& entry, dev::BlockRequest const& request, QueueLimits const& limits);
bool can_front_merge(QueueEntry const& entry, dev::BlockRequest const& request, QueueLimits const& limits);
// Can entry `second` be appended to `first` as a whole?
bool can_join_entries(QueueEntry const& first, QueueEntry const& second, QueueLimits const& limits);

// Appends `request` to `entry` (the caller checked can_back_merge).
void back_merge(QueueEntry& entry, dev::BlockRequest& request, QueueLimits const& limits);
// Makes `request` the start of a new entry that carries it and then everything `old` carried,
// and returns that entry (inside `request`); `old` is left unused. The caller checked
// can_front_merge and has taken `old` off the lists.
QueueEntry& front_merge(QueueEntry& old, dev::BlockRequest& request, QueueLimits const& limits);
// Appends all of `second` to `first` (the caller checked can_join_entries and has taken
// `second` off the lists). Arrival and deadline become the earlier of the two.
void join_entries(QueueEntry& first, QueueEntry& second, QueueLimits const& limits);

// The buffers of the command for `entry`, adjacent ones joined: writes at most `capacity` of
// them to `out` and returns how many there are (entry.segments when capacity suffices).
usize build_segments(QueueEntry const& entry, QueueLimits const& limits, dev::BlockSegment* out, usize capacity);

}
