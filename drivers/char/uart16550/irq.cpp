// 16550 UART, interrupt mode (lab 2; lab/02-interrupts/README.md).
//
// The UART tells the CPU when it needs attention, and the CPU does other work (or sleeps in the
// idle thread) in between:
//   * transmit: write() puts bytes into a TX queue (a ring) and enables the THRE interrupt. Each
//     THRE interrupt means "the transmit FIFO is empty": the top half moves up to 16 bytes from
//     the queue into THR. When the queue is empty it disables THRE again, or the UART would keep
//     interrupting with nothing to send. A writer that finds the queue full sleeps until the top
//     half has made room.
//   * receive: the receive interrupt (FIFO at its trigger level, or bytes left sitting for four
//     character times) and the line-status interrupt (overrun, parity, framing, break) make the
//     top half read LSR and RBR until LSR.DR clears, pushing each byte into an RX ring and
//     counting the errors. A reader that finds the ring empty sleeps until the top half wakes it.
// The top half follows STYLE.md rule 8: read IIR; nothing pending means "not mine" (the line may
// be shared: COM1 and COM3 both use IRQ 4); handle each cause; the IRQ core sends the EOI.
// Datasheet: PC16550D, "Interrupt Identification Register" (Table IV), "Interrupt Enable
// Register", "FIFO Interrupt Mode Operation".
//
// Students write irq_start, uart_interrupt, rx_drain, tx_refill, irq_read and irq_write. The
// rest (teardown, drain, throttling, overrun reports) is given.
//
// Limitation: if the RX ring fills up the driver stops taking bytes (masks the receive
// interrupt) until a reader makes room; on a line without flow control the FIFO then overruns,
// which is counted and reported. QEMU's serial backends wait instead, so nothing is lost there.
#include "uart16550.h"
#include <kernel/printk.h>
#include <kernel/sched/entity.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

// The top half handles causes until IIR says none is pending: only then does the UART drop its
// interrupt request, so that the next cause makes the new edge an edge-triggered ISA line
// needs. Both rings are finite, so that ends; the limit only guards against a broken chip.
constexpr unsigned IRQ_PASS_LIMIT = 512;
// Bytes one rx_drain call takes from the FIFO at most.
constexpr unsigned RX_DRAIN_LIMIT = 256;

// Given: stop taking bytes when the RX ring is full. Masking the receive interrupt lowers the
// UART's request; unmasking it later (rx_consumed) raises it again if bytes are still waiting,
// which is the edge the interrupt controller needs. Context: m_lock held.
void throttle_rx_locked(Port& port)
{
    if (port.m_rx_throttled)
        return;
    port.m_rx_throttled = true;
    bump(port.m_stats.rx_throttles);
    port.disable_ier_locked(Ier::RxAvailable);
}

}

// Requests the port's IRQ line (the platform device's resource "irq", shared) with
// uart_interrupt as the top half, then enables the receive and line-status interrupts. THRE is
// enabled only while there is something to send (irq_write). Order matters: a handler must be
// installed before the UART may interrupt. Context: thread.
ErrorOr<void> irq_start([[maybe_unused]] Port& port)
{
    // BEGIN LAB 2
    port.m_irq = TRY(port.m_device.request_irq("irq", uart_interrupt, &port, port.m_name, irq::IrqFlags::Shared));
    sched::SpinlockGuard guard(port.m_lock);
    port.enable_ier_locked(Ier::RxAvailable | Ier::LineStatus);
    return {};
    // END LAB 2
    // STUB LAB 2: return Error::from_errno(ENOSYS);   // lab 2: request the IRQ, enable RX interrupts
}

