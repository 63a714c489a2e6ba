// Scheduler tests that need no timer: thread life cycle (spawn, exit codes, join, detach and
// reclamation), priority order, immediate preemption by a higher-priority thread made ready
// from thread context, yield round-robin among equals, set_priority.
#include "sched_test_support.h"
#include <kernel/mm/stacks.h>
#include <kernel/monitor.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

using namespace sched_test;

namespace {

struct ExitArgs {
    int value;
    bool volatile ran;
};

void exit_with_six_times(void* raw)
{
    auto& args = *static_cast<ExitArgs*>(raw);
    args.ran = true;
    sched::exit(args.value * 6);
}

void do_nothing(void*) {}

}

KTEST(sched_spawn_join_exit_code, CORE_SUITE)
{
    usize stacks_before = mm::live_kernel_stacks();
    usize threads_before = sched::thread_count();
    ExitArgs args { 7, false };
    auto* explicit_exit = EXPECT_OK(sched::spawn("exit-42", exit_with_six_times, &args));
    auto* returns = EXPECT_OK(sched::spawn("returns", do_nothing, nullptr));
    EXPECT(kstd::strcmp(sched::name(explicit_exit), "exit-42") == 0);
    EXPECT_NE(sched::id(explicit_exit), sched::id(returns));
    EXPECT_EQ(sched::priority(returns), sched::PRIORITY_DEFAULT);
    EXPECT_EQ(sched::thread_count(), threads_before + 2);

    int code = EXPECT_OK(sched::join(explicit_exit));
    EXPECT_EQ(code, 42);
    EXPECT(args.ran);
    EXPECT_EQ(EXPECT_OK(sched::join(returns)), 0);   // returning from entry is exit(0)
    EXPECT_EQ(mm::live_kernel_stacks(), stacks_before);   // join freed both stacks
    EXPECT_EQ(sched::thread_count(), threads_before);

    EXPECT_ERROR(sched::join(sched::current()), EINVAL);
    EXPECT_ERROR(sched::join(nullptr), EINVAL);
    return {};
}

KTEST(sched_spawn_rejects_bad_arguments, CORE_SUITE)
{
    EXPECT_ERROR(sched::spawn("too-high", do_nothing, nullptr, sched::PRIORITY_MAX + 1), EINVAL);
    EXPECT_ERROR(sched::spawn("too-low", do_nothing, nullptr, sched::PRIORITY_MIN - 1), EINVAL);
    EXPECT_ERROR(sched::spawn("no-entry", nullptr, nullptr), EINVAL);
    return {};
}

namespace {
void wait_on_semaphore(void* raw) { static_cast<sched::Semaphore*>(raw)->down(); }
}

// A detached thread cannot be joined, and the reaper frees its stack once it exits.
KTEST(sched_detach_reclaims, CORE_SUITE)
{
    usize stacks_before = mm::live_kernel_stacks();
    sched::Semaphore release(0);
    auto* thread = EXPECT_OK(sched::spawn("detached", wait_on_semaphore, &release, sched::PRIORITY_DEFAULT + 1));
    EXPECT_EQ(sched::state(thread), sched::ThreadState::Blocked);
    sched::detach(thread);
    EXPECT_ERROR(sched::join(thread), EINVAL);
    release.up();   // it runs at once (higher priority), exits, and the reaper runs next
    for (int i = 0; i < 100 && mm::live_kernel_stacks() != stacks_before; ++i)
        sched::yield();
    EXPECT_EQ(mm::live_kernel_stacks(), stacks_before);
    return {};
}

namespace {
EventLog<16> g_order;
void log_own_priority(void*) { g_order.append(sched::priority(sched::current())); }
}

// Ready threads run highest priority first, whatever order they were created in.
KTEST(sched_priority_order, CORE_SUITE)
{
    g_order.reset();
    sched::Thread* threads[4];
    {
        PriorityScope high(sched::PRIORITY_MAX - 1);   // nobody runs while we create them
        int priorities[4] = { 10, 30, 20, 25 };
        for (int i = 0; i < 4; ++i)
            threads[i] = EXPECT_OK(sched::spawn("prio", log_own_priority, nullptr, priorities[i]));
        EXPECT_EQ(g_order.size(), 0u);
        sched::set_priority(sched::current(), 5);   // now all four outrank us and run, in order
        EXPECT_EQ(g_order.size(), 4u);
    }
    for (auto* thread : threads)
        (void)EXPECT_OK(sched::join(thread));
    EXPECT_EQ(g_order[0], 30);
    EXPECT_EQ(g_order[1], 25);
    EXPECT_EQ(g_order[2], 20);
    EXPECT_EQ(g_order[3], 10);
    return {};
}

