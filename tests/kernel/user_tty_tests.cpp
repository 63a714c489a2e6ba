// A user program reads and writes /dev/ttyS0 with the UART in irq mode: the host sends bytes
// it picked, the program echoes them through read() and write(), and the host checks every
// byte that comes back (tests/kernel/rubric.toml has the serial peer).
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <kernel/test.h>
#include <kstd/enforce.h>

KTEST(user_tty_read_write_irq, CORE_SUITE)
{
    char const* argv[] = { "t_tty", "4096" };
    auto run = TRY(user_test::run(argv, "ttyS0"));
    EXPECT_EXIT(run, 0);
    return {};
}

// The shell on ttyS0: the host types commands (tests/kernel/rubric.toml has them), the shell runs
// the tools, and its exit status comes back here.
KTEST(user_shell_session, CORE_SUITE)
{
    char const* argv[] = { "sh" };
    auto run = TRY(user_test::run(argv, "ttyS0"));
    EXPECT_EXIT(run, 7);
    return {};
}
