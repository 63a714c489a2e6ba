#pragma once
// uartd: a user-mode driver for a 16550 UART (lab 9). The kernel hands the device over as
// /dev/uioN (boot word uio=serial8250.1 for COM2): this program gets the UART's ports with
// ioperm() and its interrupts through the uio file, and echoes every byte it receives.
//
//   main.cpp     finds the device, calls the parts below, reports    (given)
//   setup.cpp    uart_setup(): ports and UART registers; uart_send()  (you write)
//   service.cpp  uart_service(): one interrupt's worth of work        (you write)
//   loop.cpp     uart_echo(): wait, service, echo, unmask             (you write)
#include <kstd/types.h>

struct Uart {
    int uio { -1 };            // /dev/uioN, open for reading and writing
    u16 base { 0 };            // the first of the UART's 8 ports
    u32 interrupts { 0 };      // the count the last read() of the uio file returned
    u64 wakeups { 0 };         // how often read() returned
    u64 received { 0 };        // bytes read from RBR
    u64 sent { 0 };            // bytes written to THR
    u64 line_errors { 0 };     // line-status interrupts (overrun, parity, framing, break)
};

// Asks for the ports (ioperm) and programs the UART: 115200 baud, 8 data bits, no parity, one
// stop bit, FIFOs on with a trigger level of 14, DTR, RTS and OUT2 set, the receive and line
// status interrupts enabled, the receiver emptied. Returns 0, or -1 with errno set.
int uart_setup(Uart& uart);
// Sends `count` bytes: whenever LSR says the transmitter is empty (THRE), up to 16 bytes (the
// FIFO) go into THR at once. The transmitter is fast, so the waits are short. Counts them in
// uart.sent.
void uart_send(Uart& uart, u8 const* data, usize count);
// Does what one interrupt asks for: reads IIR and serves every pending cause until IIR says
// none is left; received bytes go to buffer (at most `room`). Returns how many arrived.
usize uart_service(Uart& uart, u8* buffer, usize room);
// Echoes received bytes until `count` have arrived (0: for ever), sleeping in read() on the uio
// file between interrupts. Returns 0, or -1 with errno set.
int uart_echo(Uart& uart, u64 count);
