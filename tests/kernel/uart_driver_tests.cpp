// The 16550 driver's own tests (not a lab's): binding to the platform bus's COM ports, the
// console hand-over from the early console, and unbind/rebind. The lab tests of the polled and
// interrupt-driven paths are in lab/01-uart-polling/tests and lab/02-interrupts/tests.
#include <drivers/uart16550_testing.h>
#include <drivers/uart16550.h>
#include <kernel/bus/platform.h>
#include <kernel/dev/devfs.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kernel/kernel.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace uart16550;

constexpr u64 MS = time::NS_PER_MS;

bool requested_irq_mode()
{
    auto word = kernel_cmdline().get("uart.mode");
    return word.has_value() && *word == StringView("irq");
}

ErrorOr<void> expect_bound(unsigned index)
{
    Port* port = uart16550::port(index);
    EXPECT_MSG(port, "COM%u is present but ttyS%u is not bound to uart16550", index + 1, index);
    char expected[8];
    kstd::snprintf(expected, sizeof(expected), "ttyS%u", index);
    EXPECT(kstd::strcmp(name(*port), expected) == 0);
    EXPECT_MSG(!devfs::lookup(StringView(expected)).is_error(), "/dev/%s does not exist", expected);
    Mode const wanted = requested_irq_mode() ? Mode::Irq : Mode::Poll;
    EXPECT_MSG(mode(*port) == wanted, "%s is in %s mode, uart.mode asked for %s", expected, mode_name(mode(*port)),
               mode_name(wanted));
    EXPECT_EQ(baud(*port), 115200u);
    Registers r = registers(*port);
    EXPECT_EQ(r.lcr, 0x03u);
    EXPECT_EQ(r.divisor, 1u);
    EXPECT(r.fifo_enabled);
    // Nobody has /dev/ttySN open: the driver takes no input, so IER has no receive bits in either
    // mode (irq mode enables them at the first open, tty_serial tests check that).
    EXPECT_EQ(r.ier & 0x05u, 0u);
    return {};
}

// Prints one short kernel line with the port in loopback and returns what its receiver got
// (the console's bytes, if it writes through this port; twice as many if the early console
// still wrote too).
usize console_loopback(Port& port, u8* out, usize capacity)
{
    auto tty = uart_test::open_binary(name(port), 50 * MS);
    if (tty.is_error())
        return 0;
    set_loopback(port, true);
    kprint("ucons\n");
    usize got = 0;
    while (got < capacity) {
        auto n = tty.value()->read({ out + got, capacity - got });
        if (n.is_error())
            break;
        got += n.value();
    }
    set_loopback(port, false);
    return got;
}

}

KTEST(uart_driver_binds_ports, CORE_SUITE)
{
    TRY(expect_bound(0));
    if (kernel_cmdline().get_bool(StringView("ktest.com2"), false))
        TRY(expect_bound(1));
    EXPECT(!uart16550::port(3));   // no COM4 on QEMU's default machines

    // COM1's ports: the early console's boot claim stays (shared), and ttyS0 shares it.
    static io::ResourceInfo ports[64];
    usize const count = kstd::min<usize>(io::list_ports(ports), 64);
    bool early = false, mine = false;
    for (usize i = 0; i < count; ++i) {
        if (ports[i].start != 0x3F8)
            continue;
        early = early || kstd::strcmp(ports[i].owner, "early console") == 0;
        mine = mine || (kstd::strcmp(ports[i].owner, "ttyS0") == 0 && ports[i].sharing == io::Sharing::Shared);
    }
    EXPECT_MSG(early && mine, "0x3f8: early console %s, ttyS0 (shared) %s", early ? "listed" : "missing",
               mine ? "listed" : "missing");

    if (requested_irq_mode()) {
        auto line = platform::find("serial8250", 0)->irq_line("irq");
        EXPECT(line.has_value());
        EXPECT_MSG(irq::line_stats(*line).handlers >= 1, "irq mode, but no handler on line %u", *line);
    }
    EXPECT(monitor::execute(StringView("uart")));
    EXPECT(monitor::execute(StringView("uart regs")));
    return {};
}

// Kernel output reaches COM1 through the driver (and only through it) unless console=debugcon.
KTEST(uart_console_through_driver, CORE_SUITE)
{
    Port* port = uart16550::port(0);
    EXPECT_MSG(port, "ttyS0 is not bound");
    auto word = kernel_cmdline().get("console");
    bool const on_serial = !word.has_value() || *word == StringView("ttyS0");
    Stats before = stats(*port);
    u8 echo[32] = {};
    usize got = console_loopback(*port, echo, sizeof(echo));
    Stats after = stats(*port);
    if (!on_serial) {
        EXPECT_MSG(got == 0, "console=debugcon, but %zu bytes of a kernel line reached COM1", got);
        EXPECT_EQ(after.console_bytes, before.console_bytes);
        return {};
    }
    EXPECT_MSG(got == 7 && memcmp(echo, "ucons\r\n", 7) == 0,
               "a kernel line should reach COM1 once, as \"ucons\\r\\n\" (7 bytes); %zu bytes came back%s", got,
               got == 14 ? " (twice: the early console still writes COM1)" : "");
    EXPECT_EQ(after.console_bytes - before.console_bytes, 7u);
    return {};
}

// The driver lets go of COM1 (the early console takes over again) and binds again.
KTEST(uart_unbind_rebind, CORE_SUITE)
{
    platform::PlatformDevice* com1 = platform::find("serial8250", 0);
    EXPECT(com1 && uart16550::port(0));
    auto line = com1->irq_line("irq");
    EXPECT(line.has_value());
    u32 const handlers = irq::line_stats(*line).handlers;
    EXPECT_OK(platform::unbind(*com1));
    EXPECT(!uart16550::port(0));
    EXPECT(devfs::lookup(StringView("ttyS0")).is_error());
    EXPECT_EQ(irq::line_stats(*line).handlers, requested_irq_mode() ? handlers - 1 : handlers);
    kprint("uart-unbound: this line goes out through the early console\n");
    EXPECT_MSG(platform::probe_device(*com1), "serial8250.0 did not bind again");
    TRY(expect_bound(0));
    EXPECT_EQ(irq::line_stats(*line).handlers, handlers);
    u8 echo[32] = {};
    usize got = console_loopback(*uart16550::port(0), echo, sizeof(echo));
    EXPECT_MSG(got == 7, "after rebinding, a kernel line reached COM1 as %zu bytes, expected 7", got);
    return {};
}
