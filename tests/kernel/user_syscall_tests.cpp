// System calls: bad pointers on every call that takes one give EFAULT (t_badptr); the file
// calls validate their arguments (t_files); spawn, exec, wait and exit codes (t_spawn).
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <kernel/test.h>
#include <kstd/enforce.h>

KTEST(user_bad_pointers_efault, CORE_SUITE)
{
    char const* argv[] = { "t_badptr" };
    auto run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, " failed\n");
    EXPECT_OUTPUT(run, ", 0 failed");
    return {};
}

KTEST(user_file_calls_check_arguments, CORE_SUITE)
{
    char const* argv[] = { "t_files" };
    auto run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, "t_files: ");
    return {};
}

KTEST(user_spawn_exec_wait, CORE_SUITE)
{
    char const* argv[] = { "t_spawn" };
    auto run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, "before exec: pid ");
    EXPECT_OUTPUT(run, ": hello exec-worked\n");
    return {};
}
