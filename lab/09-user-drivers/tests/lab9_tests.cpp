// Lab 9: user-mode I/O. The ioperm() system call's kernel side (exercise 1) and a user-mode
// driver for the second UART (exercises 2-4), tested from the outside: the ports a process may
// touch are checked by the CPU itself (the TSS I/O permission bitmap), and the driver's echo is
// checked byte for byte by the grader on COM2 (rubric.toml).
#include "lab9_checks.h"
#include "program_runner.h"
#include <kernel/bus/platform.h>
#include <kernel/io/io.h>
#include <kernel/kernel.h>
#include <kernel/irq/irq.h>
#include <kernel/irq/irqchip.h>
#include <kernel/proc/process.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <uapi/process.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 SLICE_NS = 500'000'000;
constexpr u64 STUCK_AFTER_NS = 3'000'000'000;   // no new interrupt for this long: stuck

// The COM2 registers, looked at after the driver is gone (its ports are free again then).
struct Com2State {
    u8 iir;
    u8 lsr;
    u8 ier;
};

ErrorOr<Com2State> read_com2()
{
    auto ports = TRY(io::reserve_ports(0x2F8, 8, "lab9 test"));
    auto window = ports.window();
    return Com2State { window.read8(2), window.read8(5), window.read8(1) };
}

// Why a driver that stopped making progress is stuck, in the lecture's words.
Error diagnose_stuck(irq::IrqLine line, irq::LineStats const& stats, bool masked, proc::Pid pid)
{
    (void)proc::kill(pid);
    (void)user_test::finish(pid, SLICE_NS);
    if (stats.handled == 0)
        return ktest::fail(__FILE__, __LINE__,
                           "no interrupt from COM2 (line %u) ever arrived: uart_setup must enable the receive "
                           "interrupt in IER (and set OUT2 in MCR)", line);
    if (masked)
        return ktest::fail(__FILE__, __LINE__,
                           "uartd stopped after %lu interrupt(s) and COM2's line %u stayed masked: the kernel masks "
                           "the line each time it fires, and your loop must write 1 to the uio file after serving "
                           "the device to unmask it", stats.handled, line);
    auto com2 = read_com2();
    if (!com2.is_error() && (com2.value().iir & 0x0F) == 0x0C && (com2.value().lsr & 0x01))
        return ktest::fail(__FILE__, __LINE__,
                           "uartd stopped with a character-timeout interrupt pending (IIR %#x, LSR %#x): IIR 0x0C "
                           "means received data too (bytes below the FIFO trigger level); read RBR while LSR.DR",
                           com2.value().iir, com2.value().lsr);
    return ktest::fail(__FILE__, __LINE__,
                       "uartd stopped echoing after %lu interrupt(s) on line %u and never ended: serve every pending "
                       "cause until IIR bit 0 reads 1, then unmask", stats.handled, line);
}

}

ErrorOr<void> lab9::check_ports_program()
{
    char const* argv[] = { "lab9_ports" };
    auto run = TRY(user_test::run(argv));
    if (uapi::wait_signaled(run.status))
        return ktest::fail(__FILE__, __LINE__,
                           "lab9_ports was killed (signal %d) touching a port it had been granted (the report above "
                           "names it): a port ioperm grants must be allowed, and in the TSS bitmap a CLEAR bit "
                           "allows a port", uapi::wait_signal(run.status));
    if (!uapi::wait_exited(run.status) || uapi::wait_exit_code(run.status) != 0) {
        // The program's FAIL lines say which check failed and why.
        StringView output = run.output;
        auto failure = output.find(StringView("FAIL "));
        StringView first = failure.has_value() ? output.substring(*failure + 5) : output;
        auto end = first.find('\n');
        return ktest::fail(__FILE__, __LINE__, "%.*s", int(end.has_value() ? *end : first.length()), first.characters());
    }
    EXPECT_OUTPUT(run, "lab9_ports: all checks passed");
    return {};
}

ErrorOr<void> lab9::check_echo_driver(char const* program)
{
    u64 bytes = kernel_cmdline().get_u64(StringView("lab9.bytes"), 2000);
    char count[24];
    kstd::snprintf(count, sizeof(count), "%lu", bytes);
    platform::PlatformDevice* com2 = platform::find("serial8250", 1);
    EXPECT_MSG(com2, "there is no COM2 (the rubric adds it with a second -serial)");
    auto com2_line = com2->irq_line("irq");
    EXPECT_MSG(com2_line.has_value(), "COM2 has no interrupt line");
    irq::IrqLine line = *com2_line;

    char const* argv[] = { program, count };
    proc::Pid pid = TRY(user_test::start(argv, "ttyS0"));
    u64 last_handled = 0, last_change = time::now_ns();
    for (;;) {
        auto status = proc::wait(pid, SLICE_NS);
        if (!status.is_error()) {
            int s = status.value();
            EXPECT_MSG(uapi::wait_exited(s) && uapi::wait_exit_code(s) == 0,
                       "%s ended with status %#x (killed: see the fault report above; exit code: it failed a call)",
                       program, s);
            return {};
        }
        EXPECT_MSG(status.error().code() == ETIMEDOUT, "waiting for %s: %s", program, status.error().name());
        irq::LineStats stats = irq::line_stats(line);
        if (stats.handled != last_handled) {
            last_handled = stats.handled;
            last_change = time::now_ns();
        } else if (time::now_ns() - last_change > STUCK_AFTER_NS) {
            return diagnose_stuck(line, stats, irq::irqchip().is_masked(line), pid);
        }
    }
}

// Exercise 1: ioperm's kernel side, through a program that probes the CPU's port checks.
KTEST(lab9_ioperm_exact_range, 9)
{
    return lab9::check_ports_program();
}

// Exercises 2-4: uartd echoes what the grader sends to COM2. The grader checks the bytes; this
// test checks that uartd ends cleanly and, if it gets stuck, says why.
KTEST(lab9_uartd_echo, 9)
{
    return lab9::check_echo_driver("uartd");
}
