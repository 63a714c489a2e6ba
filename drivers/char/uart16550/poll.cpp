// 16550 UART, poll mode: synchronous programmed I/O (lab 1; lab/01-uart-polling/README.md).
//
// The CPU does all the work and learns about the device only by reading its status register:
//   * to send a byte it waits until LSR.THRE says the transmitter holding register (with the
//     FIFOs on: the whole transmit FIFO) is empty, then writes the byte to THR;
//   * to receive one it waits until LSR.DR says a byte is waiting, then reads RBR.
// Waiting is busy waiting: the CPU re-reads LSR until the bit changes, and does nothing else
// meanwhile. IER stays 0, so the UART never interrupts. Datasheet: PC16550D, "Line Status
// Register", "FIFO Polled Mode Operation"; registers in uart16550_regs.h.
//
// Students write hw_init, poll_putc and poll_getc. The rest of this file (poll_read,
// poll_write, init_hardware) is given: it builds the driver's read and write on them.
#include "uart16550.h"
#include <arch/platform.h>
#include <kernel/sched/entity.h>
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
ErrorOr<void> hw_init([[maybe_unused]] Port& port, [[maybe_unused]] u32 baud)
{
    // BEGIN LAB 1
    if (baud == 0 || baud > MAX_BAUD || MAX_BAUD % baud != 0)
        return Error::from_errno(EINVAL);
    u16 const divisor = u16(MAX_BAUD / baud);
    io::PortWindow const& io = port.m_io;

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

// Sends one byte: waits until LSR.THRE is set, then writes the byte to THR. Context: thread,
// or the console with interrupts off.
ErrorOr<void> poll_putc([[maybe_unused]] Port& port, [[maybe_unused]] u8 byte)
{
    // BEGIN LAB 1
    while (!has(port.m_io.read(regs::lsr), Lsr::ThrEmpty))
        arch::cpu_relax();                       // busy waiting: nothing else to do
    port.m_io.write(regs::thr, byte);
    return {};
    // END LAB 1
    // STUB LAB 1: return Error::from_errno(ENOSYS);   // lab 1: wait for THRE, write THR
}

// Receives one byte: waits until LSR.DR is set, then reads RBR. Gives up with ETIMEDOUT once
// time::now_ns() >= deadline_ns, but looks at LSR at least once, so deadline 0 means "only if a
// byte is already there". Context: thread.
ErrorOr<u8> poll_getc([[maybe_unused]] Port& port, [[maybe_unused]] u64 deadline_ns)
{
    // BEGIN LAB 1
    for (;;) {
        if (has(port.m_io.read(regs::lsr), Lsr::DataReady))
            return port.m_io.read(regs::rbr);
        if (time::now_ns() >= deadline_ns)
            return Error::from_errno(ETIMEDOUT);
        arch::cpu_relax();
    }
    // END LAB 1
    // STUB LAB 1: return Error::from_errno(ENOSYS);   // lab 1: wait for DR, read RBR
}

// --- given: built on the three functions above ----------------------------------------------

namespace {

// How long one poll_getc call may spin before poll_read looks at the port's state again.
constexpr u64 POLL_SLICE_NS = 10 * time::NS_PER_MS;

// Turning the FIFOs on (changing FCR's enable bit) clears the receiver, on the chip and in
// QEMU, and the firmware leaves them off: a byte typed before the driver started may wait in
// RBR. So, before hw_init() runs, and in loopback (so that the line delivers nothing new
// meanwhile; QEMU does not even ask its backend for more): take that byte, turn the FIFOs on, and
// transmit the byte to ourselves, which puts it first in the new receive FIFO. It is then where
// any reader of COM1 expects it, the early console's included. hw_init() writes FCR with the
// enable bit already set, which clears nothing.
void enable_fifos_keeping_input(Port& port)
{
    io::PortWindow const& io = port.m_io;
    sched::SpinlockGuard guard(port.m_lock);
    if (has(io.read(regs::lcr), Lcr::Dlab) || has(io.read(regs::iir), Iir::FifosEnabled))
        return;   // DLAB set: offset 0 is the divisor latch; FIFOs on: nothing will be cleared
    u64 const deadline = time::now_ns() + time::NS_PER_MS;   // a character takes 87 us at 115200
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

ErrorOr<void> init_hardware(Port& port, u32 baud)
{
    enable_fifos_keeping_input(port);
    TRY(hw_init(port, baud));
    io::PortWindow const& io = port.m_io;
    sched::SpinlockGuard guard(port.m_lock);
    port.m_baud = baud;
    port.m_ier = io.read(regs::ier);
    port.m_mcr = io.read(regs::mcr);
    // IER is 0 now, so reading IIR acknowledges nothing.
    port.m_fifo_enabled = has(io.read(regs::iir), Iir::FifosEnabled);
    port.m_fifo_depth = port.m_fifo_enabled ? FIFO_DEPTH : 1;
    return {};
}

ErrorOr<usize> poll_read(Port& port, Bytes buffer, tty::ReadMode mode)
{
    sched::MutexGuard reader(port.m_reader_lock);
    // The first byte is worth waiting for (unless nonblocking). Spin in slices, so that a port
    // being removed is noticed.
    u64 const deadline = mode.nonblock ? 0
                         : mode.timeout_ns ? time::now_ns() + mode.timeout_ns
                                           : sched::NO_DEADLINE;
    usize count = 0;
    for (;;) {
        if (port.m_closing)
            return Error::from_errno(ENODEV);
        u64 const slice_end = time::now_ns() + POLL_SLICE_NS;
        auto byte = poll_getc(port, deadline < slice_end ? deadline : slice_end);
        if (!byte.is_error()) {
            buffer[count++] = byte.value();
            break;
        }
        if (byte.error().code() != ETIMEDOUT)
            return byte.release_error();
        if (time::now_ns() >= deadline)
            return Error::from_errno(mode.nonblock ? EAGAIN : ETIMEDOUT);
    }
    // Then whatever else is already there, without waiting.
    while (count < buffer.size()) {
        auto byte = poll_getc(port, 0);
        if (byte.is_error())
            break;
        buffer[count++] = byte.value();
    }
    bump(port.m_stats.bytes_in, count);
    return count;
}

ErrorOr<usize> poll_write(Port& port, ReadonlyBytes bytes)
{
    sched::MutexGuard writer(port.m_writer_lock);
    for (usize i = 0; i < bytes.size(); ++i) {
        if (port.m_closing)
            return i ? ErrorOr<usize>(i) : Error::from_errno(ENODEV);
        TRY(poll_putc(port, bytes[i]));
        bump(port.m_stats.bytes_out);
    }
    return bytes.size();
}

}
