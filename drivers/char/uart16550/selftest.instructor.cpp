// Purpose-made wrong modes of the 16550 driver, for the grader's self-tests (instructor-only:
// never in a handout). Each one passes every check made inside the guest; the lab rubrics'
// trace checks must catch it (tests/kernel/rubric.toml, INSTRUCTOR block). Selected with
// `selftest.wrong=NAME` (include/kernel/selftest.h); the driver's own tables stay untouched.
//
//   uart_secret_poll    irq mode in name only: write() polls LSR.THRE for every byte (and fakes
//                       its THRE counters), so nothing is queued and no THRE interrupt runs
//   uart_poll_sets_ier  poll mode that enables the receive interrupt in IER at start, behind
//                       derive_ier()'s back (the shadow still says 0)
//   uart_polling_thread irq mode without request_irq: a thread calls the top half every
//                       millisecond (IER is set, so IIR names the causes; IRQ 4 stays masked)
//   uart_rx_polling     irq mode whose output goes by THRE interrupts but whose input is taken by
//                       a thread that polls LSR.DR every millisecond (receive interrupt never on)
// and one honest alternative that every check must let through:
//   uart_linux_tx       irq mode with a top half shaped like Linux's 8250 (serial8250_handle_irq):
//                       per pass IIR once, LSR once; receive while LSR.DR, send while LSR.THRE
#include "uart16550.h"
#include <arch/platform.h>
#include <kernel/selftest.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

usize secret_poll_write(Port& port, ReadonlyBytes bytes)
{
    for (u8 byte : bytes) {
        port.locked([byte](Uart& uart) {
            while (!has(uart.io.read(regs::lsr), Lsr::ThrEmpty))
                arch::cpu_relax();
            uart.io.write(regs::thr, byte);
            bump(uart.stats.bytes_out);
            if ((uart.stats.bytes_out & 15) == 0) {   // "one THRE interrupt per FIFO load"
                bump(uart.stats.interrupts);
                bump(uart.stats.tx_interrupts);
            }
        });
    }
    return bytes.size();
}

usize nothing_queued(Port const&) { return 0; }
usize unlimited_room(Port const&) { return ~usize(0) >> 1; }

UartModeOps make_secret_poll()
{
    UartModeOps ops = irq_mode_ops;
    ops.write = secret_poll_write;
    ops.write_room = unlimited_room;
    ops.chars_in_buffer = nothing_queued;
    return ops;
}

ErrorOr<void> start_with_ier(Port& port)
{
    TRY(poll_mode_ops.start(port));
    port.m_uart.io.write(regs::ier, Ier::RxAvailable);
    return {};
}

UartModeOps make_poll_sets_ier()
{
    UartModeOps ops = poll_mode_ops;
    ops.start = start_with_ier;
    return ops;
}

// --- a thread instead of request_irq, and input by polling LSR.DR ---------------------------

constexpr u64 POLL_NS = time::NS_PER_MS;

// The top half called from a thread, as if it were the interrupt.
void top_half_poller(void* arg)
{
    Port& port = *static_cast<Port*>(arg);
    while (!port.m_poller_stop) {
        Event events = Event::None;
        port.locked([&](Uart& uart) {
            if (handle_interrupt(uart))
                events = take_events(uart);
        });
        port.act_on(events);
        sched::sleep_for(POLL_NS);
    }
}

// Input by polling: LSR.DR, then RBR, every millisecond.
void rx_poller(void* arg)
{
    Port& port = *static_cast<Port*>(arg);
    while (!port.m_poller_stop) {
        Event events = port.locked([](Uart& uart) {
            usize received = 0;
            while (uart.rx->room() > 0) {
                auto byte = poll_getc(uart, 0);
                if (byte.is_error())
                    break;
                uart.rx->insert(byte.value());
                ++received;
            }
            bump(uart.stats.bytes_in, received);
            if (received)
                bump(uart.stats.rx_interrupts);   // "one receive interrupt per poll": the guest's checks pass
            return received ? Event::Received : Event::None;
        });
        port.act_on(events);
        sched::sleep_for(POLL_NS);
    }
}

ErrorOr<void> start_thread(Port& port, void (*fn)(void*))
{
    port.m_poller_stop = false;
    port.m_poller = TRY(sched::spawn(port.m_name, fn, &port));
    return {};
}

void stop_thread(Port& port)
{
    port.m_poller_stop = true;
    if (port.m_poller)
        (void)sched::join(kstd::exchange(port.m_poller, nullptr));
}

