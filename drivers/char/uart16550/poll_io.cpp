// 16550 UART, polled I/O: synchronous programmed I/O (lab 1; lab/01-uart-polling/README.md).
//
// The CPU does all the work and learns about the device only by reading its status register:
//   * to send a byte it waits until LSR.THRE says the transmitter holding register (with the
//     FIFOs on: the whole transmit FIFO) is empty, then writes the byte to THR;
//   * to receive one it waits until LSR.DR says a byte is waiting, then reads RBR.
// Waiting is busy waiting: the CPU re-reads LSR until the bit changes, and does nothing else
// meanwhile. Poll mode (poll_mode.cpp) is built on these two: its write() sends with
// poll_putc(), its poller thread takes input with poll_getc(). Datasheet: PC16550D, "Line Status
// Register", "FIFO Polled Mode Operation". Register level only (uart.h).
//
// Students write poll_putc and poll_getc.
#include "uart.h"
#include <arch/platform.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace uart16550 {

// Sends one byte: waits until LSR.THRE is set, then writes the byte to THR. Context: thread,
// or the console with interrupts off (the port's lock held).
ErrorOr<void> poll_putc([[maybe_unused]] Uart& uart, [[maybe_unused]] u8 byte)
{
    // BEGIN LAB 1
    while (!has(uart.io.read(regs::lsr), Lsr::ThrEmpty))
        arch::cpu_relax();                       // busy waiting: nothing else to do
    uart.io.write(regs::thr, byte);
    return {};
    // END LAB 1
    // STUB LAB 1: return Error::from_errno(ENOSYS);   // lab 1: wait for THRE, write THR
}

// Receives one byte: waits until LSR.DR is set, then reads RBR. Gives up with ETIMEDOUT once
// time::now_ns() >= deadline_ns, but looks at LSR at least once, so deadline 0 means "only if a
// byte is already there". Context: thread.
ErrorOr<u8> poll_getc([[maybe_unused]] Uart& uart, [[maybe_unused]] u64 deadline_ns)
{
    // BEGIN LAB 1
    for (;;) {
        if (has(uart.io.read(regs::lsr), Lsr::DataReady))
            return uart.io.read(regs::rbr);
        if (time::now_ns() >= deadline_ns)
            return Error::from_errno(ETIMEDOUT);
        arch::cpu_relax();
    }
    // END LAB 1
    // STUB LAB 1: return Error::from_errno(ENOSYS);   // lab 1: wait for DR, read RBR
}

}
