// Lab 8, parts 1 and 2, in the kernel: the schedulers you wrote choosing for ram0 (and for the
// IDE disk hda, in the grader's `lab8.disk=hda` run).
//
//   lab8_elevator_order        the textbook queue on ram0, under fifo and the elevator: the order
//                              the driver saw, and the head's travel (it must be shorter)
//   lab8_deadline_order        the same queue under deadline, nothing expired: C-LOOK
//   lab8_deadline_read_bound   ram0 as an emulated disk (ramdisk timing), a stream of writes
//                              just ahead of the head, and one read far behind it: the read must
//                              go at the first choice after its deadline, the writes by sector
#include "lab8_support.h"
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

using namespace lab8;

KTEST(lab8_elevator_order, 8)
{
    BlockDevice& disk = *TRY(order_disk());
    static u64 const expected[] = { 65, 67, 98, 122, 124, 183, 37, 14 };
    Served fifo = TRY(serve_textbook(disk, "fifo"));
    Served look = TRY(serve_textbook(disk, "elevator"));
    ktest::note("fifo:     %s, seek distance %lu sectors", fifo.text, fifo.seek);
    ktest::note("elevator: %s, seek distance %lu sectors", look.text, look.seek);
    TRY(expect_order(look, expected, "elevator (LOOK), head 53 going up"));
    EXPECT_MSG(look.seek < fifo.seek, "the elevator's seek distance (%lu) is not below fifo's (%lu)", look.seek, fifo.seek);
    EXPECT_EQ(look.seek, 296u);
    return {};
}

KTEST(lab8_deadline_order, 8)
{
    BlockDevice& disk = *TRY(order_disk());
    static u64 const expected[] = { 65, 67, 98, 122, 124, 183, 14, 37 };
    Served clook = TRY(serve_textbook(disk, "deadline"));
    ktest::note("deadline: %s, seek distance %lu sectors", clook.text, clook.seek);
    TRY(expect_order(clook, expected, "deadline with nothing expired (C-LOOK), head 53"));
    EXPECT_EQ(clook.seek, 317u);
    return {};
}

// The read's expiry: 50 ms, or `lab8.read_expire_ms=` (the grader's hidden variant).
KTEST(lab8_deadline_read_bound, 8)
{
    BlockDevice& ram = *TRY(ram0());
    u64 expire_ms = kernel_cmdline().get_u64(kstd::StringView("lab8.read_expire_ms"), 50);
    StreamResult result = TRY(read_under_write_stream(ram, "deadline", expire_ms * time::NS_PER_MS));
    ktest::note("deadline: the read waited %lu.%03lu ms (expiry %lu ms) while %u writes were served",
        result.read_latency_ns / time::NS_PER_MS, result.read_latency_ns % time::NS_PER_MS / time::NS_PER_US,
        expire_ms, result.writes_meanwhile);
    EXPECT_MSG(result.read_found, "the read's command is not among the last commands dispatched");
    EXPECT_MSG(result.late_commands == 0,
        "deadline: %u command(s) went to the disk after the read's deadline had passed, before the read (it "
        "waited %lu ms, expiry %lu ms): an expired request must be chosen first",
        result.late_commands, result.read_latency_ns / time::NS_PER_MS, expire_ms);
    EXPECT_MSG(result.descending_pairs == 0,
        "deadline: %u time(s) a group of writes went to the disk in arrival order (descending sectors) instead "
        "of by sector: with nothing expired, deadline serves in C-LOOK order",
        result.descending_pairs);
    return {};
}
