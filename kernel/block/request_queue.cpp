// The request queue: creating and stopping it, queueing (with merging), flushes as barriers, and
// taking a timed-out request back (include/kernel/block/request_queue.h). The dispatcher thread
// and completions are in dispatch.cpp, the counters in queue_stats.cpp.
//
// Flushes order what came before them: a flush waits until everything submitted before it has
// completed, and everything submitted after it waits (in the held list, in order) until the
// flush has completed. Requests never merge across a flush.
#include <kernel/block/queue.h>
#include <kernel/block/request_queue.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace block {

using dev::BlockOp;
using dev::BlockRequest;

RequestQueue::RequestQueue(dev::BlockDevice& device)
    : m_device(device)
    , m_limits(limits_of(device.geometry()))
    , m_scheduler(&scheduler_for(device.name()))
{
}

ErrorOr<RequestQueue*> RequestQueue::create(dev::BlockDevice& device)
{
    auto* queue = new (kstd::nothrow) RequestQueue(device);
    if (!queue)
        return Error::from_errno(ENOMEM);
    queue->m_slots = new (kstd::nothrow) DispatchSlot[queue->m_limits.depth];
    bool allocated = queue->m_slots != nullptr;
    for (u32 i = 0; allocated && i < queue->m_limits.depth; ++i) {
        auto* segments = mm::kmalloc(queue->m_limits.max_segments * sizeof(dev::BlockSegment));
        queue->m_slots[i].segments = static_cast<dev::BlockSegment*>(segments);
        allocated = segments != nullptr;
    }
    if (!allocated) {
        delete queue;
        return Error::from_errno(ENOMEM);
    }
    char name[32];
    kstd::snprintf(name, sizeof(name), "kblockd/%s", device.name());
    auto thread = sched::spawn(name, dispatcher_entry, queue, DISPATCHER_PRIORITY);
    if (thread.is_error()) {
        delete queue;
        return thread.release_error();
    }
    queue->m_thread = thread.value();
    return queue;
}

RequestQueue::~RequestQueue()
{
    VERIFY(!m_thread);   // shutdown() first
    if (m_slots) {
        for (u32 i = 0; i < m_limits.depth; ++i)
            mm::kfree(m_slots[i].segments);
        delete[] m_slots;
    }
}

void RequestQueue::shutdown()
{
    if (!m_thread)
        return;
    {
        sched::SpinlockGuard guard(m_lock);
        if (m_depth != 0)
            panic("request queue of %s stopped with %u requests in it", m_device.name(), m_depth);
    }
    m_stopping = true;
    m_wake.wake_all();
    (void)sched::join(m_thread);
    m_thread = nullptr;
}

void RequestQueue::queue(BlockRequest& request)
{
    u64 now = time::now_ns();
    request.core.submitted_ns = now;
    request.core.slot = nullptr;
    {
        sched::SpinlockGuard guard(m_lock);
        start_entry(request, m_limits);
        m_sched.stamp(request.core.entry, now);
        ++m_submitted;
        if (++m_depth > m_max_depth)
            m_max_depth = m_depth;
        if (request.op == BlockOp::Flush || m_flush_in_driver || !m_held.is_empty())
            m_held.push_back(request.core.entry);
        else
            insert_entry(request.core.entry);
    }
    m_wake.wake_one();
}

// A new entry of one request: merged into a neighbour when one fits, otherwise queued alone.
// Locking: m_lock held.
void RequestQueue::insert_entry(QueueEntry& entry)
{
    BlockRequest& request = *entry.first;
    VERIFY(entry.requests == 1);
    if (try_back_merge(request) || try_front_merge(request))
        return;
    m_sched.add(entry);
}

// `request` continues a queued entry: append it; the entry may now also reach the next one.
bool RequestQueue::try_back_merge(BlockRequest& request)
{
    for (QueueEntry& entry : m_sched.sorted) {
        if (entry.sector > request.sector)
            break;
        if (!can_back_merge(entry, request, m_limits))
            continue;
        m_sched.remove(entry);
        back_merge(entry, request, m_limits);
        ++m_merges;
        QueueEntry* next = m_sched.sorted.first();
        while (next && next->sector < entry.end())
            next = m_sched.sorted.next(*next);
        if (next && can_join_entries(entry, *next, m_limits)) {
            m_sched.remove(*next);
            join_entries(entry, *next, m_limits);
            ++m_merges;
        }
        m_sched.add(entry);
        return true;
    }
    return false;
}

