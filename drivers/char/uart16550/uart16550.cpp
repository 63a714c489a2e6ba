// 16550 UART driver: COM1-COM4 (the platform bus's serial8250.0-3) as ttyS0-ttyS3.
//
// Hardware: National Semiconductor PC16550D and compatibles (16550A: 16-byte FIFOs), as QEMU
// emulates it. Registers and datasheet sections: uart16550_regs.h.
//
// Modes (`uart.mode=poll|irq`, default poll; one mode for every port), behind one ops table:
//   poll  programmed I/O by polling: putc spins on LSR.THRE, getc on LSR.DR (poll.cpp, lab 1).
//   irq   a TX queue drained by THRE interrupts, enabled only while the queue holds bytes, and
//         an RX ring filled by the top half; readers and writers sleep (irq.cpp, lab 2).
// If irq mode cannot start (lab 2 not written yet, no IRQ line), the port stays in poll mode
// and says so in the log.
//
// COM1 is also the early console's (arch/x86_64/early_console.cpp). The driver shares the I/O
// reservation with it (io::Sharing::Shared, as kernel/io/fixed_ranges.cpp allows) and takes
// the console over in console.cpp.
//
// Known limitations: 8N1 only; no modem-control or hardware flow control (RTS/CTS); `uart.mode`
// and `uart.baud` apply to every port; the mode is fixed at boot.
#include "uart16550.h"
#include <arch/platform.h>
#include <kernel/kernel.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

Port* g_ports[MAX_PORTS] {};   // Guarded by the platform bus mutex (probe/remove); read by threads

Mode requested_mode()
{
    auto word = kernel_cmdline().get("uart.mode");
    if (!word.has_value() || *word == StringView("poll"))
        return Mode::Poll;
    if (*word == StringView("irq"))
        return Mode::Irq;
    log_warn("uart16550: uart.mode=%.*s is not poll or irq; using poll\n", int(word->length()),
             word->characters());
    return Mode::Poll;
}

// BEGIN INSTRUCTOR
// Grader self-tests (tests/kernel/uart_selftests.instructor.cpp): deliberately wrong drivers that
// pass every check made inside the guest, so that the rubrics' trace-based mechanism checks are
// shown to catch them. Never in a handout.
Misbehaviour g_misbehaviour = Misbehaviour::None;

// irq mode in name only: polls LSR.THRE for every byte and fakes its interrupt counters.
ErrorOr<usize> secret_poll_write(Port& port, ReadonlyBytes bytes)
{
    sched::MutexGuard writer(port.m_writer_lock);
    for (u8 byte : bytes) {
        sched::SpinlockGuard guard(port.m_lock);
        while (!has(port.m_io.read(regs::lsr), Lsr::ThrEmpty))
            arch::cpu_relax();
        port.m_io.write(regs::thr, byte);
        bump(port.m_stats.bytes_out);
        if ((port.m_stats.bytes_out & 15) == 0) {   // "one THRE interrupt per FIFO load"
            bump(port.m_stats.interrupts);
            bump(port.m_stats.tx_interrupts);
        }
    }
    return bytes.size();
}
// END INSTRUCTOR

void start_mode(Port& port, Mode wanted)
{
    if (wanted == Mode::Poll)
        return;
    if (auto started = irq_start(port); started.is_error()) {
        irq_stop(port);
        log_error("uart16550: %s: interrupt mode unavailable (%s); staying in poll mode\n", port.m_name,
                  started.error().name());
        return;
    }
    port.m_mode = Mode::Irq;
}

ErrorOr<void> probe(platform::PlatformDevice& device)
{
    unsigned const index = device.instance();
    if (index >= MAX_PORTS)
        return Error::from_errno(ENODEV);
    auto port = TRY(kstd::make<Port>(device, index));
    // Shared with the early console's boot claim on COM1 (see the file comment).
    port->m_ports = TRY(device.reserve_ports("io", port->m_name, io::Sharing::Shared));
    port->m_io = port->m_ports.window();

    u32 baud = u32(kernel_cmdline().get_u64("uart.baud", MAX_BAUD));
    if (auto init = init_hardware(*port, baud); init.is_error()) {
        log_warn("uart16550: %s: init at %u baud failed: %s\n", port->m_name, baud, init.error().name());
        return init.release_error();
    }
    start_mode(*port, requested_mode());
    if (auto node = register_node(*port); node.is_error()) {
        irq_stop(*port);
        return node.release_error();
    }
    log_info("uart16550: %s at %#x irq %u: 16550%s, %u baud, %s mode\n", port->m_name,
             port->m_ports.base(), device.resource("irq").has_value() ? device.resource("irq")->start : 0,
             port->m_fifo_enabled ? "A with FIFOs" : " without FIFOs", port->m_baud, mode_name(port->m_mode));
    g_ports[index] = port.ptr();
    console_attach(*port);
    device.adopt_driver_state(kstd::move(port));
    return {};
}

