// The guest side of `make bench-user` (tools/bench_user.py): what user space costs, measured.
// `make check` runs it as a smoke test with a few rounds (a benchmark judges no speed).
//   * a system call: getpid(), and a one-byte read() of /dev/zero (ubench syscall);
//   * a one-byte read through the TTY, COM2 (ttyS1) in irq mode in loopback: the round trip
//     write -> THR -> RBR -> receive interrupt -> top half -> TTY -> read() returns, and a read
//     of a byte that is already buffered (ubench tty);
//   * an interrupt round trip on the same UART, in loopback: the kernel's own 16550 driver and
//     TTY (a kernel thread writes a byte and sleeps in read() until the top half and the TTY's
//     bottom half have delivered it: with the driver's receive trigger level of 14, a lone byte
//     arrives by character timeout); then the
//     same UART programmed like the user-mode driver does it (trigger level 1), once by a
//     minimal in-kernel driver (top half reads RBR and wakes the thread) and once by a
//     user-mode driver through /dev/uio0 with ioperm (t_uio loopback): like for like.
// Each result is a ktest::note line "user_bench KEY=VALUE ...", which the script parses.
// user.bench.rounds=N sets the number of round trips (default 2000).
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <drivers/uart16550.h>
#include <kernel/bus/platform.h>
#include <kernel/dev/devfs.h>
#include <kernel/tty/termios.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kernel/sched/sync.h>
#include <kernel/kernel.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kernel/uio/uio.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

// The program's "ubench ..." line, reported as a user_bench note.
ErrorOr<void> run_and_report(Span<char const* const> argv, char const* marker)
{
    auto run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    auto at = run.output.find(StringView(marker));
    EXPECT_MSG(at.has_value(), "%s printed no '%s' line: %s", argv[0], marker, run.output.characters());
    StringView line = run.output.substring(*at);
    auto end = line.find('\n');
    ktest::note("user_bench %.*s", int(end.has_value() ? *end : line.length()), line.characters());
    return {};
}

// The kernel's own 16550 driver and TTY, from a kernel thread: the same round trip as ubench's
// TTY measurement, without the system calls.
ErrorOr<void> kernel_driver_round_trip(u64 rounds)
{
    auto file = TRY(devfs::open(StringView("/dev/ttyS1"), dev::OpenFlags::ReadWrite));
    EXPECT_EQ(TRY(file->ioctl(uart16550::IOCTL_GET_MODE)), u64(uart16550::Mode::Irq));
    tty::Termios saved;
    TRY(file->ioctl(tty::TCGETS, uptr(&saved)));
    tty::Termios raw = tty::raw_termios();
    raw.onlcr = false;
    TRY(file->ioctl(tty::TCSETS, uptr(&raw)));
    TRY(file->ioctl(uart16550::IOCTL_SET_LOOPBACK, 1));
    file->set_timeout_ns(time::NS_PER_S);
    u64 start = time::now_ns();
    for (u64 i = 0; i < rounds; ++i) {
        u8 out = u8(i), in = 0;
        EXPECT_EQ(TRY(file->write(ReadonlyBytes(&out, 1))), usize(1));
        EXPECT_EQ(TRY(file->read(Bytes(&in, 1))), usize(1));
        EXPECT_EQ(in, out);
    }
    u64 ns = time::now_ns() - start;
    TRY(file->ioctl(uart16550::IOCTL_SET_LOOPBACK, 0));
    TRY(file->ioctl(tty::TCSETS, uptr(&saved)));
    ktest::note("user_bench kernel_driver rounds=%lu round_trip_ns=%lu", rounds, ns / rounds);
    return {};
}

// A minimal in-kernel driver for COM2 in loopback, set up as t_uio's user-mode one is (FIFO on,
// trigger level 1, receive interrupt only): the top half reads the byte and wakes the thread.
struct MinimalDriver {
    io::PortWindow window;
    sched::WaitQueue arrived;
    u32 volatile received { 0 };
    u8 volatile last { 0 };
};

irq::IrqReturn minimal_top_half(void* ctx)
{
    auto& driver = *static_cast<MinimalDriver*>(ctx);
    u8 iir = driver.window.read8(2);
    if (iir & 1)
        return irq::IrqReturn::None;
    while (driver.window.read8(5) & 1) {
        driver.last = driver.window.read8(0);
        driver.received = driver.received + 1;
    }
    driver.arrived.wake_all();
    return irq::IrqReturn::Handled;
}

ErrorOr<void> minimal_driver_round_trip(irq::IrqLine line, u64 rounds)
{
    auto ports = TRY(io::reserve_ports(0x2F8, 8, "user_bench"));
    MinimalDriver driver;
    driver.window = ports.window();
    auto& w = driver.window;
    w.write8(1, 0);          // IER off while programming
    w.write8(3, 0x80);       // DLAB
    w.write8(0, 1);
    w.write8(1, 0);
    w.write8(3, 0x03);       // 8N1
    w.write8(2, 0x07);       // FIFO on and cleared, trigger level 1
    w.write8(4, 0x1B);       // DTR RTS OUT2 LOOP
    auto handle = TRY(irq::request_irq(line, minimal_top_half, &driver, irq::IrqFlags::None, "user_bench"));
    w.write8(1, 0x01);       // receive interrupt
    u64 start = time::now_ns();
    for (u64 i = 0; i < rounds; ++i) {
        u32 before = driver.received;
        w.write8(0, u8(i));
        EXPECT_OK(driver.arrived.wait_event_until([&] { return driver.received != before; },
                                                  sched::deadline_after(time::NS_PER_S)));
        EXPECT_EQ(driver.last, u8(i));
    }
    u64 ns = time::now_ns() - start;
    w.write8(1, 0);
    w.write8(4, 0);
    ktest::note("user_bench minimal_kernel_driver rounds=%lu round_trip_ns=%lu", rounds, ns / rounds);
    return {};
}

}

KTEST(user_bench, CORE_SUITE)
{
    u64 rounds = kernel_cmdline().get_u64(StringView("user.bench.rounds"), 2000);
    char count[24];
    kstd::snprintf(count, sizeof(count), "%lu", rounds);
    char calls[24];
    kstd::snprintf(calls, sizeof(calls), "%lu", rounds * 50);

    char const* syscall[] = { "ubench", "syscall", calls };
    TRY(run_and_report(syscall, "ubench syscall"));
    char const* tty[] = { "ubench", "tty", "/dev/ttyS1", count };
    TRY(run_and_report(tty, "ubench tty"));
    TRY(kernel_driver_round_trip(rounds));

    platform::PlatformDevice* com2 = platform::find("serial8250", 1);
    EXPECT(com2);
    auto line = com2->irq_line("irq");
    EXPECT(line.has_value());
    EXPECT_OK(platform::unbind(*com2));   // the kernel's 16550 driver lets go of COM2
    TRY(minimal_driver_round_trip(*line, rounds));
    EXPECT_OK(uio::bind(StringView("serial8250.1")));
    char const* uio_loop[] = { "t_uio", "loopback", count };
    auto run = TRY(user_test::run(uio_loop));
    EXPECT_EXIT(run, 0);
    auto at = run.output.find(StringView(" ns per round trip"));
    EXPECT(at.has_value());
    usize begin = *at;
    while (begin > 0 && run.output[begin - 1] != ' ')
        --begin;
    ktest::note("user_bench user_driver rounds=%lu round_trip_ns=%.*s", rounds, int(*at - begin),
                run.output.characters() + begin);
    return {};
}