// The top half. Context: IRQ (interrupts off; must not sleep, allocate or print).
irq::IrqReturn uart_interrupt([[maybe_unused]] void* ctx)
{
    // BEGIN LAB 2
    Port& port = *static_cast<Port*>(ctx);
    sched::SpinlockGuard guard(port.m_lock);
    Iir iir = port.m_io.read(regs::iir);
    if (has(iir, Iir::NoInterrupt))
        return irq::IrqReturn::None;   // not this UART: another device on a shared line
    bump(port.m_stats.interrupts);
    unsigned pass = 0;
    do {
        Iir const cause = iir & Iir::CauseMask;
        if (cause == Iir::LineStatus || cause == Iir::RxAvailable || cause == Iir::RxTimeout) {
            bump(port.m_stats.rx_interrupts);
            rx_drain(port);
        } else if (cause == Iir::ThrEmpty) {
            bump(port.m_stats.tx_interrupts);   // reading IIR has acknowledged it
            tx_refill(port);
        } else {
            (void)port.m_io.read(regs::msr);    // modem status: reading MSR acknowledges it
        }
        // Read IIR again only to handle what it says: reading it acknowledges a THRE interrupt.
    } while (++pass < IRQ_PASS_LIMIT && !has(iir = port.m_io.read(regs::iir), Iir::NoInterrupt));
    return irq::IrqReturn::Handled;
    // END LAB 2
    // STUB LAB 2: return irq::IrqReturn::None;   // lab 2: the top half
}

// Takes received bytes out of the FIFO into the RX ring while LSR.DR is set, counting the error
// bits of every LSR value read (note_line_status), and wakes readers. A full ring: call
// throttle_rx_locked and leave the rest in the FIFO. Context: IRQ, m_lock held.
void rx_drain([[maybe_unused]] Port& port)
{
    // BEGIN LAB 2
    usize received = 0;
    for (unsigned i = 0; i < RX_DRAIN_LIMIT; ++i) {
        Lsr const lsr = port.m_io.read(regs::lsr);
        port.note_line_status(lsr);   // reading LSR cleared OE/PE/FE/BI: count them now
        if (!has(lsr, Lsr::DataReady) || port.m_rx_throttled)
            break;
        if (port.m_rx.is_full()) {
            throttle_rx_locked(port);
            break;
        }
        port.m_rx.push(port.m_io.read(regs::rbr));
        ++received;
    }
    if (received) {
        bump(port.m_stats.bytes_in, received);
        port.m_rx_wait.wake_all();
    }
    // END LAB 2
    // STUB LAB 2:
}

// THRE: the transmit FIFO is empty. Moves up to m_fifo_depth bytes from the TX queue into THR;
// when the queue is empty, disables the THRE interrupt. Wakes writers waiting for room (and
// drain()). Context: IRQ, m_lock held.
void tx_refill([[maybe_unused]] Port& port)
{
    // BEGIN LAB 2
    usize sent = 0;
    u8 byte;
    while (sent < port.m_fifo_depth && port.m_tx.pop(byte)) {
        port.m_io.write(regs::thr, byte);
        ++sent;
    }
    bump(port.m_stats.bytes_out, sent);
    if (port.m_tx.is_empty())
        port.disable_ier_locked(Ier::ThrEmpty);   // nothing left: stop the THRE interrupts
    port.m_tx_wait.wake_all();
    // END LAB 2
    // STUB LAB 2:
}

// Reads at least one byte from the RX ring, sleeping on m_rx_wait while it is empty: EAGAIN at
// once when mode.nonblock, ETIMEDOUT after mode.timeout_ns (0: no timeout), ENODEV when the
// port is being removed (m_closing). Then takes whatever else is there, up to buffer.size(),
// and calls rx_consumed. One reader at a time (m_reader_lock). Context: thread.
ErrorOr<usize> irq_read([[maybe_unused]] Port& port, [[maybe_unused]] Bytes buffer,
                        [[maybe_unused]] tty::ReadMode mode)
{
    // BEGIN LAB 2
    sched::MutexGuard reader(port.m_reader_lock);
    if (port.m_rx.is_empty()) {
        if (mode.nonblock)
            return Error::from_errno(EAGAIN);
        u64 const deadline = mode.timeout_ns ? time::now_ns() + mode.timeout_ns : sched::NO_DEADLINE;
        TRY(port.m_rx_wait.wait_event_until([&] { return !port.m_rx.is_empty() || port.m_closing; }, deadline));
        if (port.m_rx.is_empty())
            return Error::from_errno(ENODEV);   // woken because the port is going away
    }
    usize const count = port.m_rx.pop_some(buffer);
    rx_consumed(port);
    return count;
    // END LAB 2
    // STUB LAB 2: return Error::from_errno(ENOSYS);   // lab 2: blocking read from the RX ring
}

