// 16550 UART initialisation (lab 1; lab/01-uart-polling/README.md, exercise 1).
//
// hw_init() programs the chip for 8N1 at a baud rate with its FIFOs on; init_hardware() (given)
// wraps it for probe and reinit(): it first turns the FIFOs on without losing a byte that
// arrived before the driver, and afterwards reads back what the driver needs to know.
// Register level only (uart.h): compiles for the host tests too. Datasheet: PC16550D, "Line
// Control Register", "FIFO Control Register", "Programmable Baud Generator".
//
// Students write hw_init. The rest of this file is given.
#include "uart.h"
#include <arch/platform.h>
#include <kernel/sched/sync.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace uart16550 {

// Programs the UART for polled I/O at `baud`, 8 data bits, no parity, 1 stop bit:
//   * IER = 0: no interrupts;
//   * the divisor latch (LCR.DLAB = 1, then DLL and DLM) = 115200 / baud; EINVAL when `baud` is
//     0 or does not divide 115200 exactly;
//   * LCR = 8N1 with DLAB = 0 again;
//   * FCR: FIFOs on with a receive trigger level, WITHOUT the clear bits: bytes that have
//     already arrived must stay in the receive FIFO;
//   * MCR = DTR | RTS | OUT2.
// Context: thread.
ErrorOr<void> hw_init([[maybe_unused]] Uart& uart, [[maybe_unused]] u32 baud)
{
    // BEGIN LAB 1
    if (baud == 0 || baud > MAX_BAUD || MAX_BAUD % baud != 0)
        return Error::from_errno(EINVAL);
    u16 const divisor = u16(MAX_BAUD / baud);
    io::PortWindow const& io = uart.io;

    io.write(regs::ier, Ier::None);              // polled: the UART must never interrupt
    io.write(regs::lcr, Lcr::Dlab);              // offsets 0 and 1 are now the divisor latch
    io.write(regs::dll, u8(divisor & 0xFF));
    io.write(regs::dlm, u8(divisor >> 8));
    io.write(regs::lcr, Lcr::Word8);             // 8 data bits, no parity, 1 stop bit, DLAB off
    // FIFOs on, receive trigger at 14 bytes. No ClearRx/ClearTx: clearing would throw away
    // input that arrived before (see the early console, arch/x86_64/early_console.cpp).
    io.write(regs::fcr, Fcr::Enable | Fcr::Trigger14);
    io.write(regs::mcr, Mcr::Dtr | Mcr::Rts | Mcr::Out2);
    return {};
    // END LAB 1
    // STUB LAB 1: return Error::from_errno(ENOSYS);   // lab 1: program the UART
}

// --- given -----------------------------------------------------------------------------------

namespace {

// Turning the FIFOs on (changing FCR's enable bit) clears the receiver, on the chip and in
// QEMU, and the firmware leaves them off: a byte typed before the driver started may wait in
// RBR. So, before hw_init() runs, and in loopback (so that the line delivers nothing new
// meanwhile; QEMU does not even ask its backend for more): take that byte, turn the FIFOs on, and
// transmit the byte to ourselves, which puts it first in the new receive FIFO. It is then where
// any reader of COM1 expects it, the early console's included. hw_init() writes FCR with the
// enable bit already set, which clears nothing.
void enable_fifos_keeping_input(Uart& uart)
{
    io::PortWindow const& io = uart.io;
    if (has(io.read(regs::lcr), Lcr::Dlab) || has(io.read(regs::iir), Iir::FifosEnabled))
        return;   // DLAB set: offset 0 is the divisor latch; FIFOs on: nothing will be cleared
    u64 const deadline = sched::deadline_after(time::NS_PER_MS);   // a character takes 87 us at 115200
    while (!has(io.read(regs::lsr), Lsr::TxIdle) && time::now_ns() < deadline)
        arch::cpu_relax();   // loopback must not capture a byte still being sent
    Mcr const mcr = io.read(regs::mcr);
    io.write(regs::mcr, mcr | Mcr::Loopback);
    bool const waiting = has(io.read(regs::lsr), Lsr::DataReady);
    u8 const byte = waiting ? io.read(regs::rbr) : 0;
    io.write(regs::fcr, Fcr::Enable);
    if (waiting) {
        io.write(regs::thr, byte);
        while (!has(io.read(regs::lsr), Lsr::DataReady) && time::now_ns() < deadline + time::NS_PER_MS)
            arch::cpu_relax();
    }
    io.write(regs::mcr, mcr);
}

}

ErrorOr<void> init_hardware(Uart& uart, u32 baud)
{
    enable_fifos_keeping_input(uart);
    TRY(hw_init(uart, baud));
    io::PortWindow const& io = uart.io;
    uart.baud = baud;
    uart.ier = io.read(regs::ier);
    uart.mcr = io.read(regs::mcr);
    // IER is 0 now, so reading IIR acknowledges nothing.
    uart.fifo_enabled = has(io.read(regs::iir), Iir::FifosEnabled);
    uart.fifo_depth = uart.fifo_enabled ? FIFO_DEPTH : 1;
    return {};
}

}
