#pragma once
// The Thread object, private to kernel/sched. Everything outside sees an opaque sched::Thread*
// and the accessors in thread.h.
#include <kernel/mm/stacks.h>
#include <kernel/sched/context.h>
#include <kernel/sched/entity.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait_list.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace sched {

inline constexpr usize THREAD_NAME_SIZE = 32;

// All members are guarded by disabling interrupts (the scheduler's lock on one CPU), except
// those only the thread itself touches (m_entry, m_arg).
class Thread : public SchedEntity {
public:
    Thread() = default;
    Thread(Thread const&) = delete;
    Thread& operator=(Thread const&) = delete;

    u32 m_id { 0 };
    char m_name[THREAD_NAME_SIZE] {};
    ThreadState m_state { ThreadState::Blocked };
    int m_base_priority { PRIORITY_DEFAULT };
    u32 m_slice_left { 0 };   // ticks left in the current round-robin slice

    arch::ThreadContext m_context;
    mm::KernelStack m_stack;   // not valid for "main", which keeps the boot stack
    void* m_user_context { nullptr };   // the process this thread runs for (kernel/proc)
    bool m_interrupted { false };       // sched::interrupt(): interruptible waits end with EINTR
    ThreadEntry m_entry { nullptr };
    void* m_arg { nullptr };

    // Exit and reclamation.
    int m_exit_code { 0 };
    bool m_detached { false };
    bool m_join_claimed { false };
    WaitList m_joiners;

    // Blocking: the wait-list entry while Blocked, the mutex waited for (priority donation),
    // and the mutexes held (their waiters donate to this thread).
    Waiter* m_waiter { nullptr };
    Mutex* m_blocked_on { nullptr };
    IntrusiveList<Mutex, &Mutex::m_held_node> m_held_mutexes;

    // Accounting for the `threads` command.
    u64 m_runtime_ns { 0 };
    u64 m_switched_in_ns { 0 };
    u64 m_switches { 0 };

    IntrusiveListNode m_all_node;      // every thread, until it is reclaimed
    IntrusiveListNode m_zombie_node;   // dead detached threads waiting for the reaper
};

inline Thread& as_thread(SchedEntity& entity) { return static_cast<Thread&>(entity); }

}
