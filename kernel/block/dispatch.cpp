// The dispatcher: one kernel thread per disk that hands the driver commands, and the completion
// path that brings them back (include/kernel/block/request_queue.h).
//
// The thread sleeps on m_wake until the driver has a free slot and there is something to send:
// an entry the scheduler may choose, or a flush whose turn has come (nothing queued before it is
// still waiting or in the driver). It then asks the scheduler, builds the command in the slot
// (one buffer per joined segment), and calls the driver's submit() without holding any lock.
// Idle, it takes no wake-ups at all: only a submit, a completion, an unplug or a scheduler
// change wakes it.
#include <kernel/block/request_queue.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace block {

using dev::BlockOp;
using dev::BlockRequest;

void RequestQueue::dispatcher_entry(void* self) { static_cast<RequestQueue*>(self)->dispatch_loop(); }

void RequestQueue::dispatch_loop()
{
    for (;;) {
        m_wake.wait_event([this] { return m_stopping || ready_to_dispatch(); });
        if (m_stopping)
            return;
        DispatchSlot* slot = prepare_command();
        if (!slot)
            continue;
        auto started = m_device.block_ops().submit(m_device, slot->command);
        if (started.is_error())
            blockdev::complete(slot->command, started.release_error());   // never started
    }
}

// Runs with interrupts off (inside wait_event); takes the lock only for the reading.
bool RequestQueue::ready_to_dispatch() const
{
    sched::SpinlockGuard guard(m_lock);
    if (m_plugs != 0)
        return false;
    bool slot_free = false;
    for (u32 i = 0; i < m_limits.depth && !slot_free; ++i)
        slot_free = !m_slots[i].busy && !m_slots[i].aborting;
    if (!slot_free)
        return false;
    if (!m_sched.is_empty())
        return true;
    // A flush goes only when everything before it is done.
    return !m_held.is_empty() && !m_flush_in_driver && m_in_driver == 0;
}

DispatchSlot* RequestQueue::free_slot()
{
    for (u32 i = 0; i < m_limits.depth; ++i) {
        if (!m_slots[i].busy && !m_slots[i].aborting)
            return &m_slots[i];
    }
    return nullptr;
}

// The scheduler's choice. A choice that is not on the queue (a bug in a scheduler being
// written) is reported once and replaced by the oldest entry, so the disk keeps working.
// Locking: m_lock held; the queue is not empty.
QueueEntry& RequestQueue::choose_entry()
{
    QueueEntry* entry = m_scheduler->next(m_sched);
    if (entry && m_sched.contains(*entry))
        return *entry;
    if (!m_warned_bad_choice) {
        m_warned_bad_choice = true;
        log_warn("%s: scheduler %s chose %s with %zu entries queued; serving the oldest instead\n",
            m_device.name(), m_scheduler->name, entry ? "an entry that is not queued" : "nothing",
            m_sched.size());
    }
    return *fifo_next(m_sched);
}

DispatchSlot* RequestQueue::prepare_command()
{
    sched::SpinlockGuard guard(m_lock);
    DispatchSlot* slot = free_slot();
    if (!slot || m_plugs != 0)
        return nullptr;
    u64 now = time::now_ns();
    if (!m_sched.is_empty()) {
        m_sched.now_ns = now;
        QueueEntry& entry = choose_entry();
        m_sched.remove(entry);
        m_seek_distance += m_sched.move_head_to(entry);
        load_slot(*slot, entry, now);
        return slot;
    }
    if (m_held.is_empty() || m_flush_in_driver || m_in_driver != 0)
        return nullptr;
    QueueEntry& flush = *m_held.pop_front();
    VERIFY(flush.op == BlockOp::Flush);
    m_flush_in_driver = true;
    load_slot(*slot, flush, now);
    return slot;
}

// Builds the driver's command for `entry` in `slot`. Locking: m_lock held.
void RequestQueue::load_slot(DispatchSlot& slot, QueueEntry& entry, u64 now)
{
    BlockRequest& command = slot.command;
    command.op = entry.op;
    command.sector = entry.op == BlockOp::Flush ? 0 : entry.sector;
    command.count = entry.count;
    command.driver_data = nullptr;
    usize segments = build_segments(entry, m_limits, slot.segments, m_limits.max_segments);
    VERIFY(segments == entry.segments && segments <= m_limits.max_segments);
    if (segments == 1) {
        command.buffer = Bytes(slot.segments[0].data, slot.segments[0].length);
        command.segments = {};
    } else {
        command.buffer = {};
        command.segments = Span<dev::BlockSegment const>(slot.segments, segments);
    }
    command.core.state = BlockRequest::State::Submitted;
    command.core.status = 0;
    command.core.device = &m_device;
    command.core.is_command = true;
    command.core.slot = &slot;
    slot.first = entry.first;
    slot.busy = true;
    slot.dispatched_ns = now;
    for (BlockRequest* request = entry.first; request; request = request->core.merged_next)
        request->core.slot = &slot;
    ++m_in_driver;
    ++m_commands;
    if (entry.op == BlockOp::Read)
        m_sectors_read += entry.count;
    else if (entry.op == BlockOp::Write)
        m_sectors_written += entry.count;
    log_command(slot, entry);
}

void RequestQueue::log_command(DispatchSlot const& slot, QueueEntry const& entry)
{
    m_log[m_logged % LOG_SIZE] = { entry.op, entry.sector, entry.count, entry.requests, entry.segments,
        slot.dispatched_ns };
    ++m_logged;
}

void RequestQueue::command_done(BlockRequest& command, int status)
{
    DispatchSlot& slot = *command.core.slot;
    VERIFY(&slot.command == &command && slot.busy);
    u64 now = time::now_ns();
    BlockRequest* carried;
    {
        sched::SpinlockGuard guard(m_lock);
        carried = slot.first;
        slot.first = nullptr;
        slot.busy = false;
        command.core.state = BlockRequest::State::Idle;
        --m_in_driver;
        account_completion(slot, now, carried);
        if (command.op == BlockOp::Flush) {
            m_flush_in_driver = false;
            release_held();
        }
    }
    // Every request the command carried gets the command's status. Fetch the next link first:
    // a completed request may be freed by its callback.
    while (carried) {
        BlockRequest* next = carried->core.merged_next;
        carried->core.merged_next = nullptr;
        carried->core.slot = nullptr;
        blockdev::complete(*carried, status == 0 ? ErrorOr<void>() : ErrorOr<void>(Error::from_errno(status)));
        carried = next;
    }
    m_wake.wake_one();
}

// Latency per request (submit to now) and the depth. Locking: m_lock held.
void RequestQueue::account_completion(DispatchSlot& slot, u64 now, BlockRequest* carried)
{
    for (BlockRequest* request = carried; request; request = request->core.merged_next) {
        u64 latency = now - request->core.submitted_ns;
        if (slot.command.op == BlockOp::Read)
            m_read_latency.record(latency);
        else if (slot.command.op == BlockOp::Write)
            m_write_latency.record(latency);
        --m_depth;
    }
}

}
