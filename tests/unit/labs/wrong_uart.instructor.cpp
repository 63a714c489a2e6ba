// Purpose-made wrong 16550 drivers for the grader's self-tests of labs 1 and 2 (instructor-only:
// never in a handout). Each is this tree's driver with one classic mistake, made at an entry
// point the host checks call (uart_rig.h, UartDriver): the self-tests in
// lab/0N-*/tests/host/selftests.instructor.cpp run the lab's own check on it and expect the
// check's message to name the mistake.
//
//   uart_init_clears_fifo     hw_init, then FCR with the clear bits: bytes already received are lost
//   uart_getc_without_dr      poll_getc reads RBR without looking at LSR.DR
//   uart_putc_without_thre    poll_putc writes THR without waiting for THRE
//   uart_no_iir_loop          the top half handles the cause IIR names first and returns
//   uart_thre_never_enabled   queue_tx queues and never calls update_ier()
//   uart_thre_left_enabled    the top half refills THR itself and never calls update_ier(), so
//                             THRE stays enabled once the queue is empty
//   uart_iir_spinner          queue_tx waits for the transmitter, spinning on IIR and refilling
//   uart_overrun_ignored      the receive drain reads LSR but never passes it to
//                             note_line_status(): reading LSR clears OE, so the overrun is lost
#include "wrong_drivers.instructor.h"

namespace labtest::wrong {

using namespace uart16550;

namespace {

ErrorOr<void> init_clears_fifo(Uart& uart, u32 baud)
{
    TRY(hw_init(uart, baud));
    uart.io.write(regs::fcr, Fcr::Enable | Fcr::ClearRx | Fcr::ClearTx | Fcr::Trigger14);
    return {};
}

ErrorOr<u8> getc_without_dr(Uart& uart, u64) { return uart.io.read(regs::rbr); }

ErrorOr<void> putc_without_thre(Uart& uart, u8 byte)
{
    uart.io.write(regs::thr, byte);
    return {};
}

bool no_iir_loop(Uart& uart)
{
    Iir const iir = uart.io.read(regs::iir);
    if (has(iir, Iir::NoInterrupt))
        return false;
    bump(uart.stats.interrupts);
    Iir const cause = iir & Iir::CauseMask;
    if (cause == Iir::ThrEmpty)
        tx_refill(uart);
    else if (cause == Iir::ModemStatus)
        (void)uart.io.read(regs::msr);
    else
        rx_drain(uart);
    return true;   // one cause handled; another may still be pending
}

usize thre_never_enabled(Uart& uart, ReadonlyBytes bytes) { return uart.tx.push_some(bytes); }

// The tree's top half (the IIR loop) with its receive and THRE work given: a wrong driver
// changes one of them.
bool top_half_with(Uart& uart, void (*receive)(Uart&), void (*refill)(Uart&))
{
    Iir iir = uart.io.read(regs::iir);
    if (has(iir, Iir::NoInterrupt))
        return false;
    bump(uart.stats.interrupts);
    do {
        Iir const cause = iir & Iir::CauseMask;
        if (cause == Iir::ThrEmpty)
            refill(uart);
        else if (cause == Iir::ModemStatus)
            (void)uart.io.read(regs::msr);
        else
            receive(uart);
    } while (!has(iir = uart.io.read(regs::iir), Iir::NoInterrupt));
    return true;
}

void refill_without_update_ier(Uart& uart)
{
    u8 byte;
    for (unsigned i = 0; i < uart.fifo_depth && uart.tx.pop(byte); ++i)
        uart.io.write(regs::thr, byte);   // and no update_ier(): THRE stays on
}

bool refill_keeping_thre(Uart& uart) { return top_half_with(uart, rx_drain, refill_without_update_ier); }

// The tree's rx_drain with its note_line_status() calls undone: the error counts LSR's reads
// gave are forgotten, as when a student's drain never passes LSR on.
void drain_ignoring_line_status(Uart& uart)
{
    Stats const before = uart.stats;
    rx_drain(uart);
    uart.stats.overruns = before.overruns;
    uart.stats.parity_errors = before.parity_errors;
    uart.stats.framing_errors = before.framing_errors;
    uart.stats.breaks = before.breaks;
}

bool overrun_ignored(Uart& uart) { return top_half_with(uart, drain_ignoring_line_status, tx_refill); }

usize iir_spinner(Uart& uart, ReadonlyBytes bytes)
{
    usize const queued = uart.tx.push_some(bytes);
    update_ier(uart);
    while (!uart.tx.is_empty()) {
        if ((uart.io.read(regs::iir) & Iir::CauseMask) == Iir::ThrEmpty)
            tx_refill(uart);
    }
    return queued;
}

}

UartDriver const uart_init_clears_fifo {
    "uart_init_clears_fifo", init_clears_fifo, poll_putc, poll_getc, handle_interrupt, queue_tx
};
UartDriver const uart_getc_without_dr {
    "uart_getc_without_dr", hw_init, poll_putc, getc_without_dr, handle_interrupt, queue_tx
};
UartDriver const uart_putc_without_thre {
    "uart_putc_without_thre", hw_init, putc_without_thre, poll_getc, handle_interrupt, queue_tx
};
UartDriver const uart_no_iir_loop {
    "uart_no_iir_loop", hw_init, poll_putc, poll_getc, no_iir_loop, queue_tx
};
UartDriver const uart_thre_never_enabled {
    "uart_thre_never_enabled", hw_init, poll_putc, poll_getc, handle_interrupt, thre_never_enabled
};
UartDriver const uart_thre_left_enabled {
    "uart_thre_left_enabled", hw_init, poll_putc, poll_getc, refill_keeping_thre, queue_tx
};
UartDriver const uart_overrun_ignored {
    "uart_overrun_ignored", hw_init, poll_putc, poll_getc, overrun_ignored, queue_tx
};
UartDriver const uart_iir_spinner {
    "uart_iir_spinner", hw_init, poll_putc, poll_getc, handle_interrupt, iir_spinner
};

}
