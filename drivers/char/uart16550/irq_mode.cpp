// 16550 UART, interrupt mode: the ops table (lab 2; lab/02-interrupts/README.md).
//
// The kernel side of the interrupts whose register-level logic is interrupts.cpp:
//   start     request the IRQ line with uart_interrupt as the handler, then let derive_ier()
//             enable interrupts (interrupts_wanted): a handler must exist before the UART may
//             interrupt (students write irq_start);
//   the top half   uart_interrupt(): take the port's lock, run handle_interrupt(), and after
//             the lock is released do what it asked: push() received bytes to the TTY, and
//             write_wakeup() when the TX queue drained below its low-water mark;
//   write     queue_tx() under the lock: the bytes go into the TX queue and THRE is enabled;
//             the TTY core sleeps for room (kernel/tty/tty_io.cpp), not the driver.
//
// Limitation: a line without flow control overruns the FIFO while the TTY throttles us; the
// overruns are counted (LSR.OE) and reported. QEMU's serial backends wait instead.
#include "uart16550.h"
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

// The top half. Context: IRQ (interrupts off; must not sleep, allocate or print).
irq::IrqReturn uart_interrupt(void* ctx)
{
    Port& port = *static_cast<Port*>(ctx);
    Event events;
    {
        sched::SpinlockGuard guard(port.m_lock);
        if (!handle_interrupt(port.m_uart))
            return irq::IrqReturn::None;   // another device on a shared line
        events = take_events(port.m_uart);
    }
    port.act_on(events);
    return irq::IrqReturn::Handled;
}

}

// Requests the port's IRQ line (the platform device's resource "irq", shared) with
// uart_interrupt as the top half, into port.m_irq. Then, under the port's lock, sets
// m_uart.interrupts_wanted and calls update_ier(). Order matters: a handler must be installed
// before the UART may interrupt. Context: thread.
ErrorOr<void> irq_start([[maybe_unused]] Port& port)
{
    // BEGIN LAB 2
    port.m_irq = TRY(port.m_device.request_irq("irq", uart_interrupt, &port, port.m_name, irq::IrqFlags::Shared));
    sched::SpinlockGuard guard(port.m_lock);
    port.m_uart.interrupts_wanted = true;
    update_ier(port.m_uart);
    return {};
    // END LAB 2
    // STUB LAB 2: return Error::from_errno(ENOSYS);   // lab 2: request the IRQ, then let IER follow
}

namespace {

void irq_stop(Port& port)
{
    port.locked([](Uart& uart) {
        uart.interrupts_wanted = false;
        update_ier(uart);
    });
    port.m_irq.release();
}

ErrorOr<void> irq_activate(Port& port)
{
    port.locked([](Uart& uart) {
        uart.rx_active = true;
        update_ier(uart);
    });
    return {};
}

void irq_shutdown(Port& port)
{
    port.locked([](Uart& uart) {
        uart.rx_active = false;
        update_ier(uart);
    });
}

usize irq_write(Port& port, ReadonlyBytes bytes)
{
    return port.locked([&](Uart& uart) { return queue_tx(uart, bytes); });
}

usize irq_write_room(Port const& port) { return TX_RING_SIZE - port.m_uart.tx.size(); }   // queued while stopped
usize irq_chars_in_buffer(Port const& port) { return port.m_uart.tx.size(); }

}

UartModeOps const irq_mode_ops {
    .name = "irq",
    .mode = Mode::Irq,
    .start = irq_start,
    .stop = irq_stop,
    .activate = irq_activate,
    .shutdown = irq_shutdown,
    .write = irq_write,
    .write_room = irq_write_room,
    .chars_in_buffer = irq_chars_in_buffer,
};

}
