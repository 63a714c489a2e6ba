// A user program reads and writes /dev/ttyS0 with the UART in irq mode: the host sends bytes
// it picked, the program echoes them through read() and write(), and the host checks every
// byte that comes back (tests/kernel/rubric.toml has the serial peer).
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <drivers/uart16550.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <uapi/serial.h>
#include <kstd/enforce.h>

// include/uapi/serial.h is a user program's view of the UART driver's interface: they must agree.
static_assert(sizeof(uapi::SerialStats) == sizeof(uart16550::Stats));
static_assert(offsetof(uapi::SerialStats, rx_interrupts) == offsetof(uart16550::Stats, rx_interrupts));
static_assert(offsetof(uapi::SerialStats, polls) == offsetof(uart16550::Stats, polls));
static_assert(uapi::SERIAL_GET_STATS == uart16550::IOCTL_GET_STATS && uapi::SERIAL_GET_MODE == uart16550::IOCTL_GET_MODE);
static_assert(uapi::SERIAL_DRAIN == uart16550::IOCTL_DRAIN && uapi::SERIAL_SET_LOOPBACK == uart16550::IOCTL_SET_LOOPBACK);
static_assert(u32(uapi::SerialMode::Irq) == u32(uart16550::Mode::Irq));

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

// The shell on tty0 (the PS/2 keyboard and the VGA text screen): the grader types through QMP
// and reads the screen (tests/kernel/rubric.toml).
KTEST(user_shell_on_tty0, CORE_SUITE)
{
    char const* argv[] = { "sh" };
    proc::Pid pid = TRY(user_test::start(argv, "tty0"));
    TRY(user_test::wait_until_asleep(pid));   // its prompt is on the screen: keys may come
    diag_print("@@CONDUIT ready name=user_shell_on_tty0 nonce=%s\n", ktest::nonce());
    auto run = TRY(user_test::finish(pid));
    // The grader's keyboard peer finishes its last step ("exit 5\n") only after the key's hold
    // time; ending the run at once would cut that step short.
    sched::sleep_for(time::NS_PER_S);
    EXPECT_EXIT(run, 5);
    return {};
}

// The whole path of the lecture from user space: dd in a shell reads the IDE disk through
// read() on /dev/hda, the block class, and the ATA driver (tests/kernel/rubric.toml).
KTEST(user_shell_dd_disk, CORE_SUITE)
{
    char const* argv[] = { "sh" };
    auto run = TRY(user_test::run(argv, "ttyS0"));
    EXPECT_EXIT(run, 0);
    return {};
}