// `request` ends where a queued entry starts: it becomes that entry's start; the entry may now
// also continue the one before it.
bool RequestQueue::try_front_merge(BlockRequest& request)
{
    u64 end = request.sector + request.count;
    for (QueueEntry& old : m_sched.sorted) {
        if (old.sector > end)
            break;
        if (!can_front_merge(old, request, m_limits))
            continue;
        m_sched.remove(old);
        QueueEntry& merged = front_merge(old, request, m_limits);
        ++m_merges;
        for (QueueEntry& before : m_sched.sorted) {
            if (before.sector >= merged.sector)
                break;
            if (can_join_entries(before, merged, m_limits)) {
                m_sched.remove(before);
                join_entries(before, merged, m_limits);
                ++m_merges;
                m_sched.add(before);
                return true;
            }
        }
        m_sched.add(merged);
        return true;
    }
    return false;
}

// After a flush: requests that waited behind it join the scheduler's queue, up to the next
// flush. Locking: m_lock held.
void RequestQueue::release_held()
{
    while (QueueEntry* entry = m_held.first()) {
        if (entry->op == BlockOp::Flush)
            return;
        m_held.remove(*entry);
        insert_entry(*entry);
    }
}

// Takes a request that is not in the driver out of the queue. A merged entry is taken apart
// and its other requests queued again (they merge again where they still can).
// Returns false when the request is not queued here. Locking: m_lock held.
bool RequestQueue::unqueue(BlockRequest& request)
{
    QueueEntry& own = request.core.entry;
    if (m_held.contains(own)) {
        bool was_first = m_held.first() == &own;
        m_held.remove(own);
        if (was_first && !m_flush_in_driver)
            release_held();
        --m_depth;
        return true;
    }
    for (QueueEntry& entry : m_sched.sorted) {
        bool found = false;
        for (BlockRequest* r = entry.first; r && !found; r = r->core.merged_next)
            found = r == &request;
        if (!found)
            continue;
        m_sched.remove(entry);
        BlockRequest* rest = entry.first;
        while (rest) {
            BlockRequest* next = rest->core.merged_next;
            if (rest != &request) {
                u64 arrival = rest->core.submitted_ns;
                start_entry(*rest, m_limits);
                m_sched.stamp(rest->core.entry, arrival);
                insert_entry(rest->core.entry);
            }
            rest = next;
        }
        --m_depth;
        return true;
    }
    return false;
}

void RequestQueue::abort(BlockRequest& request)
{
    DispatchSlot* slot = nullptr;
    bool taken_out = false;
    {
        sched::SpinlockGuard guard(m_lock);
        if (request.is_complete())
            return;
        slot = request.core.slot;
        if (slot)
            slot->aborting = true;
        else
            taken_out = unqueue(request);
    }
    if (taken_out) {
        blockdev::complete(request, Error::from_errno(ETIMEDOUT));
        m_wake.wake_one();
        return;
    }
    if (!slot)
        return;
    // The driver completes the command (usually with ETIMEDOUT), which completes `request`.
    m_device.block_ops().abort(m_device, slot->command);
    {
        sched::SpinlockGuard guard(m_lock);
        slot->aborting = false;
    }
    m_wake.wake_one();
}

ErrorOr<void> RequestQueue::set_scheduler(StringView name)
{
    IoScheduler const* scheduler = find_scheduler_for_selection(name);
    if (!scheduler)
        return Error::from_errno(EINVAL);
    sched::SpinlockGuard guard(m_lock);
    m_scheduler = scheduler;
    m_sched.direction = Direction::Up;   // a new elevator starts its sweep upwards
    return {};
}

void RequestQueue::plug()
{
    sched::SpinlockGuard guard(m_lock);
    ++m_plugs;
}

void RequestQueue::unplug()
{
    {
        sched::SpinlockGuard guard(m_lock);
        VERIFY(m_plugs > 0);
        --m_plugs;
    }
    m_wake.wake_one();
}

void RequestQueue::set_expiry(u64 read_expire_ns, u64 write_expire_ns)
{
    sched::SpinlockGuard guard(m_lock);
    m_sched.read_expire_ns = read_expire_ns;
    m_sched.write_expire_ns = write_expire_ns;
}

}
