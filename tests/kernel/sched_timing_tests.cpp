// Scheduler tests that need the tick: sleeping (Pintos alarm-multiple style wake-up order,
// durations), time-slice round-robin between busy threads, preemption of a busy thread when a
// higher-priority sleeper's deadline passes, idle-time accounting. All times come from the TSC
// clock (time::now_ns); nothing here counts ticks, which TCG loses.
#include "sched_test_support.h"
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

using namespace sched_test;

namespace {

// --- alarm-multiple ---------------------------------------------------------------------------
// THREADS sleepers; sleeper k (1-based) wakes at start + i * k * 10 ms + k * 200 us for
// i = 1..ITERATIONS. Products i * k repeat across threads (6 = 1*6 = 2*3 = 3*2); the k * 200 us
// offset makes every deadline distinct, so the exact wake-up order is known in advance.
constexpr int THREADS = 5;
constexpr int ITERATIONS = 7;
constexpr u64 STEP_NS = 10 * MS;
constexpr u64 OFFSET_NS = 200 * time::NS_PER_US;

struct Alarm {
    u64 start;
    EventLog<THREADS * ITERATIONS> order;   // k * 100 + i, in wake-up order
    u64 volatile worst_early_ns;            // > 0 if anyone woke before its deadline
};
Alarm g_alarm;

u64 alarm_deadline(int k, int i) { return g_alarm.start + u64(i) * u64(k) * STEP_NS + u64(k) * OFFSET_NS; }

void alarm_sleeper(void* raw)
{
    int k = int(reinterpret_cast<uptr>(raw));
    for (int i = 1; i <= ITERATIONS; ++i) {
        u64 deadline = alarm_deadline(k, i);
        sched::sleep_until(deadline);
        u64 now = time::now_ns();
        if (now < deadline && deadline - now > g_alarm.worst_early_ns)
            g_alarm.worst_early_ns = deadline - now;
        g_alarm.order.append(k * 100 + i);
    }
}

// The expected order: all (k, i) sorted by deadline (selection sort; 35 entries).
void expected_alarm_order(int* out)
{
    bool taken[THREADS + 1][ITERATIONS + 1] {};
    for (int n = 0; n < THREADS * ITERATIONS; ++n) {
        int best_k = 0, best_i = 0;
        for (int k = 1; k <= THREADS; ++k) {
            for (int i = 1; i <= ITERATIONS; ++i) {
                if (!taken[k][i] && (best_k == 0 || alarm_deadline(k, i) < alarm_deadline(best_k, best_i))) {
                    best_k = k;
                    best_i = i;
                }
            }
        }
        taken[best_k][best_i] = true;
        out[n] = best_k * 100 + best_i;
    }
}

}

KTEST(sched_sleep_order, CORE_SUITE)
{
    g_alarm.order.reset();
    g_alarm.worst_early_ns = 0;
    g_alarm.start = sched::deadline_after(20 * MS);
    sched::Thread* sleepers[THREADS];
    for (int k = 1; k <= THREADS; ++k)
        sleepers[k - 1] = EXPECT_OK(sched::spawn("sleeper", alarm_sleeper, reinterpret_cast<void*>(uptr(k)),
                                                 sched::PRIORITY_DEFAULT + 10));
    for (auto* sleeper : sleepers)
        (void)EXPECT_OK(sched::join(sleeper));

    EXPECT_EQ(g_alarm.worst_early_ns, 0u);
    EXPECT_EQ(g_alarm.order.size(), usize(THREADS * ITERATIONS));
    int expected[THREADS * ITERATIONS];
    expected_alarm_order(expected);
    for (int n = 0; n < THREADS * ITERATIONS; ++n)
        EXPECT_MSG(g_alarm.order[n] == expected[n],
                   "wake-up %d was thread %d iteration %d, expected thread %d iteration %d", n,
                   g_alarm.order[n] / 100, g_alarm.order[n] % 100, expected[n] / 100, expected[n] % 100);
    return {};
}

