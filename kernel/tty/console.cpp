// tty0, the PC console (include/kernel/tty/console.h): a TTY whose port is the TTY core's own.
// Input arrives in the port's flip buffer from the keyboard driver (or console_receive); output
// goes to the attached display. Linux calls this layer the virtual terminal; Conduit has one.
//
// Display: guarded by a mutex, so that console_detach_display() can wait for a write in
// progress (writes come from threads: writers and the TTY's bottom half, a work item).
// Limitations: one display; no scroll-back; no virtual consoles tty1..tty63.
#include <kernel/sched/sync.h>
#include <kernel/tty/console.h>
#include <kstd/enforce.h>

namespace tty {

namespace {

class ConsolePort final : public TtyPort {
public:
    usize write(ReadonlyBytes bytes) override
    {
        sched::MutexGuard guard(m_display_lock);
        if (m_display) {
            m_display->write(bytes);
            m_displayed += bytes.size();
        }
        return bytes.size();   // no display: the output goes nowhere
    }

    sched::Mutex m_display_lock { "tty0-display" };
    ConsoleDisplay* m_display { nullptr };   // Guarded by m_display_lock
    u64 m_displayed { 0 };                   // Guarded by m_display_lock
};

ConsolePort g_port;
sched::Mutex g_init_lock { "tty0-init" };
TtyHandle g_handle;   // Guarded by g_init_lock

}

ErrorOr<void> console_init()
{
    sched::MutexGuard guard(g_init_lock);
    if (g_handle)
        return {};
    g_handle = TRY(register_tty("tty0", g_port));
    return {};
}

bool console_present() { return bool(g_handle); }

TtyPort& console_port() { return g_port; }

void console_attach_display(ConsoleDisplay& display)
{
    sched::MutexGuard guard(g_port.m_display_lock);
    g_port.m_display = &display;
}

void console_detach_display()
{
    sched::MutexGuard guard(g_port.m_display_lock);
    g_port.m_display = nullptr;
}

usize console_receive(ReadonlyBytes bytes)
{
    usize const stored = g_port.receive(bytes);
    if (stored > 0)
        g_port.push();
    return stored;
}

ConsoleStats console_stats()
{
    TtyStats const tty = g_port.stats();
    sched::MutexGuard guard(g_port.m_display_lock);
    return { tty.bytes_received + g_port.flip().size(), g_port.flip().overflow(), g_port.m_displayed };
}

}
