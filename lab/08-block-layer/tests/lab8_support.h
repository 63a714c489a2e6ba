#pragma once
// Lab 8 in-kernel tests: running request sets through ram0's queue and reading back what the
// driver saw (its dispatch log). Shared by the scheduler and cache tests.
#include <kernel/block/queue.h>
#include <kernel/dev/blockdev.h>
#include <kernel/test.h>
#include <kstd/types.h>

namespace lab8 {

using dev::BlockDevice;
using dev::BlockOp;
using dev::BlockRequest;

// ram0, with the builtin devices registered (the registry keeps it alive). Errors: ENOENT.
ErrorOr<BlockDevice*> ram0();
// The disk the queue-order tests use: `lab8.disk=NAME` (the grader's run on the IDE disk, hda),
// or ram0. Errors: ENOENT, with the name in the message.
ErrorOr<BlockDevice*> order_disk();

// The textbook queue served under one scheduler: with the disk idle and its head moved to 53 (a
// one-sector read at 52 under fifo), the eight reads 98 183 37 122 14 124 65 67 are queued while
// the disk is plugged, then served. `order` is the sectors the driver saw, `seek` the head's travel.
struct Served {
    u64 order[8];
    usize count;
    u64 seek;
    char text[64];
};
ErrorOr<Served> serve_textbook(BlockDevice& disk, char const* scheduler);
// Fails the test unless `served` is `expected`; the message names fifo order when it is that.
ErrorOr<void> expect_order(Served const& served, u64 const (&expected)[8], char const* what);

// A read at sector 0 submitted while a writer streams groups of four writes just ahead of the
// head (each group written in descending order), on ram0 emulating a disk.
struct StreamResult {
    bool read_found;
    u64 read_latency_ns;
    u32 late_commands;      // dispatched after the read's deadline but before the read
    u32 writes_meanwhile;   // write commands between the read's arrival and its dispatch
    u32 descending_pairs;   // consecutive writes of one group that went down instead of up
};
ErrorOr<StreamResult> read_under_write_stream(BlockDevice& ram, char const* scheduler, u64 read_expire_ns);

}