KTEST(sched_sleep_duration, CORE_SUITE)
{
    for (u64 ms : { 1, 5, 25 }) {
        u64 start = time::now_ns();
        sched::sleep_for(ms * MS);
        u64 slept = time::now_ns() - start;
        EXPECT_MSG(slept >= ms * MS, "sleep_for(%lu ms) returned after %lu us", ms, slept / time::NS_PER_US);
        EXPECT_MSG(slept < ms * MS + 50 * MS, "sleep_for(%lu ms) took %lu us", ms, slept / time::NS_PER_US);
    }
    u64 before = time::now_ns();
    sched::sleep_until(before - 1);   // a deadline in the past returns at once
    sched::sleep_for(0);
    EXPECT(time::now_ns() - before < 5 * MS);
    return {};
}

namespace {
// --- time slices ------------------------------------------------------------------------------
// Measured in delivered ticks: TCG drops ticks when the host is busy, and a slice is a number
// of ticks, so runs are counted in ticks and the spin lasts a number of ticks.
constexpr u64 SPIN_TICKS = 40;
constexpr usize MAX_RUNS = 64;

struct Spin {
    u64 end_tick;
    u64 give_up_ns;
    int who[MAX_RUNS];
    u64 first_tick[MAX_RUNS];   // time::ticks() when that run was first seen
    usize volatile runs;
};
Spin g_spin;

void note_run(int who)
{
    InterruptsDisabled guard;
    usize n = g_spin.runs;
    if (n > 0 && n <= MAX_RUNS && g_spin.who[n - 1] == who)
        return;
    if (n < MAX_RUNS) {
        g_spin.who[n] = who;
        g_spin.first_tick[n] = time::ticks();
    }
    g_spin.runs = n + 1;
}

void spin_for_ticks(void* raw)
{
    int who = int(reinterpret_cast<uptr>(raw));
    while (time::ticks() < g_spin.end_tick && time::now_ns() < g_spin.give_up_ns)
        note_run(who);   // never yields: only the tick can switch
}
}

// Two busy threads of equal priority share the CPU in slices of TIME_SLICE_TICKS ticks.
KTEST(sched_time_slice_round_robin, CORE_SUITE)
{
    g_spin.runs = 0;
    g_spin.end_tick = time::ticks() + SPIN_TICKS;
    g_spin.give_up_ns = sched::deadline_after(2000 * MS);
    int level = sched::priority(sched::current()) - 1;
    auto* a = EXPECT_OK(sched::spawn("spin-a", spin_for_ticks, reinterpret_cast<void*>(1), level));
    auto* b = EXPECT_OK(sched::spawn("spin-b", spin_for_ticks, reinterpret_cast<void*>(2), level));
    (void)EXPECT_OK(sched::join(a));
    (void)EXPECT_OK(sched::join(b));
    EXPECT_MSG(time::ticks() >= g_spin.end_tick, "fewer than %lu ticks in 2 s: is the tick running?", SPIN_TICKS);
    usize runs = kstd::min(usize(g_spin.runs), MAX_RUNS);
    u64 longest = 0;
    for (usize i = 1; i + 1 < runs; ++i)   // complete runs only: the first and last are partial
        longest = kstd::max(longest, g_spin.first_tick[i + 1] - g_spin.first_tick[i]);
    ktest::note("%lu runs in %lu ticks between two busy threads, longest %lu ticks", runs, SPIN_TICKS, longest);
    EXPECT_MSG(runs >= SPIN_TICKS / sched::TIME_SLICE_TICKS / 2, "only %lu runs in %lu ticks: busy equal-priority "
               "threads were not time-sliced", runs, SPIN_TICKS);
    EXPECT_MSG(longest <= sched::TIME_SLICE_TICKS + 1, "a run lasted %lu ticks; the slice is %u", longest,
               sched::TIME_SLICE_TICKS);
    return {};
}