void remove(platform::PlatformDevice& device)
{
    Port* port = device.driver_state_as<Port>();
    if (!port)
        return;
    console_detach(*port);
    g_ports[port->m_index] = nullptr;
    {
        sched::SpinlockGuard guard(port->m_lock);
        port->m_closing = true;
    }
    port->m_rx_wait.wake_all();
    port->m_tx_wait.wake_all();
    unregister_node(*port);   // waits until no call is inside the driver
    irq_stop(*port);
}

constexpr platform::PlatformDriver uart_driver {
    .name = "uart16550",
    .match = "serial8250",
    .probe = probe,
    .remove = remove,
};
KERNEL_PLATFORM_DRIVER(uart_driver)

// --- the ops table both modes share ---------------------------------------------------------

ErrorOr<usize> ops_read(void* port, kstd::Span<u8> buffer, tty::ReadMode mode)
{
    return read(*static_cast<Port*>(port), buffer, mode);
}

ErrorOr<usize> ops_write(void* port, kstd::Span<u8 const> bytes)
{
    return write(*static_cast<Port*>(port), bytes);
}

ErrorOr<long> ops_ioctl(void* port, u32 request, uptr argument)
{
    return ioctl(*static_cast<Port*>(port), request, argument);
}

constexpr tty::TtyPortOps port_ops_table {
    .read = ops_read,
    .write = ops_write,
    .ioctl = ops_ioctl,
};

}

// --- Port ------------------------------------------------------------------------------------

Port::Port(platform::PlatformDevice& device, unsigned index) : m_device(device), m_index(index)
{
    kstd::snprintf(m_name, sizeof(m_name), "ttyS%u", index);
}

void Port::set_ier_locked(Ier ier)
{
    if (ier == m_ier)
        return;
    m_ier = ier;
    m_io.write(regs::ier, ier);
}

void Port::set_mcr_locked(Mcr mcr)
{
    m_mcr = mcr;
    m_io.write(regs::mcr, mcr);
}

void Port::note_line_status(Lsr lsr)
{
    if (!has_any(lsr, Lsr::Errors))
        return;
    if (has(lsr, Lsr::OverrunError))
        bump(m_stats.overruns);
    if (has(lsr, Lsr::ParityError))
        bump(m_stats.parity_errors);
    if (has(lsr, Lsr::FramingError))
        bump(m_stats.framing_errors);
    if (has(lsr, Lsr::BreakInterrupt))
        bump(m_stats.breaks);
}

// --- the public interface (include/drivers/uart16550.h) --------------------------------------

char const* mode_name(Mode mode) { return mode == Mode::Irq ? "irq" : "poll"; }

Port* port(unsigned index) { return index < MAX_PORTS ? g_ports[index] : nullptr; }
char const* name(Port const& port) { return port.m_name; }
Mode mode(Port const& port) { return port.m_mode; }
u32 baud(Port const& port) { return port.m_baud; }
tty::TtyPortOps const& port_ops() { return port_ops_table; }

ErrorOr<usize> read(Port& port, kstd::Span<u8> buffer, tty::ReadMode mode)
{
    if (port.m_closing)
        return Error::from_errno(ENODEV);
    if (buffer.empty())
        return 0;
    if (port.m_mode == Mode::Poll)
        return poll_read(port, buffer, mode);
    auto count = irq_read(port, buffer, mode);
    report_overruns(port);
    return count;
}

ErrorOr<usize> write(Port& port, kstd::Span<u8 const> bytes)
{
    if (port.m_closing)
        return Error::from_errno(ENODEV);
    if (bytes.empty())
        return 0;
    if (port.m_mode == Mode::Poll)
        return poll_write(port, bytes);
    // BEGIN INSTRUCTOR
    if (g_misbehaviour == Misbehaviour::SecretPoll)
        return secret_poll_write(port, bytes);
    // END INSTRUCTOR
    return irq_write(port, bytes);
}

ErrorOr<void> drain(Port& port)
{
    if (port.m_closing)
        return Error::from_errno(ENODEV);
    if (port.m_mode == Mode::Irq)
        TRY(irq_drain(port));
    // The last bytes leave the shift register within a few character times (and at once in
    // QEMU, unless the host stopped reading): poll TEMT, sleeping a little between looks.
    while (!has(port.m_io.read(regs::lsr), Lsr::TxIdle)) {
        if (port.m_closing)
            return Error::from_errno(ENODEV);
        sched::sleep_for(time::NS_PER_MS);
    }
    return {};
}

Stats stats(Port const& port)
{
    return port.m_stats;   // each counter is one aligned 64-bit load
}

