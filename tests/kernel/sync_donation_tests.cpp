// Mutex priority donation (Pintos priority-donate-one / -multiple / -nest, and a donation that
// is withdrawn when its donor times out), and the Spinlock guard's interrupt-state handling.
#include "sched_test_support.h"
#include <kernel/irq_flags.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

using namespace sched_test;

namespace {

EventLog<8> g_log;

struct Donation {
    sched::Mutex a { "donate-a" };
    sched::Mutex b { "donate-b" };
};

void lock_a_and_log(void* raw)
{
    auto& d = *static_cast<Donation*>(raw);
    sched::MutexGuard guard(d.a);
    g_log.append(sched::priority(sched::current()));
}

}

// Two higher-priority threads block on our mutex: we run at the highest donated priority
// until we unlock; then they run (best first) before unlock returns, and we are back to base.
KTEST(sync_mutex_priority_donation, CORE_SUITE)
{
    g_log.reset();
    Donation d;
    int base = sched::priority(sched::current());
    d.a.lock();
    auto* h1 = EXPECT_OK(sched::spawn("donor-1", lock_a_and_log, &d, base + 5));
    EXPECT_EQ(sched::priority(sched::current()), base + 5);
    auto* h2 = EXPECT_OK(sched::spawn("donor-2", lock_a_and_log, &d, base + 9));
    EXPECT_EQ(sched::priority(sched::current()), base + 9);
    EXPECT_EQ(sched::base_priority(sched::current()), base);
    EXPECT_EQ(d.a.waiter_count(), 2u);
    d.a.unlock();
    EXPECT_EQ(sched::priority(sched::current()), base);
    EXPECT_EQ(g_log.size(), 2u);
    EXPECT_EQ(g_log[0], base + 9);
    EXPECT_EQ(g_log[1], base + 5);
    (void)EXPECT_OK(sched::join(h1));
    (void)EXPECT_OK(sched::join(h2));
    return {};
}

namespace {
void lock_b_then_a(void* raw)
{
    auto& d = *static_cast<Donation*>(raw);
    sched::MutexGuard hold_b(d.b);
    sched::MutexGuard hold_a(d.a);
    g_log.append(1);
}
void lock_b(void* raw)
{
    auto& d = *static_cast<Donation*>(raw);
    sched::MutexGuard hold_b(d.b);
    g_log.append(2);
}
}

// Nested: high waits for B held by medium, which waits for A held by us. High's priority
// reaches us through medium.
KTEST(sync_mutex_nested_donation, CORE_SUITE)
{
    g_log.reset();
    Donation d;
    int base = sched::priority(sched::current());
    d.a.lock();
    auto* medium = EXPECT_OK(sched::spawn("medium", lock_b_then_a, &d, base + 4));
    EXPECT_EQ(sched::priority(sched::current()), base + 4);
    auto* high = EXPECT_OK(sched::spawn("high", lock_b, &d, base + 8));
    EXPECT_EQ(sched::priority(medium), base + 8);
    EXPECT_EQ(sched::priority(sched::current()), base + 8);
    d.a.unlock();
    // medium ran (at high's priority) and released B; high ran; both before unlock returned.
    EXPECT_EQ(sched::priority(sched::current()), base);
    EXPECT_EQ(g_log.size(), 2u);
    EXPECT_EQ(g_log[0], 1);
    EXPECT_EQ(g_log[1], 2);
    (void)EXPECT_OK(sched::join(medium));
    (void)EXPECT_OK(sched::join(high));
    return {};
}

namespace {
struct TimedDonor {
    sched::Mutex mutex { "timed" };
    int volatile result { -1 };
};
void lock_with_timeout(void* raw)
{
    auto& t = *static_cast<TimedDonor*>(raw);
    auto locked = t.mutex.lock_timeout(20 * MS);
    t.result = locked.is_error() ? locked.error().code() : 0;
    if (!locked.is_error())
        t.mutex.unlock();
}
}

// A donor that gives up (timeout) takes its donation back.
KTEST(sync_mutex_donation_withdrawn_on_timeout, CORE_SUITE)
{
    TimedDonor t;
    int base = sched::priority(sched::current());
    t.mutex.lock();
    auto* donor = EXPECT_OK(sched::spawn("timed-donor", lock_with_timeout, &t, base + 6));
    EXPECT_EQ(sched::priority(sched::current()), base + 6);
    sched::sleep_for(40 * MS);
    int after = sched::priority(sched::current());
    t.mutex.unlock();
    (void)EXPECT_OK(sched::join(donor));
    EXPECT_EQ(t.result, int(ETIMEDOUT));
    EXPECT_MSG(after == base, "priority %d after the donor timed out, expected %d", after, base);
    EXPECT_EQ(t.mutex.waiter_count(), 0u);
    return {};
}

KTEST(sync_spinlock_guard_restores_interrupts, CORE_SUITE)
{
    sched::Spinlock outer("outer"), inner("inner");
    EXPECT(arch::interrupts_are_enabled());
    {
        sched::SpinlockGuard a(outer);
        EXPECT(outer.is_locked());
        EXPECT(!arch::interrupts_are_enabled());
        {
            sched::SpinlockGuard b(inner);
            EXPECT(inner.is_locked());
        }
        EXPECT(!inner.is_locked());
        EXPECT_MSG(!arch::interrupts_are_enabled(), "the inner guard re-enabled interrupts under the outer lock");
    }
    EXPECT(!outer.is_locked());
    EXPECT(arch::interrupts_are_enabled());

    arch::disable_interrupts_now();
    {
        sched::SpinlockGuard a(outer);
    }
    bool stayed_off = !arch::interrupts_are_enabled();
    arch::enable_interrupts_now();
    EXPECT_MSG(stayed_off, "a guard taken with interrupts off turned them on");
    return {};
}
