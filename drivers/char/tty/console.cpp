// tty0, the PC console (include/drivers/tty.h): a TTY whose port is a ring of typed characters
// (filled by the keyboard driver's bottom half through console_receive) and a display (written
// by the VGA text console, attached from its probe). Linux calls this layer the virtual
// terminal; Conduit has exactly one.
//
// Input ring: any number of producers (the keyboard tasklet, tests) push under an IRQ-safe
// spinlock; the one consumer is tty0's reader, which the TTY core serialises (its read lock),
// so popping needs no lock. A reader waits on a wait queue with the "is the ring empty" check
// done with interrupts off (wait_event), so a character pushed between check and sleep is not
// missed.
//
// Display: guarded by a mutex so that console_detach_display() can wait for writes in progress.
// Limitations: one display; no scroll-back; no virtual consoles tty1..tty63.
#include <drivers/tty.h>
#include <kernel/sched/sync.h>
#include <kernel/time/clock.h>
#include <kstd/ring_buffer.h>
#include <kstd/enforce.h>

namespace tty {

namespace {

struct Console {
    sched::Spinlock input_lock { "tty0-input" };
    RingBuffer<u8, CONSOLE_INPUT_CAPACITY> input;   // pushed under input_lock; popped by the reader
    sched::WaitQueue readers;
    ConsoleStats stats {};                          // received/dropped: input_lock; displayed: display_lock

    sched::Mutex display_lock { "tty0-display" };
    ConsoleDisplay display {};                      // Guarded by display_lock

    sched::Mutex init_lock { "tty0-init" };
    TtyHandle handle;                               // Guarded by init_lock
};

Console g_console;

u64 deadline_after(u64 timeout_ns)
{
    if (timeout_ns == 0)
        return sched::NO_DEADLINE;
    return time::now_ns() + timeout_ns;
}

// Context: thread (tty0's reader, serialised by the TTY core).
ErrorOr<usize> console_port_read(void*, Bytes buffer, ReadMode mode)
{
    auto has_input = [] { return !g_console.input.is_empty(); };
    if (mode.nonblock) {
        if (!has_input())
            return Error::from_errno(EAGAIN);
    } else {
        TRY(g_console.readers.wait_event_until(has_input, deadline_after(mode.timeout_ns)));
    }
    return g_console.input.pop_some(buffer);
}

ErrorOr<usize> console_port_write(void*, ReadonlyBytes bytes)
{
    sched::MutexGuard guard(g_console.display_lock);
    if (g_console.display.write) {
        g_console.display.write(g_console.display.ctx, bytes);
        g_console.stats.displayed += bytes.size();
    }
    return bytes.size();   // no display: the output goes nowhere, as on a headless PC
}

constexpr TtyPortOps console_port_ops {
    .read = console_port_read,
    .write = console_port_write,
};

}

ErrorOr<void> console_init()
{
    sched::MutexGuard guard(g_console.init_lock);
    if (g_console.handle)
        return {};
    g_console.handle = TRY(register_tty("tty0", console_port_ops, &g_console));
    return {};
}

bool console_present() { return bool(g_console.handle); }

void console_attach_display(ConsoleDisplay const& display)
{
    sched::MutexGuard guard(g_console.display_lock);
    g_console.display = display;
}

void console_detach_display()
{
    sched::MutexGuard guard(g_console.display_lock);
    g_console.display = {};
}

usize console_receive(ReadonlyBytes bytes)
{
    usize queued;
    {
        sched::SpinlockGuard guard(g_console.input_lock);
        queued = g_console.input.push_some(bytes);
        g_console.stats.received += queued;
        g_console.stats.dropped += bytes.size() - queued;
    }
    if (queued)
        g_console.readers.wake_all();
    return queued;
}

ConsoleStats console_stats()
{
    sched::SpinlockGuard guard(g_console.input_lock);
    return g_console.stats;
}

}
