// Workqueues: a list of work items and one worker thread per queue. Items may be queued from any
// context; they run in the worker, in order, in process context.
#include <kernel/irq/workqueue.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace irq {

struct WorkQueue::State {
    kstd::IntrusiveList<WorkItem, &WorkItem::m_node> items;   // Guarded by disabling interrupts
    sched::Semaphore queued { 0 };                           // one count per queued item
    sched::Thread* worker { nullptr };
    bool volatile stopping { false };
};

namespace {
WorkQueue* g_system = nullptr;

// A flush is a work item like any other: when it runs, everything queued before it has run.
struct FlushBarrier {
    sched::Semaphore done { 0 };
    WorkItem item { [](void* self) { static_cast<FlushBarrier*>(self)->done.up(); }, this };
};
}

ErrorOr<WorkQueue*> WorkQueue::create(char const* name, int priority)
{
    auto* queue = new (kstd::nothrow) WorkQueue;
    if (!queue)
        return Error::from_errno(ENOMEM);
    queue->m_state = new (kstd::nothrow) State;
    if (!queue->m_state) {
        delete queue;
        return Error::from_errno(ENOMEM);
    }
    auto worker = sched::spawn(name, WorkQueue::worker, queue, priority);
    if (worker.is_error()) {
        delete queue->m_state;
        delete queue;
        return worker.release_error();
    }
    queue->m_state->worker = worker.value();
    return queue;
}

void WorkQueue::destroy(WorkQueue* queue)
{
    queue->m_state->stopping = true;
    queue->m_state->queued.up();
    (void)sched::join(queue->m_state->worker);
    delete queue->m_state;
    delete queue;
}

bool WorkQueue::queue(WorkItem& item)
{
    {
        InterruptsDisabled guard;
        if (item.m_pending)
            return false;
        item.m_pending = true;
        m_state->items.push_back(item);
    }
    m_state->queued.up();
    return true;
}

void WorkQueue::flush()
{
    FlushBarrier barrier;
    queue(barrier.item);
    barrier.done.down();
}

void WorkQueue::worker(void* self)
{
    auto* queue = static_cast<WorkQueue*>(self);
    State& state = *queue->m_state;
    for (;;) {
        state.queued.down();
        WorkItem* item;
        {
            InterruptsDisabled guard;
            item = state.items.pop_front();
            if (item)
                item->m_pending = false;   // may be re-queued by its own function
        }
        if (item) {
            item->m_fn(item->m_ctx);
            ++queue->m_completed;
            continue;
        }
        if (state.stopping)
            return;
    }
}

WorkQueue& system_workqueue() { return *g_system; }

void init_workqueues() { g_system = MUST(WorkQueue::create("events", sched::PRIORITY_DEFAULT)); }

}
