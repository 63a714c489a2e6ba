// 16550 UART interrupts at register level (lab 2; lab/02-interrupts/README.md, exercise 3).
//
// The UART tells the CPU when it needs attention; in between, the CPU does other work or sleeps:
//   * transmit: queue_tx() puts bytes into the TX queue, and then THRE ("the transmit FIFO is
//     empty") is enabled, which raises an interrupt at once; each THRE interrupt makes
//     tx_refill() move up to 16 bytes into THR. With the queue empty THRE is disabled again, or
//     the UART would keep interrupting with nothing to send.
//   * receive: the receive interrupt (FIFO at its trigger level, or bytes left sitting for four
//     character times) and the line-status interrupt (overrun, parity, framing, break) make
//     rx_drain() read LSR and RBR until LSR.DR clears, moving each byte into the TTY's flip
//     buffer and counting the errors. The kernel side then push()es them to the TTY.
// Which interrupts are enabled follows from the driver's state, in one function: derive_ier().
// Whoever changes that state calls update_ier(), which writes IER only when the value changes.
//
// The top half (handle_interrupt) follows docs/style.md, "Top halves": read IIR; nothing
// pending means "not mine" (COM1 and COM3 share IRQ 4); handle each cause until IIR says none is
// left; the IRQ core sends the EOI. Datasheet: PC16550D, "Interrupt Identification Register"
// (Table IV), "Interrupt Enable Register", "FIFO Interrupt Mode Operation".
//
// Register level only (uart.h): no lock (the caller holds the port's), no wake-ups (the caller
// reads take_events()). Students write derive_ier, handle_interrupt, rx_drain, tx_refill and
// queue_tx; the rest is given.
#include "uart.h"
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

// The top half handles causes until IIR says none is pending: only then does the UART drop its
// interrupt request, so that the next cause makes the new edge an edge-triggered ISA line
// needs. The limit only guards against a broken chip.
constexpr unsigned IRQ_PASS_LIMIT = 512;
// Bytes one rx_drain call takes from the FIFO at most.
constexpr unsigned RX_DRAIN_LIMIT = 256;

}

// The interrupts the UART should raise now, from the driver's state:
//   * none unless a top half is installed (interrupts_wanted) and the kernel console is not in
//     the middle of a polled line (console_writing);
//   * line status while the TTY is open (rx_active): errors are counted even while no byte is
//     taken;
//   * receive while the TTY takes input: rx_active, and neither rx_throttled nor rx_held;
//   * THRE while the TX queue holds bytes and output is not suspended (tx_stopped).
// Context: any, the port's lock held.
Ier derive_ier([[maybe_unused]] Uart const& uart)
{
    // BEGIN LAB 2
    if (!uart.interrupts_wanted || uart.console_writing)
        return Ier::None;
    Ier ier = Ier::None;
    if (uart.rx_active)
        ier |= Ier::LineStatus;
    if (uart.rx_active && !uart.rx_throttled && !uart.rx_held)
        ier |= Ier::RxAvailable;
    if (!uart.tx.is_empty() && !uart.tx_stopped)
        ier |= Ier::ThrEmpty;
    return ier;
    // END LAB 2
    // STUB LAB 2: return Ier::None;   // lab 2: which interrupts does the driver want now?
}

// The top half. Returns false when IIR says this UART has no interrupt pending (bit 0 set):
// another device on a shared line. Otherwise counts the interrupt (stats.interrupts) and
// handles each cause IIR names, highest priority first, reading IIR again after each, until it
// says nothing is pending: receive causes (line status, data available, character timeout)
// with rx_drain() (count stats.rx_interrupts), THRE with tx_refill() (stats.tx_interrupts),
// modem status by reading MSR. Read IIR only to handle what it says: reading it acknowledges a
// pending THRE interrupt. Context: IRQ, the port's lock held.
bool handle_interrupt([[maybe_unused]] Uart& uart)
{
    // BEGIN LAB 2
    Iir iir = uart.io.read(regs::iir);
    if (has(iir, Iir::NoInterrupt))
        return false;   // not this UART: another device on a shared line
    bump(uart.stats.interrupts);
    unsigned pass = 0;
    do {
        Iir const cause = iir & Iir::CauseMask;
        if (cause == Iir::LineStatus || cause == Iir::RxAvailable || cause == Iir::RxTimeout) {
            bump(uart.stats.rx_interrupts);
            rx_drain(uart);
        } else if (cause == Iir::ThrEmpty) {
            bump(uart.stats.tx_interrupts);   // reading IIR has acknowledged it
            tx_refill(uart);
        } else {
            (void)uart.io.read(regs::msr);    // modem status: reading MSR acknowledges it
        }
    } while (++pass < IRQ_PASS_LIMIT && !has(iir = uart.io.read(regs::iir), Iir::NoInterrupt));
    return true;
    // END LAB 2
    // STUB LAB 2: return false;   // lab 2: the top half
}