namespace {
bool volatile g_high_ran = false;
void mark_high_ran(void*) { g_high_ran = true; }
}

// Making a higher-priority thread ready from a thread switches to it before spawn returns.
KTEST(sched_higher_priority_preempts_on_spawn, CORE_SUITE)
{
    g_high_ran = false;
    auto* low = EXPECT_OK(sched::spawn("lower", do_nothing, nullptr, sched::priority(sched::current()) - 1));
    auto* high = EXPECT_OK(sched::spawn("higher", mark_high_ran, nullptr, sched::priority(sched::current()) + 1));
    EXPECT_MSG(g_high_ran, "a higher-priority thread did not run as soon as it was spawned");
    EXPECT_EQ(sched::state(high), sched::ThreadState::Dead);
    EXPECT_EQ(sched::state(low), sched::ThreadState::Ready);   // lower: waits for us to block
    (void)EXPECT_OK(sched::join(high));
    (void)EXPECT_OK(sched::join(low));
    return {};
}

namespace {
EventLog<32> g_turns;
void take_turns(void* raw)
{
    int who = int(reinterpret_cast<uptr>(raw));
    for (int i = 0; i < 6; ++i) {
        g_turns.append(who);
        sched::yield();
    }
}
}

// yield() among equal priorities is round-robin: strict alternation of two threads.
KTEST(sched_yield_round_robin, CORE_SUITE)
{
    g_turns.reset();
    int level = sched::priority(sched::current()) - 5;
    auto* a = EXPECT_OK(sched::spawn("turn-a", take_turns, reinterpret_cast<void*>(1), level));
    auto* b = EXPECT_OK(sched::spawn("turn-b", take_turns, reinterpret_cast<void*>(2), level));
    (void)EXPECT_OK(sched::join(a));
    (void)EXPECT_OK(sched::join(b));
    EXPECT_EQ(g_turns.size(), 12u);
    for (usize i = 0; i < g_turns.size(); ++i)
        EXPECT_MSG(g_turns[i] == int(i % 2) + 1, "turn %lu was thread %d, expected %d (strict alternation)", i,
                   g_turns[i], int(i % 2) + 1);
    return {};
}

// Lowering your own priority below a ready thread yields to it at once; raising another
// thread above you switches to it at once.
KTEST(sched_set_priority_preempts, CORE_SUITE)
{
    g_high_ran = false;
    int base = sched::priority(sched::current());
    auto* other = EXPECT_OK(sched::spawn("other", mark_high_ran, nullptr, base - 3));
    EXPECT(!g_high_ran);
    {
        PriorityScope lower(base - 5);
        EXPECT_MSG(g_high_ran, "set_priority below a ready thread did not yield to it");
    }
    EXPECT_EQ(sched::priority(sched::current()), base);
    (void)EXPECT_OK(sched::join(other));

    g_high_ran = false;
    other = EXPECT_OK(sched::spawn("raised", mark_high_ran, nullptr, base - 3));
    EXPECT(!g_high_ran);
    sched::set_priority(other, base + 3);
    EXPECT_MSG(g_high_ran, "raising a ready thread above the caller did not switch to it");
    EXPECT_EQ(sched::base_priority(other), base + 3);
    (void)EXPECT_OK(sched::join(other));
    return {};
}

namespace {
struct Census {
    bool saw_main, saw_idle, saw_reaper;
    int idle_priority;
};
void count_thread(sched::ThreadInfo const& info, void* ctx)
{
    auto& census = *static_cast<Census*>(ctx);
    if (kstd::strcmp(info.name, "main") == 0)
        census.saw_main = info.state == sched::ThreadState::Running;
    if (kstd::strcmp(info.name, "idle") == 0) {
        census.saw_idle = true;
        census.idle_priority = info.priority;
    }
    if (kstd::strcmp(info.name, "reaper") == 0)
        census.saw_reaper = true;
}
}

KTEST(sched_threads_listed, CORE_SUITE)
{
    Census census {};
    sched::for_each_thread(count_thread, &census);
    EXPECT_MSG(census.saw_main, "the boot thread 'main' is not listed as running");
    EXPECT(census.saw_idle);
    EXPECT(census.saw_reaper);
    EXPECT_EQ(census.idle_priority, sched::PRIORITY_MIN);
    EXPECT(monitor::execute("threads"));
    return {};
}
