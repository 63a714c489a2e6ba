// The request queue's counters and its dispatch log (include/kernel/block/request_queue.h), and
// the small public API over a device's queue (include/kernel/block/queue.h).
#include <kernel/block/queue.h>
#include <kernel/block/request_queue.h>
#include <kstd/enforce.h>

namespace block {

namespace {

LatencySummary summary_of(LatencyHistogram const& histogram)
{
    return { histogram.count(), histogram.mean_ns(), histogram.percentile_ns(990), histogram.max_ns() };
}

}

QueueStats RequestQueue::stats() const
{
    sched::SpinlockGuard guard(m_lock);
    LatencyHistogram all;
    all.merge(m_read_latency);
    all.merge(m_write_latency);
    return {
        .scheduler = m_scheduler->name,
        .submitted = m_submitted,
        .merges = m_merges,
        .commands = m_commands,
        .sectors_read = m_sectors_read,
        .sectors_written = m_sectors_written,
        .seek_distance = m_seek_distance,
        .depth = m_depth,
        .max_depth = m_max_depth,
        .in_driver = m_in_driver,
        .plugs = m_plugs,
        .read = summary_of(m_read_latency),
        .write = summary_of(m_write_latency),
        .all = summary_of(all),
    };
}

void RequestQueue::reset_stats()
{
    sched::SpinlockGuard guard(m_lock);
    m_submitted = m_merges = m_commands = 0;
    m_sectors_read = m_sectors_written = m_seek_distance = 0;
    m_max_depth = m_depth;
    m_read_latency.reset();
    m_write_latency.reset();
    m_logged = 0;
}

usize RequestQueue::recent_commands(CommandRecord* out, usize capacity) const
{
    sched::SpinlockGuard guard(m_lock);
    u64 available = m_logged < LOG_SIZE ? m_logged : LOG_SIZE;
    usize count = available < capacity ? usize(available) : capacity;
    u64 first = m_logged - count;
    for (usize i = 0; i < count; ++i)
        out[i] = m_log[(first + i) % LOG_SIZE];
    return count;
}

ErrorOr<void> set_scheduler(dev::BlockDevice& device, StringView name) { return device.queue().set_scheduler(name); }

char const* scheduler_name(dev::BlockDevice const& device) { return device.queue().scheduler().name; }

void set_expiry(dev::BlockDevice& device, u64 read_expire_ns, u64 write_expire_ns)
{
    device.queue().set_expiry(read_expire_ns, write_expire_ns);
}

void plug(dev::BlockDevice& device) { device.queue().plug(); }
void unplug(dev::BlockDevice& device) { device.queue().unplug(); }

QueueStats queue_stats(dev::BlockDevice const& device) { return device.queue().stats(); }
void reset_queue_stats(dev::BlockDevice& device) { device.queue().reset_stats(); }

usize recent_commands(dev::BlockDevice const& device, CommandRecord* out, usize capacity)
{
    return device.queue().recent_commands(out, capacity);
}

}
