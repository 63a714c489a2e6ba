// The RAM disk as a mechanical disk (ramdisk.h): commands take the time a simple model of a disk
// says, so they queue behind each other as on a real disk and seeks cost something.
//
// The model: moving the head costs seek_base_ns plus seek_full_ns scaled by the distance as a
// fraction of the disk (a full stroke costs both); then every sector costs per_sector_ns. A
// command starting where the last one ended (a sequential stream) pays no seek.
//
// Time is kept by a running total: the disk is busy until m_busy_until, each command adds its
// cost, and the thread sleeps only when the disk is more than a tick ahead of the clock. Sleeps
// end on a tick (1 ms), so sleeping for every 20 us transfer would make a sequential stream
// fifty times slower than the model; this way a stream runs at the model's rate on average.
#include "ramdisk.h"
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace drivers::ramdisk {

namespace {

constexpr u64 SLEEP_THRESHOLD_NS = time::NS_PER_MS;
constexpr int DISK_THREAD_PRIORITY = sched::PRIORITY_DEFAULT + 10;   // plays the interrupt

}

bool RamDisk::timing_enabled() const
{
    sched::SpinlockGuard guard(m_lock);
    return m_timing.seek_base_ns != 0 || m_timing.seek_full_ns != 0 || m_timing.per_sector_ns != 0;
}

void RamDisk::set_timing(Timing const& timing)
{
    sched::SpinlockGuard guard(m_lock);
    m_timing = timing;
}

Timing RamDisk::timing() const
{
    sched::SpinlockGuard guard(m_lock);
    return m_timing;
}

void RamDisk::apply_timing_option()
{
    auto option = kernel_cmdline().get(kstd::StringView("ramdisk.timing"));
    if (!option.has_value())
        return;
    if (*option == kstd::StringView("disk")) {
        set_timing(DISK_TIMING);
        log_info("ramdisk: emulating a disk (seek %lu us + up to %lu us, %lu ns per sector)\n",
            DISK_TIMING.seek_base_ns / time::NS_PER_US, DISK_TIMING.seek_full_ns / time::NS_PER_US,
            DISK_TIMING.per_sector_ns);
    } else if (!(*option == kstd::StringView("instant"))) {
        log_warn("ramdisk: ramdisk.timing=%.*s is not disk or instant; instant\n", int(option->length()),
            option->characters());
    }
}

ErrorOr<void> RamDisk::start_timing_thread()
{
    TRY(sched::spawn("ramdisk", disk_thread, this, DISK_THREAD_PRIORITY));
    return {};
}

ErrorOr<void> RamDisk::queue_for_later(BlockRequest& command)
{
    {
        sched::SpinlockGuard guard(m_lock);
        m_pending.push_back(command);
    }
    m_wake.wake_one();
    return {};
}

void RamDisk::abort(BlockRequest& command)
{
    {
        sched::SpinlockGuard guard(m_lock);
        if (!m_pending.contains(command))
            return;   // being served: it completes within its emulated time
        m_pending.remove(command);
    }
    blockdev::complete(command, Error::from_errno(ETIMEDOUT));
}

u64 RamDisk::service_ns(BlockRequest const& command)
{
    Timing timing = this->timing();
    u64 sectors = size / SECTOR_SIZE;
    u64 cost = 0;
    if (command.op != BlockOp::Flush) {
        u64 distance = command.sector >= m_head ? command.sector - m_head : m_head - command.sector;
        if (distance != 0)
            cost += timing.seek_base_ns + timing.seek_full_ns * distance / sectors;
        cost += timing.per_sector_ns * command.count;
        m_head = command.sector + command.count;
    }
    return cost;
}

void RamDisk::serve(BlockRequest& command)
{
    u64 now = time::now_ns();
    m_busy_until = (m_busy_until > now ? m_busy_until : now) + service_ns(command);
    if (m_busy_until > now + SLEEP_THRESHOLD_NS)
        sched::sleep_until(m_busy_until);
    transfer(command);
    blockdev::complete(command, {});
}

void RamDisk::disk_thread(void* self)
{
    auto& disk = *static_cast<RamDisk*>(self);
    for (;;) {
        disk.m_wake.wait_event([&disk] { return !disk.m_pending.is_empty(); });
        BlockRequest* command;
        {
            sched::SpinlockGuard guard(disk.m_lock);
            command = disk.m_pending.pop_front();
        }
        if (command)
            disk.serve(*command);
    }
}

}
