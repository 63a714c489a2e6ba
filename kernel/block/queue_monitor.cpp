// Monitor commands for request queues:
//
//     conduit> iosched                      every disk's scheduler, and the choices
//     conduit> iosched ram0 elevator        switch ram0 to the elevator
//     conduit> blkstat                      every disk's queue counters
//     conduit> blkstat ram0 reset           zero ram0's counters
//     conduit> blkstat ram0 log             the last commands sent to ram0's driver, in order
#include <kernel/block/queue.h>
#include <kernel/dev/blockdev.h>
#include <kernel/dev/devfs.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace block {

namespace {

using dev::BlockDevice;
using dev::Node;

void print_scheduler(Node& node, void*)
{
    if (node.kind() == dev::NodeKind::Block)
        kprint("  %-10s %s\n", node.name(), scheduler_name(static_cast<BlockDevice&>(node)));
}

// "12.345" milliseconds from nanoseconds.
void format_ms(char* out, usize capacity, u64 ns)
{
    kstd::snprintf(out, capacity, "%lu.%03lu", ns / time::NS_PER_MS, ns % time::NS_PER_MS / time::NS_PER_US);
}

void print_latency(char const* what, LatencySummary const& latency)
{
    char mean[24], p99[24], max[24];
    format_ms(mean, sizeof(mean), latency.mean_ns);
    format_ms(p99, sizeof(p99), latency.p99_ns);
    format_ms(max, sizeof(max), latency.max_ns);
    kprint("    %-6s %8lu requests, latency mean %s ms, p99 %s ms, max %s ms\n", what, latency.count, mean, p99, max);
}

void print_stats(Node& node, void*)
{
    if (node.kind() != dev::NodeKind::Block)
        return;
    auto& device = static_cast<BlockDevice&>(node);
    QueueStats s = queue_stats(device);
    QueueLimits const& limits = device.queue().limits();
    kprint("  %s: scheduler %s, limits %u sectors x %u segments, depth %u\n", node.name(), s.scheduler,
        limits.max_sectors, limits.max_segments, limits.depth);
    kprint("    submitted %lu, merges %lu, commands %lu, sectors read %lu written %lu\n", s.submitted, s.merges,
        s.commands, s.sectors_read, s.sectors_written);
    kprint("    queue depth %u (max %u), in driver %u%s, seek distance %lu sectors\n", s.depth, s.max_depth,
        s.in_driver, s.plugs ? ", plugged" : "", s.seek_distance);
    print_latency("reads", s.read);
    print_latency("writes", s.write);
}

void print_log(BlockDevice& device)
{
    static CommandRecord records[RequestQueue::LOG_SIZE];
    usize count = recent_commands(device, records, RequestQueue::LOG_SIZE);
    kprint("  %-6s %12s %8s %9s %9s\n", "op", "sector", "count", "requests", "segments");
    for (usize i = 0; i < count; ++i)
        kprint("  %-6s %12lu %8u %9u %9u\n", dev::op_name(records[i].op), records[i].sector, records[i].count,
            records[i].requests, records[i].segments);
}

ErrorOr<dev::Ref<BlockDevice>> disk_named(StringView name)
{
    auto found = blockdev::find(name);
    if (found.is_error())
        kprint("no block device called %.*s\n", int(name.length()), name.characters());
    return found;
}

}

MONITOR_COMMAND(iosched, "iosched", "[DISK [fifo|elevator|deadline]]: show or choose a disk's I/O scheduler")
{
    StringView rest = args;
    auto disk_name = rest.next_word();
    auto scheduler = rest.next_word();
    if (!disk_name.has_value()) {
        devfs::for_each(print_scheduler, nullptr);
        kprint("  schedulers:");
        for (usize i = 0; i < scheduler_count(); ++i)
            kprint(" %s", scheduler_at(i).name);
        kprint("\n");
        return;
    }
    auto disk = disk_named(*disk_name);
    if (disk.is_error())
        return;
    if (!scheduler.has_value()) {
        kprint("  %s %s\n", disk.value()->name(), scheduler_name(*disk.value()));
        return;
    }
    if (set_scheduler(*disk.value(), *scheduler).is_error()) {
        kprint("no I/O scheduler called %.*s (fifo, elevator, deadline)\n", int(scheduler->length()),
            scheduler->characters());
        return;
    }
    kprint("  %s now uses %s\n", disk.value()->name(), scheduler_name(*disk.value()));
}

MONITOR_COMMAND(blkstat, "blkstat", "[DISK [reset|log]]: request queue counters, latency, seek distance")
{
    StringView rest = args;
    auto disk_name = rest.next_word();
    auto action = rest.next_word();
    if (!disk_name.has_value()) {
        devfs::for_each(print_stats, nullptr);
        return;
    }
    auto disk = disk_named(*disk_name);
    if (disk.is_error())
        return;
    if (!action.has_value()) {
        print_stats(*disk.value(), nullptr);
    } else if (*action == StringView("reset")) {
        reset_queue_stats(*disk.value());
        kprint("  %s: counters reset\n", disk.value()->name());
    } else if (*action == StringView("log")) {
        print_log(*disk.value());
    } else {
        kprint("blkstat: %.*s is not reset or log\n", int(action->length()), action->characters());
    }
}

}
