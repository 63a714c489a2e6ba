// 16550 UART, poll mode: the ops table (lab 1 underneath; lab/01-uart-polling/README.md).
//
// No interrupts at all (IER stays 0):
//   write   sends each byte with poll_putc(), spinning on LSR.THRE: the writer's thread does
//           the whole transmission, so nothing is ever queued (chars_in_buffer() is 0);
//   input   while the TTY is open, a poller thread looks at LSR.DR every POLL_INTERVAL_NS and
//           moves what arrived into the flip buffer with poll_getc(), then push()es. This is how
//           Linux serves a UART without an IRQ (a timer), and the price of polling shows in the
//           `threads` command: a thousand wake-ups a second while nothing arrives. A FIFO of 16
//           bytes lasts 1.4 ms at 115200 baud, so looking every millisecond loses nothing.
#include "uart16550.h"
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

constexpr u64 POLL_INTERVAL_NS = time::NS_PER_MS;

// Takes what the receiver holds now, while the flip buffer has room and nobody holds the
// receiver. Context: thread, the port's lock held.
Event poll_receiver(Uart& uart)
{
    bump(uart.stats.polls);
    usize received = 0;
    while (!uart.rx_throttled && !uart.rx_held) {
        if (uart.rx->room() == 0) {
            throttle_rx(uart);
            break;
        }
        auto byte = poll_getc(uart, 0);
        if (byte.is_error())
            break;   // ETIMEDOUT: nothing there (deadline 0 looks once)
        uart.rx->insert(byte.value());
        ++received;
    }
    bump(uart.stats.bytes_in, received);
    return received ? Event::Received : Event::None;
}

void poller(void* arg)
{
    Port& port = *static_cast<Port*>(arg);
    while (!port.m_poller_stop) {
        port.act_on(port.locked(poll_receiver));
        sched::sleep_for(POLL_INTERVAL_NS);
    }
}

ErrorOr<void> poll_start(Port&) { return {}; }
void poll_stop(Port&) {}

ErrorOr<void> poll_activate(Port& port)
{
    port.locked([](Uart& uart) { uart.rx_active = true; });
    port.m_poller_stop = false;
    auto thread = sched::spawn(port.m_name, poller, &port);
    if (thread.is_error()) {
        port.locked([](Uart& uart) { uart.rx_active = false; });
        return thread.release_error();
    }
    port.m_poller = thread.value();
    return {};
}

void poll_shutdown(Port& port)
{
    port.m_poller_stop = true;
    if (port.m_poller)
        (void)sched::join(kstd::exchange(port.m_poller, nullptr));
    port.locked([](Uart& uart) { uart.rx_active = false; });
}

// Context: thread (a writer, or the TTY's bottom half sending echo).
usize poll_write(Port& port, ReadonlyBytes bytes)
{
    usize sent = 0;
    for (u8 byte : bytes) {
        if (port.locked([byte](Uart& uart) { return poll_putc(uart, byte); }).is_error())
            break;
        ++sent;
    }
    bump(port.m_uart.stats.bytes_out, sent);
    return sent;
}

// No queue: room for anything, except while output is suspended (tcflow).
usize poll_write_room(Port const& port) { return port.m_uart.tx_stopped ? 0 : ~usize(0) >> 1; }
usize poll_chars_in_buffer(Port const&) { return 0; }

}

UartModeOps const poll_mode_ops {
    .name = "poll",
    .mode = Mode::Poll,
    .start = poll_start,
    .stop = poll_stop,
    .activate = poll_activate,
    .shutdown = poll_shutdown,
    .write = poll_write,
    .write_room = poll_write_room,
    .chars_in_buffer = poll_chars_in_buffer,
};

}
