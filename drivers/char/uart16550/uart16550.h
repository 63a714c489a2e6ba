#pragma once
// The 16550 driver's kernel side, shared by its files (the public interface is
// include/drivers/uart16550.h; the register level is uart.h):
//   uart16550.cpp   the platform driver: probe/remove, choosing the mode, the `uart` command
//   port.cpp        the TTY port (activate, throttle, ioctls) and the public functions
//   poll_mode.cpp   the poll mode's ops table: polled write, a poller thread for input
//   irq_mode.cpp    the irq mode's ops table: the IRQ line, the top half's kernel side, queued write
//   console.cpp     the kernel console on a port (synchronous, polled) and `console=`
//   init.cpp, poll_io.cpp, interrupts.cpp   the register level (uart.h)
//   selftest.instructor.cpp   purpose-made wrong modes for the grader's self-tests (not handed out)
//
// Modes are ops tables (docs/writing-a-driver.md, "Modes"): probe picks one, once, from
// `uart.mode=`; the data paths call through m_mode and never ask which mode they are in.
#include "uart.h"
#include <kernel/bus/platform.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/tty/tty.h>

namespace uart16550 {

inline constexpr unsigned MAX_PORTS = 4;   // COM1-COM4 (the platform bus's serial8250.0-3)

class Port;

// One driver mode. Every entry is required. Context of each: thread unless noted.
struct UartModeOps {
    char const* name;   // "poll", "irq": the uart.mode= word
    Mode mode;
    // At probe, after init: take what the mode needs (the IRQ line) / give it back at remove.
    ErrorOr<void> (*start)(Port& port);
    void (*stop)(Port& port);
    // The TTY's first open / last close: start and stop taking input.
    ErrorOr<void> (*activate)(Port& port);
    void (*shutdown)(Port& port);
    // Output, as TtyPort::write/write_room/chars_in_buffer (chars_in_buffer: any context).
    usize (*write)(Port& port, ReadonlyBytes bytes);
    usize (*write_room)(Port const& port);
    usize (*chars_in_buffer)(Port const& port);
};

extern UartModeOps const poll_mode_ops;   // poll_mode.cpp
extern UartModeOps const irq_mode_ops;    // irq_mode.cpp

class Port final : public bus::DriverState, public tty::TtyPort {
public:
    Port(platform::PlatformDevice& device, unsigned index);
    ~Port() override = default;

    // --- the TTY port (include/kernel/tty/tty.h): output through the mode, the rest port.cpp -
    usize write(ReadonlyBytes bytes) override { return m_mode->write(*this, bytes); }
    usize write_room() const override { return m_mode->write_room(*this); }
    usize chars_in_buffer() const override { return m_mode->chars_in_buffer(*this); }
    ErrorOr<void> activate() override;
    void shutdown() override;
    void throttle() override;
    void unthrottle() override;
    void stop_tx() override;
    void start_tx() override;
    u64 input_errors() const override;
    void report_errors() override;
    ErrorOr<long> ioctl(u32 request, uptr argument) override;

    // Runs `fn(m_uart)` with the port's lock held (interrupts off). Context: any.
    template<typename Fn>
    auto locked(Fn fn)
    {
        sched::SpinlockGuard guard(m_lock);
        return fn(m_uart);
    }
    // After the top half or the poller: what the register level asked for (push, wake-up).
    void act_on(Event events);

    // --- identity and hardware ------------------------------------------------------------
    platform::PlatformDevice& m_device;
    unsigned m_index;
    char m_name[8];                  // "ttyS0"
    io::PortRange m_ports;           // the 8 registers (shared with the early console's claim)
    UartModeOps const* m_mode { &poll_mode_ops };

    // Guards m_uart: register sequences that must not interleave (IER, DLAB windows, THR
    // refills, the console's polled lines) and the state IER follows. The top half takes it.
    sched::Spinlock m_lock { "uart16550" };
    Uart m_uart;

    irq::IrqHandle m_irq;                      // irq mode: the line, while started
    sched::Thread* m_poller { nullptr };       // poll mode: the poller, while active
    bool volatile m_poller_stop { false };
    bool m_active { false };                   // the TTY is open (activate .. shutdown)
    u64 m_overruns_reported { 0 };             // thread context only (report_errors)
    tty::TtyHandle m_tty;                      // /dev/ttySN
};

// Called at the end of probe / the start of remove: takes COM1 over from the early console and
// makes the port the kernel console if `console=` names it; gives both back on remove
// (console.cpp).
void console_attach(Port& port);
void console_detach(Port& port);

}
