#pragma once
// Workqueues: bottom halves in process context (docs/architecture.md, "Interrupts and deferred work"). A work item runs in
// the workqueue's kernel thread, so it may sleep (PIO copies, anything that may block or fault).
#include <kstd/intrusive_list.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace sched { class Thread; }

namespace irq {

class WorkItem {
public:
    using Function = void (*)(void* ctx);
    WorkItem(Function fn, void* ctx) : m_fn(fn), m_ctx(ctx) {}
    bool is_pending() const { return m_pending; }

    kstd::IntrusiveListNode m_node;

private:
    friend class WorkQueue;
    Function m_fn;
    void* m_ctx;
    bool volatile m_pending { false };
};

class WorkQueue {
public:
    // Creates the queue and its worker thread. Errors: ENOMEM. Context: thread.
    [[nodiscard]] static ErrorOr<WorkQueue*> create(char const* name, int priority);
    // Stops the worker after the queued items have run, and frees the queue. Context: thread.
    static void destroy(WorkQueue* queue);

    // Queues `item` unless it is already pending (returns false then). Context: any.
    bool queue(WorkItem& item);
    // Waits until every item queued before the call has run. Context: thread.
    void flush();
    u64 completed() const { return m_completed; }

private:
    WorkQueue() = default;
    static void worker(void* self);
    struct State;
    State* m_state { nullptr };
    u64 m_completed { 0 };
};

// The shared system workqueue (created at boot). Context: any.
WorkQueue& system_workqueue();
void init_workqueues();

}
