#pragma once
// The 16550 UART driver (drivers/char/uart16550): COM1-COM4 as ttyS0-ttyS3.
//
// One driver, two modes behind one ops table (ARCHITECTURE.md section 6, STYLE.md rule 12),
// chosen for every port at boot with `uart.mode=`:
//   poll  synchronous programmed I/O: write spins on LSR.THRE before each byte, read spins on
//         LSR.DR. IER stays 0: the UART never interrupts. (lab 1)
//   irq   writers fill a TX queue that THRE interrupts drain (THRE interrupts are enabled only
//         while the queue holds bytes); the top half drains the receive FIFO into an RX ring;
//         readers and writers sleep on wait queues. (lab 2)
// Other boot options: `uart.baud=` (default 115200), and `console=` (default ttyS0): which
// port carries kernel log output; `console=debugcon` keeps it off every serial line.
//
// The TTY layer (include/drivers/tty.h) sits on top: the driver gives it port_ops(). This
// header is the driver's own raw interface, for tests, benchmarks and diagnostics.
#include <drivers/tty.h>
#include <kernel/dev/file.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace uart16550 {

class Port;

enum class Mode : u8 { Poll, Irq };
char const* mode_name(Mode mode);   // "poll", "irq"

// Counters since boot (or the last IOCTL_RESET_STATS).
struct Stats {
    u64 bytes_in;         // bytes received and handed to the ring (irq) or a reader (poll)
    u64 bytes_out;        // bytes written to THR for writers (console output not included)
    u64 console_bytes;    // bytes the kernel console wrote synchronously
    u64 interrupts;       // top-half calls that found this UART's interrupt pending
    u64 tx_interrupts;    // ... of which THRE
    u64 rx_interrupts;    // ... of which received data, character timeout or line status
    u64 overruns;         // LSR.OE seen: bytes lost because the receiver was full
    u64 parity_errors;    // LSR.PE
    u64 framing_errors;   // LSR.FE
    u64 breaks;           // LSR.BI
    u64 tx_full_waits;    // a writer had to sleep because the TX queue was full
    u64 rx_throttles;     // the RX ring filled up and the driver stopped draining the FIFO
};

// A register snapshot, for diagnostics and tests. `iir` is only read in poll mode (reading IIR
// acknowledges a pending THRE interrupt, which would stall irq-mode transmission); otherwise
// iir_read is false and fifo_enabled comes from what init found.
struct Registers {
    u8 ier, iir, lcr, mcr, lsr, msr, scr;
    u16 divisor;
    bool iir_read;
    bool fifo_enabled;
};

// ioctl requests ('U' for UART), through port_ops().ioctl, the TTY, or ioctl().
// Unknown requests answer ENOTTY.
inline constexpr u32 IOCTL_GET_STATS = dev::ioctl_code('U', 1);      // argument: Stats*
inline constexpr u32 IOCTL_RESET_STATS = dev::ioctl_code('U', 2);
inline constexpr u32 IOCTL_GET_MODE = dev::ioctl_code('U', 3);       // returns Mode
inline constexpr u32 IOCTL_DRAIN = dev::ioctl_code('U', 4);          // like tcdrain()
inline constexpr u32 IOCTL_SET_LOOPBACK = dev::ioctl_code('U', 5);   // argument: 0 or 1 (MCR.LOOP)
inline constexpr u32 IOCTL_SET_RX_THROTTLE = dev::ioctl_code('U', 6);// argument: 0 or 1
inline constexpr u32 IOCTL_GET_REGISTERS = dev::ioctl_code('U', 7);  // argument: Registers*

// The port behind ttyS<index>, or nullptr when that COM port is absent or its driver did not
// bind (for example while lab 1's init is still a stub). Context: thread. Locking: none (valid
// until the port is unbound: the platform bus's unbind/remove).
Port* port(unsigned index);
char const* name(Port const& port);   // "ttyS0"
Mode mode(Port const& port);
u32 baud(Port const& port);

// The channel the TTY layer drives (void* port = Port*). read: at least one byte, waiting per
// `mode` (EAGAIN when nonblocking and empty, ETIMEDOUT after timeout_ns); write: every byte,
// sleeping (irq) or spinning (poll) while the transmitter is busy; ioctl: the IOCTL_* above.
// ENODEV once the port is being removed. Context: thread. Locking: one reader and one writer at
// a time (each waits for the other readers/writers); none of the caller's may be held.
tty::TtyPortOps const& port_ops();
ErrorOr<usize> read(Port& port, kstd::Span<u8> buffer, tty::ReadMode mode = {});
ErrorOr<usize> write(Port& port, kstd::Span<u8 const> bytes);
ErrorOr<long> ioctl(Port& port, u32 request, uptr argument = 0);

// Waits until every byte queued so far has left the transmitter (LSR.TEMT). Context: thread.
// Locking: none held (it sleeps).
ErrorOr<void> drain(Port& port);
// A copy of the counters. Context: any. Locking: none.
Stats stats(Port const& port);
// Reads every register (the divisor through a moment of DLAB). Context: thread. Locking: takes
// the port's spinlock (interrupts off for a few port accesses).
Registers registers(Port& port);

// --- lab 1, one level down: the polled primitives themselves -------------------------------
// (Re)programs the UART: divisor for `baud` (EINVAL unless it divides 115200), 8N1, FIFOs on
// with a trigger level, IER 0. Bytes already received are kept. Poll mode only (EBUSY in irq
// mode). Context: thread. Locking: waits for the port's reader and writer.
ErrorOr<void> reinit(Port& port, u32 baud);
// Polled transmit / receive of one byte. getc waits until `deadline_ns` on the monotonic
// clock (ETIMEDOUT); deadline 0 only takes a byte that is already there. Poll mode only
// (EBUSY in irq mode). Context: thread. Locking: none; the caller keeps other users of the port
// away (tests do).
ErrorOr<void> putc(Port& port, u8 byte);
ErrorOr<u8> getc(Port& port, u64 deadline_ns);
// Diagnostic loopback (MCR bit 4): what is transmitted is received by the same UART; nothing
// reaches the line and nothing from the line is received. Context: thread. Locking: the port's
// spinlock, briefly.
void set_loopback(Port& port, bool on);
// Stop (or resume) taking bytes from the receive FIFO, as the TTY layer does when its buffer
// is full: irq mode masks the receive interrupt, so the FIFO fills and then overruns on a
// line without flow control. Poll mode: no effect. Context: thread. Locking: the port's spinlock,
// briefly.
void set_rx_throttled(Port& port, bool on);

// Writes "\n<text>\n" to the scratch register (offset 7): a mark the grader's trace peer sees
// as a COM1 line (lab/grader/README.md, "Windows") without a byte on the wire. Context: any.
// Locking: none (SCR affects nothing else).
void trace_mark(Port& port, char const* text);

// BEGIN INSTRUCTOR
// Grader self-tests only (tests/kernel/uart_selftests.instructor.cpp): wrong drivers that pass
// every check made inside the guest, for showing that the rubrics' trace checks catch them.
//   SecretPoll   irq mode whose write() polls LSR.THRE for each byte and fakes its counters
//   PollSetsIer  reinit() in poll mode leaves the receive interrupt enabled in IER
// Context: thread.
enum class Misbehaviour : u8 { None, SecretPoll, PollSetsIer };
void selftest_misbehave(Misbehaviour how);
// END INSTRUCTOR

}
