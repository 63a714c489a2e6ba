// The 16550 port as the TTY core sees it (tty::TtyPort), and the driver's public functions
// (include/drivers/uart16550.h). Output goes through the mode's ops table (uart16550.h); what
// is the same in every mode is here: taking input on and off (activate, throttle), the error
// counts, the ioctls.
#include "uart16550.h"
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace uart16550 {

Port::Port(platform::PlatformDevice& device, unsigned index) : m_device(device), m_index(index)
{
    kstd::snprintf(m_name, sizeof(m_name), "ttyS%u", index);
    m_uart.rx = &flip();
}

// --- the TTY port ------------------------------------------------------------------------------

ErrorOr<void> Port::activate()
{
    TRY(m_mode->activate(*this));
    m_active = true;
    return {};
}

void Port::shutdown()
{
    m_active = false;
    m_mode->shutdown(*this);
}

// Context: thread (the TTY's bottom half).
void Port::throttle() { locked(throttle_rx); }

void Port::unthrottle()
{
    locked([](Uart& uart) {
        if (!uart.rx_throttled)
            return;
        uart.rx_throttled = false;
        update_ier(uart);   // bytes still in the FIFO raise the receive interrupt again
    });
}

void Port::stop_tx()
{
    locked([](Uart& uart) {
        uart.tx_stopped = true;
        update_ier(uart);   // THRE off: the queue stays as it is
    });
}

void Port::start_tx()
{
    locked([](Uart& uart) {
        uart.tx_stopped = false;
        update_ier(uart);   // THRE on again if bytes wait: the transmission resumes
    });
    write_wakeup();         // writers waiting in poll mode (no queue) may go on
}

u64 Port::input_errors() const { return receive_errors(m_uart); }

// The top half counts overruns but may not print; the bottom half (thread) says so here.
void Port::report_errors()
{
    u64 const overruns = m_uart.stats.overruns;
    if (overruns == m_overruns_reported)
        return;
    log_warn("%s: %lu input overrun(s): received bytes were lost (%lu in all)\n", m_name,
             overruns - m_overruns_reported, overruns);
    m_overruns_reported = overruns;
}

void Port::act_on(Event events)
{
    if (has(events, Event::Received))
        push();
    if (has(events, Event::TxLowWater))
        write_wakeup();
}

ErrorOr<long> Port::ioctl(u32 request, uptr argument) { return uart16550::ioctl(*this, request, argument); }

// --- the public interface --------------------------------------------------------------------

char const* mode_name(Mode mode) { return mode == Mode::Irq ? "irq" : "poll"; }
char const* name(Port const& port) { return port.m_name; }
Mode mode(Port const& port) { return port.m_mode->mode; }
u32 baud(Port const& port) { return port.m_uart.baud; }
Stats stats(Port const& port) { return port.m_uart.stats; }   // each counter one aligned load

ErrorOr<void> drain(Port& port, u64 timeout_ns)
{
    TRY(port.wait_until_sent(sched::deadline_after(timeout_ns)));
    // The last bytes leave the shift register within a few character times (and at once in
    // QEMU, unless the host stopped reading): poll TEMT, sleeping a little between looks.
    u64 const deadline = sched::deadline_after(timeout_ns);
    while (!has(port.m_uart.io.read(regs::lsr), Lsr::TxIdle)) {
        if (time::now_ns() >= deadline)
            return Error::from_errno(ETIMEDOUT);
        sched::sleep_for(time::NS_PER_MS);
    }
    return {};
}

Registers registers(Port& port)
{
    return port.locked([](Uart& uart) {
        Registers r {};
        io::PortWindow const& io = uart.io;
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
        r.iir_read = !has(uart.ier, Ier::ThrEmpty);
        if (r.iir_read)
            r.iir = u8(io.read(regs::iir));
        r.fifo_enabled = r.iir_read ? has(Iir(r.iir), Iir::FifosEnabled) : uart.fifo_enabled;
        note_line_status(uart, Lsr(r.lsr));   // reading LSR cleared them: count rather than lose them
        return r;
    });
}

ErrorOr<long> ioctl(Port& port, u32 request, uptr argument)
{
    switch (request) {
    case IOCTL_GET_STATS:
        if (!argument)
            return Error::from_errno(EFAULT);
        *reinterpret_cast<Stats*>(argument) = stats(port);
        return 0;
    case IOCTL_RESET_STATS:
        port.locked([](Uart& uart) { uart.stats = {}; });
        port.m_overruns_reported = 0;
        return 0;
    case IOCTL_GET_MODE:
        return long(mode(port));
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

// The lab 1 primitives work on an idle port in poll mode only: with the TTY open, its poller
// (or, in irq mode, the top half) would race them for the bytes.
namespace {
ErrorOr<void> check_primitives_allowed(Port const& port)
{
    if (port.m_mode->mode != Mode::Poll || port.m_active)
        return Error::from_errno(EBUSY);
    return {};
}
}

ErrorOr<void> reinit(Port& port, u32 baud)
{
    TRY(check_primitives_allowed(port));
    return port.locked([baud](Uart& uart) { return init_hardware(uart, baud); });
}

ErrorOr<void> putc(Port& port, u8 byte)
{
    TRY(check_primitives_allowed(port));
    return poll_putc(port.m_uart, byte);
}

ErrorOr<u8> getc(Port& port, u64 deadline_ns)
{
    TRY(check_primitives_allowed(port));
    return poll_getc(port.m_uart, deadline_ns);
}

void set_loopback(Port& port, bool on)
{
    port.locked([on](Uart& uart) {
        uart.mcr = on ? uart.mcr | Mcr::Loopback : uart.mcr & ~Mcr::Loopback;
        uart.io.write(regs::mcr, uart.mcr);
    });
}

void set_rx_throttled(Port& port, bool on)
{
    port.locked([on](Uart& uart) {
        uart.rx_held = on;
        update_ier(uart);
    });
}

void trace_mark(Port& port, char const* text)
{
    io::PortWindow const& io = port.m_uart.io;
    io.write(regs::scr, u8('\n'));   // ends whatever the bus's probe left there
    for (; *text; ++text)
        io.write(regs::scr, u8(*text));
    io.write(regs::scr, u8('\n'));
}

}
