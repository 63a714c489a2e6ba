#pragma once
// The checks of labs 1 and 2 that need a 16550 model: each drives a UartDriver (uart_rig.h)
// through a scenario QEMU cannot stage on demand and fails with a message that names the
// classic mistake it catches. The lab tests (lab/01-uart-polling/tests/host,
// lab/02-interrupts/tests/host) run them on this tree's driver; the grader's self-tests run
// them on purpose-made wrong drivers and expect exactly that message.
#include "uart_rig.h"

namespace labtest {

// --- lab 1: init and polled I/O -------------------------------------------------------------
// hw_init: the divisor for 9600 baud, 8N1, FIFOs on, IER 0, DTR|RTS|OUT2; bad rates EINVAL with
// nothing changed.
void check_init_registers(UartDriver const& driver);
// hw_init with the FIFOs already on and three bytes received: none is thrown away.
void check_init_keeps_received_bytes(UartDriver const& driver);
// poll_putc at 115200 baud: 40 bytes reach the line in order, none written into a full FIFO.
void check_putc_waits_for_thre(UartDriver const& driver);
// poll_getc: ETIMEDOUT with nothing received, without reading RBR; then "hello", byte by byte.
void check_getc_waits_for_dr(UartDriver const& driver);

// --- lab 2: the interrupt-driven UART ---------------------------------------------------------
// Received data and THRE pending at once: one interrupt must serve both (the IIR loop).
void check_top_half_serves_every_cause(UartDriver const& driver);
// queue_tx() turns THRE on (40 bytes go out by THRE interrupts).
void check_thre_enabled_while_queued(UartDriver const& driver);
// THRE is off once the queue is empty: no THRE interrupts with nothing to send, and the next
// write starts again.
void check_thre_disabled_when_empty(UartDriver const& driver);
// queue_tx() queues and returns: it does not wait for the transmitter.
void check_queue_tx_does_not_wait(UartDriver const& driver);
// 100 bytes at 115200 baud arrive by receive interrupts and character timeouts, in order, each
// RBR read after LSR.DR.
void check_receive_by_interrupt(UartDriver const& driver);
// With the receiver held, 24 bytes overrun the FIFO: the overrun is counted and the first 16
// bytes survive.
void check_overrun_counted(UartDriver const& driver);

}