// Queues every byte of `bytes` for the top half, enabling the THRE interrupt after each batch;
// while the queue is full, counts a tx_full_wait and sleeps on m_tx_wait until there is room.
// ENODEV when the port is being removed. One writer at a time (m_writer_lock). Context: thread.
ErrorOr<usize> irq_write([[maybe_unused]] Port& port, [[maybe_unused]] ReadonlyBytes bytes)
{
    // BEGIN LAB 2
    sched::MutexGuard writer(port.m_writer_lock);
    usize done = 0;
    while (done < bytes.size()) {
        {
            sched::SpinlockGuard guard(port.m_lock);
            if (port.m_closing)
                return Error::from_errno(ENODEV);
            done += port.m_tx.push_some(kstd::slice(bytes, done));
            // THRE is pending whenever the FIFO is empty, so enabling it starts the transmission.
            port.enable_ier_locked(Ier::ThrEmpty);
        }
        if (done == bytes.size())
            break;
        bump(port.m_stats.tx_full_waits);
        port.m_tx_wait.wait_event([&] { return !port.m_tx.is_full() || port.m_closing; });
    }
    return done;
    // END LAB 2
    // STUB LAB 2: return Error::from_errno(ENOSYS);   // lab 2: queue the bytes, THRE does the rest
}

// --- given -----------------------------------------------------------------------------------

// A reader took bytes out of the RX ring. If the top half had stopped for lack of room, and
// nobody asked for the throttle (set_rx_throttled), let it take bytes again. Context: thread.
void rx_consumed(Port& port)
{
    sched::SpinlockGuard guard(port.m_lock);
    if (port.m_rx_throttled && !port.m_rx_throttle_requested && port.m_rx.size() <= RX_RING_SIZE / 2) {
        port.m_rx_throttled = false;
        port.enable_ier_locked(Ier::RxAvailable);
    }
}

void irq_stop(Port& port)
{
    {
        sched::SpinlockGuard guard(port.m_lock);
        port.set_ier_locked(Ier::None);
    }
    port.m_irq.release();
    port.m_rx_wait.wake_all();
    port.m_tx_wait.wake_all();
}

ErrorOr<void> irq_drain(Port& port)
{
    // Empty queue and THRE disabled: the top half has handed the last byte to the FIFO.
    port.m_tx_wait.wait_event([&] { return (port.m_tx.is_empty() && !has(port.m_ier, Ier::ThrEmpty)) || port.m_closing; });
    if (port.m_closing)
        return Error::from_errno(ENODEV);
    return {};
}

void irq_set_rx_throttled(Port& port, bool on)
{
    {
        sched::SpinlockGuard guard(port.m_lock);
        port.m_rx_throttle_requested = on;
        if (on)
            throttle_rx_locked(port);
    }
    if (!on)
        rx_consumed(port);
}

void report_overruns(Port& port)
{
    u64 const overruns = port.m_stats.overruns;
    if (overruns == port.m_overruns_reported)
        return;
    log_warn("%s: %lu input overrun(s): received bytes were lost (%lu in all)\n", port.m_name,
             overruns - port.m_overruns_reported, overruns);
    port.m_overruns_reported = overruns;
}

}
