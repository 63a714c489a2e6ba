// 16550 UART driver: COM1-COM4 (the platform bus's serial8250.0-3) as ttyS0-ttyS3, through
// the TTY core (include/kernel/tty/tty.h). This file is the platform driver: probe, remove, the
// choice of mode, and the `uart` monitor command. docs/writing-a-driver.md walks through it.
//
// Hardware: National Semiconductor PC16550D and compatibles (16550A: 16-byte FIFOs), as QEMU
// emulates it. Registers and datasheet sections: uart16550_regs.h.
//
// Modes (`uart.mode=poll|irq`, default poll; one mode for every port) are ops tables
// (poll_mode.cpp, irq_mode.cpp), chosen once here. If irq mode cannot start (lab 2 not written
// yet, no IRQ line), the port stays in poll mode and says so in the log.
//
// COM1 is also the early console's (arch/x86_64/early_console.cpp). The driver shares the I/O
// reservation with it (io::Sharing::Shared, as kernel/io/fixed_ranges.cpp allows) and takes
// the console over in console.cpp.
//
// Known limitations: 8N1 only; no modem-control or hardware flow control (RTS/CTS), so no
// hang-up on DCD; `uart.mode` and `uart.baud` apply to every port; the mode is fixed at boot.
#include "uart16550.h"
#include <kernel/kernel.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

Port* g_ports[MAX_PORTS] {};   // Guarded by the platform bus mutex (probe/remove); read by threads

UartModeOps const& requested_mode()
{
    auto word = kernel_cmdline().get("uart.mode");
    if (!word.has_value() || *word == StringView("poll"))
        return poll_mode_ops;
    if (*word == StringView("irq"))
        return irq_mode_ops;
    log_warn("uart16550: uart.mode=%.*s is not poll or irq; using poll\n", int(word->length()),
             word->characters());
    return poll_mode_ops;
}

// The mode's table, chosen once: the requested one (or a purpose-made wrong one standing in for
// it, include/kernel/selftest.h); poll mode when it cannot start.
void start_mode(Port& port)
{
    UartModeOps const& wanted = selftest::WrongOps<UartModeOps>::choose(requested_mode());
    port.m_mode = &wanted;
    if (auto started = wanted.start(port); started.is_error()) {
        wanted.stop(port);
        port.m_mode = &poll_mode_ops;
        log_error("uart16550: %s: %s mode unavailable (%s); staying in poll mode\n", port.m_name, wanted.name,
                  started.error().name());
    }
}

ErrorOr<void> probe(platform::PlatformDevice& device)
{
    unsigned const index = device.instance();
    if (index >= MAX_PORTS)
        return Error::from_errno(ENODEV);
    auto port = TRY(kstd::make<Port>(device, index));
    // Shared with the early console's boot claim on COM1 (see the file comment).
    port->m_ports = TRY(device.reserve_ports("io", port->m_name, io::Sharing::Shared));
    port->m_uart.io = port->m_ports.window();

    u32 const baud = u32(kernel_cmdline().get_u64("uart.baud", MAX_BAUD));
    if (auto init = port->locked([baud](Uart& uart) { return init_hardware(uart, baud); }); init.is_error()) {
        log_warn("uart16550: %s: init at %u baud failed: %s\n", port->m_name, baud, init.error().name());
        return init.release_error();
    }
    start_mode(*port);
    if (auto tty = tty::register_tty(port->m_name, *port); tty.is_error()) {
        port->m_mode->stop(*port);
        return tty.release_error();
    } else {
        port->m_tty = tty.release_value();
    }
    log_info("uart16550: %s at %#x irq %u: 16550%s, %u baud, %s mode\n", port->m_name,
             port->m_ports.base(), device.resource("irq").has_value() ? device.resource("irq")->start : 0,
             port->m_uart.fifo_enabled ? "A with FIFOs" : " without FIFOs", port->m_uart.baud, port->m_mode->name);
    g_ports[index] = port.ptr();
    console_attach(*port);
    device.adopt_driver_state(kstd::move(port));
    return {};
}

// Quiesce in order: no more kernel output through the port; no more pushes (the mode stops its
// interrupt or poller); then the TTY hangs up and goes (readers get ENODEV).
void remove(platform::PlatformDevice& device)
{
    Port* port = device.driver_state_as<Port>();
    if (!port)
        return;
    console_detach(*port);
    g_ports[port->m_index] = nullptr;
    port->m_mode->stop(*port);
    port->m_tty.unregister();   // waits until no call is inside; the last release shuts down
}

constexpr platform::PlatformDriver uart_driver {
    .name = "uart16550",
    .match = "serial8250",
    .probe = probe,
    .remove = remove,
};
KERNEL_PLATFORM_DRIVER(uart_driver)

}

Port* port(unsigned index) { return index < MAX_PORTS ? g_ports[index] : nullptr; }

}

// --- the `uart` monitor command ----------------------------------------------------------------

namespace {

void print_port(uart16550::Port& port)
{
    using namespace uart16550;
    Stats s = stats(port);
    tty::TtyStats const t = port.stats();
    kprint("%-6s 0x%03x %-4s %6u %10lu %10lu %8lu %7lu %7lu %5lu %5lu %5lu %8lu\n", port.m_name,
           port.m_ports.base(), port.m_mode->name, port.m_uart.baud, s.bytes_in, s.bytes_out, s.interrupts,
           s.tx_interrupts, s.rx_interrupts, s.overruns, s.framing_errors, s.parity_errors, t.writer_sleeps);
}

}

MONITOR_COMMAND(uart, "uart", "16550 ports: mode, counters; 'uart regs' adds registers, 'uart reset' zeroes counters")
{
    using namespace uart16550;
    bool const show_registers = args.trim() == StringView("regs");
    bool const reset = args.trim() == StringView("reset");
    kprint("port   base  mode   baud   bytes-in  bytes-out     irqs tx-irqs rx-irqs   ovr    fe    pe tx-waits\n");
    unsigned shown = 0;
    for (unsigned i = 0; i < MAX_PORTS; ++i) {
        Port* p = port(i);
        if (!p)
            continue;
        ++shown;
        if (reset)
            (void)ioctl(*p, IOCTL_RESET_STATS);
        print_port(*p);
        if (show_registers) {
            Registers r = registers(*p);
            kprint("       IER %02x LCR %02x MCR %02x LSR %02x MSR %02x SCR %02x divisor %u (%u baud), FIFOs %s",
                   r.ier, r.lcr, r.mcr, r.lsr, r.msr, r.scr, r.divisor, r.divisor ? MAX_BAUD / r.divisor : 0,
                   r.fifo_enabled ? "on" : "off");
            if (r.iir_read)
                kprint(", IIR %02x", r.iir);
            kprint("\n");
        }
    }
    if (!shown) {
        kprint("(no 16550 port is bound to the driver)\n");
        return;
    }
    // What each counter counts (include/drivers/uart16550.h, struct Stats), said where it is seen.
    kprint("bytes-in/out: bytes between the UART and the TTY (the kernel console's polled output is not counted)\n"
           "irqs: top-half runs that found this UART interrupting (IIR bit 0 clear); one run may serve\n"
           "  several causes, so tx-irqs + rx-irqs can exceed irqs: tx-irqs counts THRE causes (a FIFO refill\n"
           "  each), rx-irqs receive causes (data, character timeout, line status)\n"
           "ovr/fe/pe: overruns, framing and parity errors seen in LSR; tx-waits: writers that slept for room\n");
}
