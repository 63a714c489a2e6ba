// Processes: a program runs in ring 3 with its arguments and ends with an exit code; a fault
// kills only the faulting process, with a report naming cause, address and function; kill
// ends a process that spins in user mode; the process table is empty again afterwards.
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <kernel/mm/frames.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/proc/process.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <uapi/process.h>
#include <kstd/enforce.h>

namespace {

using user_test::Run;

}

KTEST(user_hello_arguments, CORE_SUITE)
{
    char const* argv[] = { "hello", "one", "two words" };
    Run run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, "hello from pid ");
    EXPECT_OUTPUT(run, ": hello one two words\n");
    EXPECT_EQ(proc::count(), usize(0));   // collected: nothing left in the table
    return {};
}

KTEST(user_spawn_missing_program, CORE_SUITE)
{
    char const* argv[] = { "no-such-program" };
    EXPECT_ERROR(user_test::run(argv), ENOENT);
    char const* path[] = { "/dev/null" };
    EXPECT_ERROR(user_test::run(path), ENOENT);   // only /bin holds programs
    return {};
}

// Each kind of fault kills the process with the matching signal; the kernel carries on and runs
// the next one. The rubric checks the reports on the console.
KTEST(user_faults_kill_only_the_process, CORE_SUITE)
{
    struct Case {
        char const* kind;
        int signal;
    };
    constexpr Case cases[] = {
        { "null-read", uapi::SIGNAL_SEGV }, { "null-write", uapi::SIGNAL_SEGV },
        { "kernel-read", uapi::SIGNAL_SEGV }, { "rodata-write", uapi::SIGNAL_SEGV },
        { "exec-data", uapi::SIGNAL_SEGV }, { "stack-overflow", uapi::SIGNAL_SEGV },
        { "ud2", uapi::SIGNAL_ILLEGAL }, { "divide", uapi::SIGNAL_ARITHMETIC },
        { "port-out", uapi::SIGNAL_SEGV }, { "port-in", uapi::SIGNAL_SEGV },
    };
    for (Case const& c : cases) {
        char const* argv[] = { "t_fault", c.kind };
        Run run = TRY(user_test::run(argv));
        EXPECT_KILLED(run, c.signal);
        EXPECT_OUTPUT(run, c.kind);   // it got as far as its first line
    }
    EXPECT_EQ(proc::count(), usize(0));
    return {};
}

KTEST(user_kill_spinning_process, CORE_SUITE)
{
    char const* argv[] = { "t_fault", "spin" };
    proc::Pid pid = TRY(user_test::start(argv));
    EXPECT_ERROR(proc::wait(pid, 200'000'000), ETIMEDOUT);   // it spins in ring 3
    EXPECT_OK(proc::kill(pid));
    Run run = TRY(user_test::finish(pid));
    EXPECT_KILLED(run, uapi::SIGNAL_KILL);
    EXPECT_ERROR(proc::kill(pid), ESRCH);
    EXPECT_ERROR(proc::wait(pid, 0), ECHILD);
    return {};
}

// A process asleep in a system call (cat waiting for a line on ttyS0) is woken by kill: the read
// ends with EINTR and the process ends on its way back to ring 3, its status SIGKILL.
KTEST(user_kill_blocked_process, CORE_SUITE)
{
    char const* argv[] = { "cat" };
    proc::Pid pid = TRY(user_test::start(argv, "ttyS0"));
    EXPECT_ERROR(proc::wait(pid, 300'000'000), ETIMEDOUT);   // asleep in read()
    EXPECT_OK(proc::kill(pid));
    Run run = TRY(user_test::finish(pid, 2'000'000'000));
    EXPECT_KILLED(run, uapi::SIGNAL_KILL);
    EXPECT_EQ(proc::count(), usize(0));
    return {};
}

// Processes give back everything: running programs that exit, fault and spawn children leaves
// the kernel heap's live bytes, the user page tables and the frames outside the heap and the
// kernel's own page tables exactly where they were (the heap keeps pages it once grew to, and
// the kernel keeps the tables of its windows, kernel stacks included, for reuse).
KTEST(user_processes_release_memory, CORE_SUITE)
{
    char const* hello[] = { "hello", "warm-up" };
    char const* fault[] = { "t_fault", "null-write" };
    char const* spawner[] = { "t_spawn" };
    (void)TRY(user_test::run(hello));
    (void)TRY(user_test::run(spawner));
    auto frames_outside_heap = [] {
        mm::PagingStats tables = mm::paging_stats();
        return mm::frame_stats().free_frames + mm::heap_usage().arena_bytes / mm::PAGE_SIZE
            + (tables.table_frames - tables.user_table_frames);
    };
    // A process's thread is freed by the reaper shortly after the process is collected: wait
    // for it, so that its kernel stack is counted as free.
    auto settle = [](usize threads) {
        for (int tries = 0; tries < 100 && sched::thread_count() != threads; ++tries)
            sched::sleep_for(10'000'000);
    };
    sched::sleep_for(50'000'000);   // the warm-up's thread is reaped meanwhile
    usize threads = sched::thread_count();
    u64 free_before = frames_outside_heap();
    u64 heap_before = mm::heap_usage().bytes_in_use;
    mm::PagingStats tables_before = mm::paging_stats();
    for (int i = 0; i < 5; ++i) {
        EXPECT_EXIT(TRY(user_test::run(hello)), 0);
        EXPECT_KILLED(TRY(user_test::run(fault)), uapi::SIGNAL_SEGV);
        EXPECT_EXIT(TRY(user_test::run(spawner)), 0);
    }
    settle(threads);
    EXPECT_EQ(sched::thread_count(), threads);
    u64 free_after = frames_outside_heap();
    mm::PagingStats tables_after = mm::paging_stats();
    EXPECT_MSG(free_after == free_before, "%ld frames were not given back after 15 programs",
               long(free_before) - long(free_after));
    EXPECT_EQ(mm::heap_usage().bytes_in_use, heap_before);
    EXPECT_EQ(tables_after.user_table_frames, u64(0));
    EXPECT_EQ(tables_before.user_table_frames, u64(0));
    return {};
}