Registers registers(Port& port)
{
    Registers r {};
    sched::SpinlockGuard guard(port.m_lock);
    io::PortWindow const& io = port.m_io;
    r.ier = u8(io.read(regs::ier));
    r.lcr = u8(io.read(regs::lcr));
    r.mcr = u8(io.read(regs::mcr));
    r.lsr = u8(io.read(regs::lsr));
    r.msr = u8(io.read(regs::msr));
    r.scr = io.read(regs::scr);
    io.write(regs::lcr, Lcr(r.lcr) | Lcr::Dlab);
    r.divisor = u16(io.read(regs::dll) | io.read(regs::dlm) << 8);
    io.write(regs::lcr, Lcr(r.lcr));
    // Reading IIR acknowledges a pending THRE interrupt: only where none can be pending.
    r.iir_read = !has(port.m_ier, Ier::ThrEmpty);
    if (r.iir_read)
        r.iir = u8(io.read(regs::iir));
    r.fifo_enabled = r.iir_read ? has(Iir(r.iir), Iir::FifosEnabled) : port.m_fifo_enabled;
    port.note_line_status(Lsr(r.lsr));   // reading LSR cleared them: count them rather than lose them
    return r;
}

ErrorOr<long> ioctl(Port& port, u32 request, uptr argument)
{
    if (port.m_closing)
        return Error::from_errno(ENODEV);
    switch (request) {
    case IOCTL_GET_STATS:
        if (!argument)
            return Error::from_errno(EFAULT);
        *reinterpret_cast<Stats*>(argument) = stats(port);
        return 0;
    case IOCTL_RESET_STATS: {
        sched::SpinlockGuard guard(port.m_lock);
        port.m_stats = {};
        port.m_overruns_reported = 0;
        return 0;
    }
    case IOCTL_GET_MODE:
        return long(port.m_mode);
    case IOCTL_DRAIN:
        TRY(drain(port));
        return 0;
    case IOCTL_SET_LOOPBACK:
        set_loopback(port, argument != 0);
        return 0;
    case IOCTL_SET_RX_THROTTLE:
        set_rx_throttled(port, argument != 0);
        return 0;
    case IOCTL_GET_REGISTERS:
        if (!argument)
            return Error::from_errno(EFAULT);
        *reinterpret_cast<Registers*>(argument) = registers(port);
        return 0;
    default:
        return Error::from_errno(ENOTTY);
    }
}

ErrorOr<void> reinit(Port& port, u32 baud)
{
    if (port.m_mode != Mode::Poll)
        return Error::from_errno(EBUSY);
    sched::MutexGuard reader(port.m_reader_lock);
    sched::MutexGuard writer(port.m_writer_lock);
    TRY(init_hardware(port, baud));
    // BEGIN INSTRUCTOR
    if (g_misbehaviour == Misbehaviour::PollSetsIer)
        port.m_io.write(regs::ier, Ier::RxAvailable);   // and the shadow still says 0
    // END INSTRUCTOR
    return {};
}

ErrorOr<void> putc(Port& port, u8 byte)
{
    if (port.m_mode != Mode::Poll)
        return Error::from_errno(EBUSY);
    return poll_putc(port, byte);
}

ErrorOr<u8> getc(Port& port, u64 deadline_ns)
{
    if (port.m_mode != Mode::Poll)
        return Error::from_errno(EBUSY);
    return poll_getc(port, deadline_ns);
}

void set_loopback(Port& port, bool on)
{
    sched::SpinlockGuard guard(port.m_lock);
    port.set_mcr_locked(on ? port.m_mcr | Mcr::Loopback : port.m_mcr & ~Mcr::Loopback);
}

void set_rx_throttled(Port& port, bool on)
{
    if (port.m_mode == Mode::Irq)
        irq_set_rx_throttled(port, on);
}

// BEGIN INSTRUCTOR
void selftest_misbehave(Misbehaviour how) { g_misbehaviour = how; }
// END INSTRUCTOR

void trace_mark(Port& port, char const* text)
{
    port.m_io.write(regs::scr, u8('\n'));   // ends whatever the bus's probe left there
    for (; *text; ++text)
        port.m_io.write(regs::scr, u8(*text));
    port.m_io.write(regs::scr, u8('\n'));
}

}

// --- the `uart` monitor command ----------------------------------------------------------------

namespace {

void print_port(uart16550::Port& port)
{
    using namespace uart16550;
    Stats s = stats(port);
    kprint("%-6s 0x%03x %-4s %6u %10lu %10lu %8lu %7lu %7lu %5lu %5lu %5lu %8lu\n", port.m_name,
           port.m_ports.base(), mode_name(port.m_mode), port.m_baud, s.bytes_in, s.bytes_out, s.interrupts,
           s.tx_interrupts, s.rx_interrupts, s.overruns, s.framing_errors, s.parity_errors, s.tx_full_waits);
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
    if (!shown)
        kprint("(no 16550 port is bound to the driver)\n");
}
