#pragma once
// The 16550 at register level: what the driver does to the chip, with no kernel service in
// sight (no lock, no sleep, no scheduling, no allocation). The kernel side (uart16550.h) holds
// the port's lock around these calls and afterwards does what they ask for (Uart::events): a
// push to the TTY, a wake-up for writers. That split lets these files compile for the host
// against a register-level 16550 model behind io::PortWindow (tests/unit/models/):
//
//   init.cpp        lab 1: hw_init() and the FIFO start-up that keeps received bytes
//   poll_io.cpp     lab 1: poll_putc(), poll_getc()
//   interrupts.cpp  lab 2: derive_ier()/update_ier(), the top half's IIR loop, rx_drain(),
//                   tx_refill(), queue_tx()
//
// Their only outside calls are time::now_ns(), sched::deadline_after() and arch::cpu_relax()
// (the bounded busy waits of init and polling), which a host test provides. Registers and datasheet references: uart16550_regs.h.
#include "uart16550_regs.h"
#include <drivers/uart16550.h>
#include <kernel/io/window.h>
#include <kernel/tty/flip_buffer.h>
#include <kernel/tty/termios.h>
#include <kstd/bitmask.h>
#include <kstd/ring_buffer.h>

namespace uart16550 {

inline constexpr usize TX_RING_SIZE = 4096;   // bytes irq mode can queue for the top half
// Writers wake, and poll() says Writable, once the TX queue holds fewer bytes than this.
inline constexpr usize TX_LOW_WATER = tty::LOW_WATER;

// Counters the top half and threads both update: each is bumped with one atomic add, so a
// counter shared by IRQ and thread context never loses an update. Read them with stats().
inline void bump(u64& counter, u64 amount = 1) { __atomic_fetch_add(&counter, amount, __ATOMIC_RELAXED); }

// What the register-level code found that only the kernel side can act on.
enum class Event : u8 {
    None = 0,
    Received = 1 << 0,     // bytes went into the flip buffer: push() them to the TTY
    TxLowWater = 1 << 1,   // the TX queue drained below TX_LOW_WATER (or emptied): write_wakeup()
};
ENUM_BITMASK(Event)

// One 16550 and the driver's state about it. Everything here is guarded by the port's lock
// (the top half takes it too), except `tx`'s and `rx`'s lock-free sides as documented there.
struct Uart {
    io::PortWindow io;
    u32 baud { MAX_BAUD };
    bool fifo_enabled { false };   // what init found in IIR bits 6-7
    u8 fifo_depth { 1 };           // FIFO_DEPTH with the FIFOs on, 1 without

    // The state IER follows: derive_ier() turns it into the register value, update_ier() writes
    // it. Nothing else writes IER after init.
    bool interrupts_wanted { false };   // irq mode: a top half is installed
    bool rx_active { false };           // the TTY is open: take input
    bool rx_throttled { false };        // the flip buffer was full, or the TTY said stop
    bool rx_held { false };             // set_rx_throttled(): the receiver is held on purpose
    bool tx_stopped { false };          // output suspended (tcflow): the queue waits
    bool console_writing { false };     // the kernel console is sending a line by polling
    Ier ier { Ier::None };              // what IER holds now
    Mcr mcr { Mcr::None };              // what MCR holds now

    kstd::RingBuffer<u8, TX_RING_SIZE> tx;   // irq mode: bytes for the top half to send
    tty::FlipBuffer* rx { nullptr };         // where received bytes go: the TTY port's flip buffer
    Event events { Event::None };            // for the kernel side, after the top half
    Stats stats {};
};

// --- lab 1 (init.cpp, poll_io.cpp) ---------------------------------------------------------
[[nodiscard]] ErrorOr<void> hw_init(Uart& uart, u32 baud);
// Init as probe and reinit() do it: FIFOs on without losing a byte already received, then
// hw_init(), then the driver's view of the registers (shadows, FIFO depth).
[[nodiscard]] ErrorOr<void> init_hardware(Uart& uart, u32 baud);
[[nodiscard]] ErrorOr<void> poll_putc(Uart& uart, u8 byte);
[[nodiscard]] ErrorOr<u8> poll_getc(Uart& uart, u64 deadline_ns);

// --- lab 2 (interrupts.cpp) ----------------------------------------------------------------
Ier derive_ier(Uart const& uart);
void update_ier(Uart& uart);
// The top half: true when this UART was interrupting (and every cause has been handled).
bool handle_interrupt(Uart& uart);
void rx_drain(Uart& uart);
void tx_refill(Uart& uart);
usize queue_tx(Uart& uart, kstd::Span<u8 const> bytes);

// --- given (interrupts.cpp) ------------------------------------------------------------------
// Counts the error bits of one LSR value (OE, PE, FE, BI): reading LSR clears them.
void note_line_status(Uart& uart, Lsr lsr);
// Stops taking received bytes (rx_throttled) and updates IER. Idempotent.
void throttle_rx(Uart& uart);
// The events gathered since the last call, cleared.
Event take_events(Uart& uart);
// The sum of the receive errors counted so far (what the TTY reports as poll Error).
u64 receive_errors(Uart const& uart);

}
