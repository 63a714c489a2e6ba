#pragma once
// Synchronisation (docs/architecture.md, "Waiting"). Uniprocessor: a Spinlock disables interrupts (and
// would spin on SMP), so it is the lock for data shared with IRQ or tasklet context. The sleeping
// primitives (Semaphore, Mutex, ConditionVariable, WaitQueue) may only be used from threads; each
// blocking call has a variant with a timeout that returns ETIMEDOUT and leaves no waiter behind.
//
// Wake-up order everywhere: highest priority first, longest-waiting among equals. Waking a
// thread of higher priority than the caller switches to it at once from thread context, and on
// return from the interrupt when done from a top half or tasklet.
#include <kernel/sched/thread.h>
#include <kernel/sched/wait_list.h>
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace sched {

class Thread;

// The one place a timeout becomes a deadline for the *_until calls: now + timeout_ns on the
// monotonic clock. A timeout of NO_DEADLINE (~0, also dev::NO_TIMEOUT) means "for ever" and gives
// NO_DEADLINE; any other saturates just below it instead of wrapping. Context: any.
u64 deadline_after(u64 timeout_ns);

class Spinlock {
public:
    constexpr Spinlock() = default;
    constexpr explicit Spinlock(char const* name) : m_name(name) {}

    // Disables interrupts and takes the lock; returns the previous interrupt state (for the
    // guard). Taking a lock this CPU already holds panics ("recursive acquire"): on one CPU it
    // can only mean a nested path, which would deadlock on SMP.
    // Context: any. Locking: none held of the same lock.
    bool lock();
    // Releases the lock and restores the interrupt state from lock(). If a wake-up made a
    // higher-priority thread ready meanwhile, switches to it here (thread context only).
    void unlock(bool restore_interrupts);
    bool is_locked() const { return m_locked; }
    char const* name() const { return m_name; }

private:
    bool volatile m_locked { false };
    char const* m_name { "spinlock" };
};

class SpinlockGuard {
public:
    explicit SpinlockGuard(Spinlock& lock) : m_lock(lock), m_were_enabled(lock.lock()) {}
    ~SpinlockGuard() { m_lock.unlock(m_were_enabled); }
    SpinlockGuard(SpinlockGuard const&) = delete;
    SpinlockGuard& operator=(SpinlockGuard const&) = delete;

private:
    Spinlock& m_lock;
    bool m_were_enabled;
};

// A list of sleeping threads. wait() must be called with the condition re-checked in a loop.
// Waking is allowed from any context (top halves and tasklets wake threads this way).
//
// Prefer wait_event(condition): it checks the condition with interrupts off and queues in the
// same step, so a wake-up from an interrupt between "condition false" and "sleep" is not lost.
// Plain wait() is only safe when no waker can run in that window.
class WaitQueue {
public:
    WaitQueue() = default;
    WaitQueue(WaitQueue const&) = delete;
    WaitQueue& operator=(WaitQueue const&) = delete;

    // Blocks until woken. Context: thread (might_sleep).
    void wait();
    // Blocks until woken or the deadline passes; ETIMEDOUT on timeout (and the caller is no
    // longer queued). Context: thread (might_sleep).
    [[nodiscard]] ErrorOr<void> wait_until(u64 deadline_ns);
    [[nodiscard]] ErrorOr<void> wait_for(u64 timeout_ns);

    // Blocks until condition() is true; condition runs with interrupts disabled, so it must be
    // short and must not block. Context: thread (might_sleep).
    template<typename Condition>
    void wait_event(Condition condition)
    {
        (void)wait_event_impl(condition, NO_DEADLINE, false);
    }
    // As wait_event, giving up at the deadline: ETIMEDOUT if condition() is still false then.
    // EINTR when sched::interrupt() is called for the waiting thread, before or during the
    // wait: a user process being killed must be able to leave the system call it sleeps in
    // (kernel threads are never interrupted). Context: thread (might_sleep).
    template<typename Condition>
    [[nodiscard]] ErrorOr<void> wait_event_until(Condition condition, u64 deadline_ns)
    {
        return wait_event_impl(condition, deadline_ns, true);
    }

    // Wakes the best waiter / every waiter; returns whether one was woken / how many.
    // Context: any. Locking: none (interrupts off inside).
    bool wake_one();
    usize wake_all();
    usize waiter_count() const;
    bool is_empty() const;

private:
    friend class Semaphore;
    friend class Mutex;
    friend class ConditionVariable;

    // Interrupts off (returns the previous state) / back on, with the preemption check.
    static bool begin_wait();
    static void end_wait(bool were_enabled);
    // Queues the current thread and blocks. Interrupts must be off.
    WaitResult block_locked(u64 deadline_ns, bool interruptible = false);
    static bool current_interrupt_pending();

    template<typename Condition>
    ErrorOr<void> wait_event_impl(Condition condition, u64 deadline_ns, bool interruptible)
    {
        might_sleep("WaitQueue::wait_event");
        bool were_enabled = begin_wait();
        bool satisfied = condition();
        bool interrupted = false;
        while (!satisfied) {
            interrupted = interruptible && current_interrupt_pending();
            if (interrupted)
                break;
            WaitResult result = block_locked(deadline_ns, interruptible);
            satisfied = condition();
            if (result == WaitResult::TimedOut)
                break;
        }
        end_wait(were_enabled);
        if (satisfied)
            return {};
        return Error::from_errno(interrupted ? EINTR : ETIMEDOUT);
    }

    WaitList m_waiters;   // Guarded by disabling interrupts
};

// Counting semaphore. down() loops (Mesa): an up() wakes the best waiter, which competes with
// threads that arrive meanwhile. Locking: interrupts off inside; up() and try_down() are safe
// in top halves and tasklets, down() may not hold a Spinlock (might_sleep).
class Semaphore {
public:
    explicit Semaphore(u32 initial = 0) : m_value(initial) {}
    Semaphore(Semaphore const&) = delete;
    Semaphore& operator=(Semaphore const&) = delete;

    void down();                                                // Context: thread
    [[nodiscard]] ErrorOr<void> down_timeout(u64 timeout_ns);   // Context: thread
    bool try_down();                                            // Context: any
    void up();                                                  // Context: any
    u32 value() const { return m_value; }
    usize waiter_count() const;

private:
    u32 volatile m_value;   // Guarded by disabling interrupts
    WaitQueue m_queue;
};

// A sleeping lock with an owner. Only the owner may unlock (a different thread unlocking panics);
// locking a mutex you already hold panics. A thread blocked on a mutex donates its priority to
// the owner, transitively along a chain of owners (Pintos priority donation), so a low-priority
// owner cannot be starved by medium-priority threads while a high-priority thread waits.
// A thread must not exit while holding one (panics). Locking: interrupts off inside; never from
// a top half or tasklet, never with a Spinlock held (might_sleep).
class Mutex {
public:
    constexpr Mutex() = default;
    constexpr explicit Mutex(char const* name) : m_name(name) {}
    Mutex(Mutex const&) = delete;
    Mutex& operator=(Mutex const&) = delete;

    void lock();                                                // Context: thread
    [[nodiscard]] ErrorOr<void> lock_timeout(u64 timeout_ns);   // Context: thread
    bool try_lock();                                            // Context: thread
    void unlock();   // only the owner may unlock (checked: panics otherwise). Context: thread
    bool is_locked_by_current() const;
    bool is_locked() const { return m_owner != nullptr; }
    usize waiter_count() const;
    char const* name() const { return m_name; }

private:
    friend class Thread;
    friend class ConditionVariable;
    friend void refresh_priority(Thread& thread);   // priority donation (kernel/sched/mutex.cpp)

    ErrorOr<void> lock_until(u64 deadline_ns, char const* what);
    int max_waiter_priority() const { return m_queue.m_waiters.max_priority(); }
    void take(Thread& self);
    void release(Thread& self);

    Thread* m_owner { nullptr };   // Guarded by disabling interrupts
    WaitQueue m_queue;
    IntrusiveListNode m_held_node;   // on the owner's list of held mutexes
    char const* m_name { "mutex" };
};

class MutexGuard {
public:
    explicit MutexGuard(Mutex& mutex) : m_mutex(mutex) { m_mutex.lock(); }
    ~MutexGuard() { m_mutex.unlock(); }
    MutexGuard(MutexGuard const&) = delete;
    MutexGuard& operator=(MutexGuard const&) = delete;

private:
    Mutex& m_mutex;
};

// Mesa semantics: a signalled waiter re-acquires the mutex and must re-check its condition.
// Wake order: highest priority first. Locking: the mutex passed to wait() guards the condition.
class ConditionVariable {
public:
    ConditionVariable() = default;
    ConditionVariable(ConditionVariable const&) = delete;
    ConditionVariable& operator=(ConditionVariable const&) = delete;

    // Atomically releases `mutex` (which the caller must hold) and blocks; re-acquires it before
    // returning, also after a timeout. Context: thread.
    void wait(Mutex& mutex);
    [[nodiscard]] ErrorOr<void> wait_timeout(Mutex& mutex, u64 timeout_ns);
    // Context: any (usually with the mutex held).
    void signal();
    void broadcast();
    usize waiter_count() const;

private:
    WaitResult wait_until(Mutex& mutex, u64 deadline_ns, char const* what);

    WaitQueue m_queue;
};

}