namespace {
// --- preemption by a waking sleeper -----------------------------------------------------------
// Latency is judged in ticks as well as in time: when the host does not run the vCPU for a
// while (TCG under load), wall-clock time passes without ticks, and no kernel can do better.
// What the kernel controls is that the first tick at or after the deadline runs the sleeper
// at once (in that tick's interrupt exit), not at the end of the busy thread's time slice
// (TIME_SLICE_TICKS later) or when it finishes.
struct Preempt {
    bool volatile stop;
    u64 volatile spins;
    u64 deadline;
    u64 volatile ticks_past_deadline;   // tick count when busy-low first saw the deadline pass
    u64 woke_at;
    u64 ticks_at_wake;
    u64 spins_at_wake;
};
Preempt g_preempt;

void busy_low(void*)
{
    u64 give_up = sched::deadline_after(2000 * MS);
    for (;;) {
        u64 now = time::now_ns();
        if (g_preempt.stop || now >= give_up)
            return;
        if (now >= g_preempt.deadline && g_preempt.ticks_past_deadline == 0)
            g_preempt.ticks_past_deadline = time::ticks();
        g_preempt.spins = g_preempt.spins + 1;
    }
}

void sleepy_high(void*)
{
    sched::sleep_until(g_preempt.deadline);
    g_preempt.ticks_at_wake = time::ticks();
    g_preempt.woke_at = time::now_ns();
    g_preempt.spins_at_wake = g_preempt.spins;
    g_preempt.stop = true;
}
}

// A busy low-priority thread is preempted when a high-priority sleeper's deadline passes.
KTEST(sched_preempt_on_wake, CORE_SUITE)
{
    g_preempt.stop = false;
    g_preempt.spins = 0;
    g_preempt.ticks_past_deadline = 0;
    g_preempt.deadline = sched::deadline_after(30 * MS);
    int base = sched::priority(sched::current());
    auto* high = EXPECT_OK(sched::spawn("sleepy-high", sleepy_high, nullptr, base + 10));   // runs, sleeps
    auto* low = EXPECT_OK(sched::spawn("busy-low", busy_low, nullptr, base - 10));
    (void)EXPECT_OK(sched::join(high));   // we block: busy-low gets the CPU
    (void)EXPECT_OK(sched::join(low));
    EXPECT_MSG(g_preempt.spins_at_wake > 0, "the low-priority thread never ran before the high one woke");
    EXPECT(g_preempt.woke_at >= g_preempt.deadline);
    u64 late = g_preempt.woke_at - g_preempt.deadline;
    u64 seen = g_preempt.ticks_past_deadline;
    u64 late_ticks = seen ? g_preempt.ticks_at_wake - seen : 0;
    ktest::note("high-priority sleeper ran %lu us (%lu ticks) after its deadline", late / time::NS_PER_US,
                late_ticks);
    EXPECT_MSG(late_ticks <= 1, "the sleeper ran %lu ticks after busy-low saw its deadline pass: the waking tick "
               "did not preempt the busy thread", late_ticks);
    EXPECT_MSG(late < 50 * MS, "the high-priority thread ran %lu us after its deadline (busy thread not preempted?)",
               late / time::NS_PER_US);
    return {};
}

// While every thread sleeps the idle thread runs, and its time is accounted.
KTEST(sched_idle_accounting, CORE_SUITE)
{
    u64 start = time::now_ns();
    u64 idle_before = sched::idle_ns();
    sched::sleep_for(50 * MS);
    u64 idle = sched::idle_ns() - idle_before;
    u64 elapsed = time::now_ns() - start;
    u64 busy_percent = elapsed ? (elapsed - kstd::min(idle, elapsed)) * 100 / elapsed : 0;
    ktest::note("50 ms sleep: %lu us of %lu us idle (CPU busy %lu%%)", idle / time::NS_PER_US,
                elapsed / time::NS_PER_US, busy_percent);
    // Loose on purpose: the host may stall the vCPU while a thread (not idle) is running.
    EXPECT_MSG(idle >= 25 * MS, "only %lu us of a 50 ms sleep were accounted as idle", idle / time::NS_PER_US);
    EXPECT_MSG(idle <= elapsed, "idle time %lu us exceeds the %lu us that passed", idle / time::NS_PER_US,
               elapsed / time::NS_PER_US);
    EXPECT(sched::busy_ns() + sched::idle_ns() <= time::now_ns());
    return {};
}