// Takes received bytes out of the FIFO into the flip buffer (*uart.rx) while LSR.DR is set,
// counting the error bits of every LSR value read (note_line_status). Takes none while the
// receiver is stopped (rx_throttled or rx_held: a line-status interrupt still comes here). When
// the flip buffer has no room, throttle_rx() and leave the rest in the FIFO. If any byte was
// taken: count stats.bytes_in and add Event::Received to uart.events.
// Context: IRQ, the port's lock held.
void rx_drain([[maybe_unused]] Uart& uart)
{
    // BEGIN LAB 2
    usize received = 0;
    for (unsigned i = 0; i < RX_DRAIN_LIMIT; ++i) {
        Lsr const lsr = uart.io.read(regs::lsr);
        note_line_status(uart, lsr);   // reading LSR cleared OE/PE/FE/BI: count them now
        if (!has(lsr, Lsr::DataReady) || uart.rx_throttled || uart.rx_held)
            break;
        if (uart.rx->room() == 0) {
            throttle_rx(uart);   // the TTY's bottom half will make room and unthrottle
            break;
        }
        uart.rx->insert(uart.io.read(regs::rbr));
        ++received;
    }
    if (received) {
        bump(uart.stats.bytes_in, received);
        uart.events |= Event::Received;
    }
    // END LAB 2
    // STUB LAB 2:
}

// THRE: the transmit FIFO is empty. Moves up to fifo_depth bytes from the TX queue into THR and
// counts them (stats.bytes_out). Adds Event::TxLowWater to uart.events when this refill took
// the queue below TX_LOW_WATER, or emptied it: writers wake once per drained queue, not per
// byte. Then update_ier(): with the queue empty, THRE must go off. Context: IRQ, lock held.
void tx_refill([[maybe_unused]] Uart& uart)
{
    // BEGIN LAB 2
    usize const before = uart.tx.size();
    usize sent = 0;
    u8 byte;
    while (sent < uart.fifo_depth && uart.tx.pop(byte)) {
        uart.io.write(regs::thr, byte);
        ++sent;
    }
    bump(uart.stats.bytes_out, sent);
    usize const after = uart.tx.size();
    if ((before >= TX_LOW_WATER && after < TX_LOW_WATER) || (sent > 0 && after == 0))
        uart.events |= Event::TxLowWater;
    update_ier(uart);
    // END LAB 2
    // STUB LAB 2:
}

// irq mode's write(): as many of `bytes` as fit into the TX queue, then update_ier(), which
// enables THRE; the transmitter is idle or busy, either way a THRE interrupt follows and
// tx_refill() sends. Returns how many bytes were queued. Context: thread, the port's lock held.
usize queue_tx([[maybe_unused]] Uart& uart, [[maybe_unused]] ReadonlyBytes bytes)
{
    // BEGIN LAB 2
    usize const queued = uart.tx.push_some(bytes);
    update_ier(uart);
    return queued;
    // END LAB 2
    // STUB LAB 2: return 0;   // lab 2: queue the bytes, THRE does the rest
}

// --- given -----------------------------------------------------------------------------------

void update_ier(Uart& uart)
{
    Ier const wanted = derive_ier(uart);
    if (wanted == uart.ier)
        return;
    uart.ier = wanted;
    uart.io.write(regs::ier, wanted);
}

void note_line_status(Uart& uart, Lsr lsr)
{
    if (!has_any(lsr, Lsr::Errors))
        return;
    if (has(lsr, Lsr::OverrunError))
        bump(uart.stats.overruns);
    if (has(lsr, Lsr::ParityError))
        bump(uart.stats.parity_errors);
    if (has(lsr, Lsr::FramingError))
        bump(uart.stats.framing_errors);
    if (has(lsr, Lsr::BreakInterrupt))
        bump(uart.stats.breaks);
}

void throttle_rx(Uart& uart)
{
    if (uart.rx_throttled)
        return;
    uart.rx_throttled = true;
    bump(uart.stats.rx_throttles);
    update_ier(uart);
}

Event take_events(Uart& uart) { return kstd::exchange(uart.events, Event::None); }

u64 receive_errors(Uart const& uart)
{
    Stats const& s = uart.stats;
    return s.overruns + s.parity_errors + s.framing_errors + s.breaks;
}

}
