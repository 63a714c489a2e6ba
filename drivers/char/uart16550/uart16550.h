#pragma once
// The 16550 driver's internals, shared by its files (not a public interface; that is
// include/drivers/uart16550.h):
//   uart16550.cpp  the platform driver (probe/remove), the ops table both modes share, ioctls,
//                  the `uart` monitor command
//   poll.cpp       lab 1: init, polled putc/getc, and poll-mode read/write built on them
//   irq.cpp        lab 2: IRQ registration, the top half, the TX queue and RX ring, blocking
//                  read/write
//   console.cpp    the kernel console on a port (synchronous, polled) and `console=`
//   devnode.cpp    /dev/ttySN, through the TTY layer
#include "uart16550_regs.h"
#include <drivers/tty.h>
#include <drivers/uart16550.h>
#include <kernel/bus/platform.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kernel/sched/sync.h>
#include <kstd/ring_buffer.h>

namespace uart16550 {

inline constexpr unsigned MAX_PORTS = 4;       // COM1-COM4 (the platform bus's serial8250.0-3)
inline constexpr usize RX_RING_SIZE = 4096;    // bytes the top half can buffer for readers
inline constexpr usize TX_RING_SIZE = 4096;    // bytes writers can queue before they sleep

// Counters the top half and threads update; each is bumped with one atomic add, so a counter
// shared by IRQ and thread context never loses an update. Read them with stats().
inline void bump(u64& counter, u64 amount = 1) { __atomic_fetch_add(&counter, amount, __ATOMIC_RELAXED); }

class Port final : public bus::DriverState {
public:
    Port(platform::PlatformDevice& device, unsigned index);
    ~Port() override = default;

    // --- identity and hardware ------------------------------------------------------------
    platform::PlatformDevice& m_device;
    unsigned m_index;
    char m_name[8];                  // "ttyS0"
    io::PortRange m_ports;           // the 8 registers (shared with the early console's claim)
    io::PortWindow m_io;             // m_ports.window()
    Mode m_mode { Mode::Poll };
    u32 m_baud { MAX_BAUD };
    bool m_fifo_enabled { false };   // what init found in IIR bits 6-7
    u8 m_fifo_depth { 1 };           // FIFO_DEPTH with the FIFOs on, 1 without

    // Register sequences that must not interleave (IER read-modify-write, the console's IER
    // save/restore, DLAB windows, THR refills) and the state below. The top half takes it too.
    sched::Spinlock m_lock { "uart16550" };
    Ier m_ier { Ier::None };         // Guarded by m_lock: what IER holds
    Mcr m_mcr { Mcr::None };         // Guarded by m_lock: what MCR holds
    bool m_rx_throttled { false };   // Guarded by m_lock: receive interrupt masked, FIFO left full
    bool m_rx_throttle_requested { false };   // Guarded by m_lock: set_rx_throttled(true) is in force
    bool m_closing { false };        // set once by remove(): every call answers ENODEV

    // --- interrupt mode (irq.cpp) ---------------------------------------------------------
    irq::IrqHandle m_irq;
    kstd::RingBuffer<u8, RX_RING_SIZE> m_rx;   // producer: top half; consumer: a reader holding m_reader_lock
    kstd::RingBuffer<u8, TX_RING_SIZE> m_tx;   // producer: a writer holding m_writer_lock; consumer: top half
    sched::WaitQueue m_rx_wait;      // readers waiting for bytes
    sched::WaitQueue m_tx_wait;      // writers waiting for room, drain() waiting for empty
    sched::Mutex m_reader_lock { "uart16550 reader" };
    sched::Mutex m_writer_lock { "uart16550 writer" };

    Stats m_stats {};                // bump() only
    u64 m_overruns_reported { 0 };   // thread context only (the read path reports new overruns)

    // --- registration ---------------------------------------------------------------------
    tty::TtyHandle m_tty;            // /dev/ttySN through the TTY layer (devnode.cpp)

    // IER bits on/off, with the shadow. Context: any, with m_lock held.
    void set_ier_locked(Ier ier);
    void enable_ier_locked(Ier bits) { set_ier_locked(m_ier | bits); }
    void disable_ier_locked(Ier bits) { set_ier_locked(m_ier & ~bits); }
    void set_mcr_locked(Mcr mcr);
    // Counts the error bits of one LSR value (OE, PE, FE, BI). Context: any.
    void note_line_status(Lsr lsr);
};

// --- lab 1 (poll.cpp) ---------------------------------------------------------------------
[[nodiscard]] ErrorOr<void> hw_init(Port& port, u32 baud);
[[nodiscard]] ErrorOr<void> poll_putc(Port& port, u8 byte);
[[nodiscard]] ErrorOr<u8> poll_getc(Port& port, u64 deadline_ns);
// Init as probe and reinit() do it: FIFOs on without losing a byte already received (poll.cpp),
// then hw_init(), then the driver's view of the registers.
[[nodiscard]] ErrorOr<void> init_hardware(Port& port, u32 baud);
[[nodiscard]] ErrorOr<usize> poll_read(Port& port, Bytes buffer, tty::ReadMode mode);
[[nodiscard]] ErrorOr<usize> poll_write(Port& port, ReadonlyBytes bytes);

// --- lab 2 (irq.cpp) ----------------------------------------------------------------------
[[nodiscard]] ErrorOr<void> irq_start(Port& port);
void irq_stop(Port& port);
irq::IrqReturn uart_interrupt(void* ctx);
void rx_drain(Port& port);
void tx_refill(Port& port);
[[nodiscard]] ErrorOr<usize> irq_read(Port& port, Bytes buffer, tty::ReadMode mode);
[[nodiscard]] ErrorOr<usize> irq_write(Port& port, ReadonlyBytes bytes);
[[nodiscard]] ErrorOr<void> irq_drain(Port& port);
void irq_set_rx_throttled(Port& port, bool on);
void rx_consumed(Port& port);
// Tells the thread side about overruns the top half counted since the last report. Context: thread.
void report_overruns(Port& port);

// --- console.cpp ----------------------------------------------------------------------------
// Called at the end of probe / the start of remove: takes COM1 over from the early console and
// makes the port the kernel console if `console=` names it; gives both back on remove.
void console_attach(Port& port);
void console_detach(Port& port);

// --- devnode.cpp ----------------------------------------------------------------------------
[[nodiscard]] ErrorOr<void> register_node(Port& port);
void unregister_node(Port& port);

}