ErrorOr<void> polling_thread_start(Port& port)
{
    port.locked([](Uart& uart) {
        uart.interrupts_wanted = true;   // IER as the irq mode sets it, but no request_irq
        update_ier(uart);
    });
    return start_thread(port, top_half_poller);
}

void polling_thread_stop(Port& port)
{
    stop_thread(port);
    port.locked([](Uart& uart) {
        uart.interrupts_wanted = false;
        update_ier(uart);
    });
}

UartModeOps make_polling_thread()
{
    UartModeOps ops = irq_mode_ops;
    ops.start = polling_thread_start;
    ops.stop = polling_thread_stop;
    return ops;
}

// rx_active stays false, so derive_ier() never enables the receive interrupt; a thread polls.
ErrorOr<void> rx_polling_activate(Port& port) { return start_thread(port, rx_poller); }
void rx_polling_shutdown(Port& port) { stop_thread(port); }

UartModeOps make_rx_polling()
{
    UartModeOps ops = irq_mode_ops;
    ops.activate = rx_polling_activate;
    ops.shutdown = rx_polling_shutdown;
    return ops;
}

// --- Linux's shape of the top half: one LSR read per pass ----------------------------------

constexpr unsigned LINUX_PASS_LIMIT = 512;   // serial8250_interrupt's PASS_LIMIT
constexpr unsigned LINUX_RX_LIMIT = 256;     // serial8250_rx_chars' max_count

// One pass of serial8250_handle_irq: IIR says whether this port interrupts; LSR (read once)
// says what to do.
bool linux_handle_irq(Uart& uart)
{
    if (has(uart.io.read(regs::iir), Iir::NoInterrupt))
        return false;
    bump(uart.stats.interrupts);
    Lsr lsr = uart.io.read(regs::lsr);
    note_line_status(uart, lsr);
    usize received = 0;
    for (unsigned n = 0; has_any(lsr, Lsr::DataReady | Lsr::BreakInterrupt) && n < LINUX_RX_LIMIT; ++n) {
        if (uart.rx_throttled || uart.rx_held || uart.rx->room() == 0)
            break;
        uart.rx->insert(uart.io.read(regs::rbr));
        ++received;
        lsr = uart.io.read(regs::lsr);
        note_line_status(uart, lsr);
    }
    if (received) {
        bump(uart.stats.rx_interrupts);
        bump(uart.stats.bytes_in, received);
        uart.events |= Event::Received;
    }
    if (has(lsr, Lsr::ThrEmpty) && has(uart.ier, Ier::ThrEmpty)) {
        bump(uart.stats.tx_interrupts);
        tx_refill(uart);
    }
    return true;
}

irq::IrqReturn linux_interrupt(void* ctx)
{
    Port& port = *static_cast<Port*>(ctx);
    Event events = Event::None;
    bool handled = false;
    {
        sched::SpinlockGuard guard(port.m_lock);
        for (unsigned pass = 0; pass < LINUX_PASS_LIMIT && linux_handle_irq(port.m_uart); ++pass)
            handled = true;
        events = take_events(port.m_uart);
    }
    port.act_on(events);
    return handled ? irq::IrqReturn::Handled : irq::IrqReturn::None;
}

ErrorOr<void> linux_start(Port& port)
{
    port.m_irq = TRY(port.m_device.request_irq("irq", linux_interrupt, &port, port.m_name, irq::IrqFlags::Shared));
    port.locked([](Uart& uart) {
        uart.interrupts_wanted = true;
        update_ier(uart);
    });
    return {};
}

UartModeOps make_linux_tx()
{
    UartModeOps ops = irq_mode_ops;
    ops.start = linux_start;
    return ops;
}

UartModeOps const secret_poll_ops = make_secret_poll();
UartModeOps const poll_sets_ier_ops = make_poll_sets_ier();

selftest::WrongOps<UartModeOps> const secret_poll { "uart_secret_poll", irq_mode_ops, secret_poll_ops };
selftest::WrongOps<UartModeOps> const poll_sets_ier { "uart_poll_sets_ier", poll_mode_ops, poll_sets_ier_ops };
UartModeOps const polling_thread_ops = make_polling_thread();
UartModeOps const rx_polling_ops = make_rx_polling();
UartModeOps const linux_tx_ops = make_linux_tx();
selftest::WrongOps<UartModeOps> const polling_thread { "uart_polling_thread", irq_mode_ops, polling_thread_ops };
selftest::WrongOps<UartModeOps> const rx_polling { "uart_rx_polling", irq_mode_ops, rx_polling_ops };
selftest::WrongOps<UartModeOps> const linux_tx { "uart_linux_tx", irq_mode_ops, linux_tx_ops };

}

}
