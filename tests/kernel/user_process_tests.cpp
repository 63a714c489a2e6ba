// Processes: a program runs in ring 3 with its arguments and ends with an exit code; a fault
// kills only the faulting process, with a report naming cause, address and function; kill
// ends a process that spins in user mode; the process table is empty again afterwards.
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <kernel/proc/process.h>
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
