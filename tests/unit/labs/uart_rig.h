#pragma once
// Labs 1 and 2 on the host: the 16550 driver's register level (drivers/char/uart16550/uart.h:
// init.cpp, poll_io.cpp, interrupts.cpp) running against the 16550 model at COM1
// (tests/unit/models/uart16550.h), with the model's IRQ 4 taken by the simulated CPU and served
// by the driver's top half under the port's lock, as irq_mode.cpp does in the kernel. The rig
// plays the TTY (it takes bytes out of the flip buffer and unthrottles) and the writer (it
// queues bytes and sleeps, letting the models' time run, while the queue is full).
//
// A check is given the driver's functions as a UartDriver: this tree's (tree_uart), or a
// grader self-test's purpose-made wrong one, so the same check proves both that the lab's code
// works and that the check names the mistake it is written for.
#include "../models/framework.h"
#include "../models/uart16550.h"
#include "../../../drivers/char/uart16550/uart.h"
#include <string>
#include <vector>

namespace labtest {

// The driver's register-level entry points a check calls.
struct UartDriver {
    char const* name;
    ErrorOr<void> (*hw_init)(uart16550::Uart& uart, u32 baud);
    ErrorOr<void> (*poll_putc)(uart16550::Uart& uart, u8 byte);
    ErrorOr<u8> (*poll_getc)(uart16550::Uart& uart, u64 deadline_ns);
    bool (*handle_interrupt)(uart16550::Uart& uart);
    usize (*queue_tx)(uart16550::Uart& uart, kstd::Span<u8 const> bytes);
};
extern UartDriver const tree_uart;   // this tree's functions (uart_rig.cpp)

// What the rig saw the top half do.
struct TopHalfRecord {
    u64 calls { 0 };
    u64 claimed { 0 };              // returned true
    u64 empty_thre { 0 };           // entered with THRE the pending cause and nothing queued
    u64 stuck { 0 };                // returned with IRQ 4 high since it was entered
    u8 stuck_cause { 0 };           // the model's pending cause (IIR bits 0-3) the first time
    u8 stuck_ier { 0 };
};

// What one queue_tx() call cost.
struct QueueCall {
    usize queued;
    u64 ns;                         // simulated time inside the call
    u64 iir_reads, lsr_reads;
};

class UartRig : public models::ModelFixture {
public:
    static constexpr u16 COM1 = 0x3F8;

    explicit UartRig(UartDriver const& driver = tree_uart);
    ~UartRig();
    UartRig(UartRig const&) = delete;
    UartRig& operator=(UartRig const&) = delete;

    // Probe's init: the given init_hardware() (FIFOs on without losing a byte, then hw_init()).
    ErrorOr<void> init(u32 baud = 115200);
    // irq mode started and /dev/ttyS0 open: the top half on IRQ 4, then interrupts_wanted and
    // rx_active, update_ier() (irq_start and irq_activate in irq_mode.cpp).
    void open_irq();
    // Runs `fn(uart)` with the port's lock held (interrupts off), as the kernel side does.
    template<typename Fn>
    auto locked(Fn fn)
    {
        sched::SpinlockGuard guard(lock);
        return fn(uart);
    }

    // One queue_tx() call under the lock, measured (queue_calls).
    usize queue(kstd::Span<u8 const> bytes);
    // Queues all of `bytes`, sleeping while the queue is full, then waits until the transmitter
    // is idle. False when nothing moved for `stall_ns` of simulated time.
    bool send(std::vector<u8> const& bytes, u64 stall_ns = 20'000'000);
    bool drain(u64 stall_ns = 20'000'000);
    // Lets the models' time run until `until_ns` (events fire, interrupts are taken).
    void run_until(u64 until_ns);
    void run_for(u64 ns);
    // The TTY's bottom half: what the flip buffer holds, taken out; a throttled port is
    // unthrottled once the buffer is empty (Port::unthrottle).
    std::vector<u8> take_received();
    // A console line as console.cpp writes it: console_writing on, update_ier(), the bytes by
    // polling, console_writing off, update_ier().
    void console_line(char const* text);

    // The model's violations on one line, for a failure message.
    std::string violations() const;

    models::InterruptLine irq4 { "COM1 IRQ 4", models::Trigger::Edge };
    models::Uart16550 chip { COM1, irq4, "COM1" };
    tty::FlipBuffer flip;
    uart16550::Uart uart;
    sched::Spinlock lock { "uart-rig" };
    UartDriver const& driver;
    TopHalfRecord top_half;
    std::vector<QueueCall> queue_calls;
    std::vector<u8> received;     // everything take_received() took, in order

private:
    void interrupt();
};

// Bytes of the grader's xorshift sequence (lab/grader/README.md, `generate`).
std::vector<u8> pattern(usize count, u32 seed);
// "0x07", for messages.
std::string hex8(u8 value);
// The IIR cause bits as the lecture names them.
char const* cause_name(u8 iir);

}
