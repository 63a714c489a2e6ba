// The TTY class core (include/kernel/tty/tty.h): registration, /dev/NAME's ops table, open and
// release (the port's activate/shutdown), ioctl and poll. Reading and writing are tty_io.cpp,
// the bottom half flip.cpp; the locking is described in tty_core.h.
#include "tty_core.h"
#include <kernel/dev/file.h>
#include <kernel/selftest.h>
#include <kernel/time/clock.h>
#include <kstd/new.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace tty {

namespace {

constexpr u16 TTY_MAJOR = 4;           // Linux: tty0..63 are 4:0..63, ttyS0.. are 4:64..
constexpr u16 SERIAL_MINOR_BASE = 64;
// Above ordinary threads: echo and the wake-up of a reader should not wait for a busy thread.
constexpr int WORKQUEUE_PRIORITY = sched::PRIORITY_DEFAULT + 16;

sched::Mutex g_workqueue_lock { "tty-workqueue" };
irq::WorkQueue* g_workqueue = nullptr;   // Guarded by g_workqueue_lock; never destroyed
TtyLabOps const* g_lab_ops = &lab_ops;   // set with the workqueue, before the first TTY exists

Tty& tty_of(dev::File& file) { return *static_cast<Tty*>(file.device_data()); }

// "tty3" -> 4:3, "ttyS1" -> 4:65; anything else: a dynamic major (0) with minor 0.
dev::DeviceNumber number_for(StringView name)
{
    auto numbered = [&](StringView prefix, u16 base) -> Optional<dev::DeviceNumber> {
        if (!name.starts_with(prefix) || name.length() == prefix.length())
            return kstd::nullopt;
        auto index = kstd::parse_u64(name.substring(prefix.length()), 10);
        if (index.is_error() || index.value() >= 64)
            return kstd::nullopt;
        return dev::DeviceNumber { TTY_MAJOR, u16(base + index.value()) };
    };
    if (auto serial = numbered(StringView("ttyS"), SERIAL_MINOR_BASE); serial.has_value())
        return *serial;
    if (auto console = numbered(StringView("tty"), 0); console.has_value())
        return *console;
    return dev::DeviceNumber { 0, 0 };
}

ErrorOr<void> tty_open(dev::File& file) { return tty_of(file).open(); }
void tty_release(dev::File& file) { tty_of(file).release(); }
ErrorOr<usize> tty_read(dev::File& file, Bytes buffer, u64) { return g_lab_ops->read(tty_of(file), file, buffer); }
ErrorOr<usize> tty_write(dev::File& file, ReadonlyBytes data, u64) { return tty_of(file).write(file, data); }
ErrorOr<u64> tty_ioctl(dev::File& file, u32 request, uptr argument) { return tty_of(file).ioctl(file, request, argument); }
dev::PollMask tty_poll(dev::File& file) { return tty_of(file).poll(); }

constexpr dev::CharDevOps tty_ops {
    .driver = "tty",
    .open = tty_open,
    .release = tty_release,
    .read = tty_read,
    .write = tty_write,
    .ioctl = tty_ioctl,
    .poll = tty_poll,
};

void flush_work(void* tty) { g_lab_ops->flush_to_ldisc(*static_cast<Tty*>(tty)); }

ErrorOr<void> ensure_workqueue()
{
    sched::MutexGuard guard(g_workqueue_lock);
    if (!g_workqueue) {
        g_workqueue = TRY(irq::WorkQueue::create("tty", WORKQUEUE_PRIORITY));
        g_lab_ops = &selftest::WrongOps<TtyLabOps>::choose(lab_ops);
    }
    return {};
}

}

TtyLabOps const lab_ops {
    .name = "lab",
    .read = [](Tty& tty, dev::File& file, Bytes buffer) { return tty.read(file, buffer); },
    .flush_to_ldisc = [](Tty& tty) { tty.flush_to_ldisc(); },
};

irq::WorkQueue& tty_workqueue()
{
    VERIFY(g_workqueue);   // created by the first register_tty
    return *g_workqueue;
}

Tty::Tty(char const* name, TtyPort& port) : m_port(port), m_flush_work(flush_work, this)
{
    kstd::copy_string(m_name, sizeof(m_name), StringView(name));
}

// The first open starts the port taking input (activate), the last close stops it (shutdown).
ErrorOr<void> Tty::open()
{
    sched::MutexGuard guard(m_open_lock);
    if (m_open_count == 0)
        TRY(m_port.activate());
    ++m_open_count;
    return {};
}

void Tty::release()
{
    sched::MutexGuard guard(m_open_lock);
    VERIFY(m_open_count > 0);
    if (--m_open_count == 0)
        m_port.shutdown();
}

ErrorOr<u64> Tty::ioctl(dev::File& file, u32 request, uptr argument)
{
    switch (request) {
    case TCGETS:
        if (!argument)
            return Error::from_errno(EFAULT);
        *reinterpret_cast<Termios*>(argument) = termios();
        return u64(0);
    case TCSETS:
        if (!argument)
            return Error::from_errno(EFAULT);
        set_termios(*reinterpret_cast<Termios const*>(argument));
        return u64(0);
    case TTY_GET_STATS:
        if (!argument)
            return Error::from_errno(EFAULT);
        *reinterpret_cast<TtyStats*>(argument) = stats();
        return u64(0);
    case TCXONC:
        if (argument == TCOOFF)
            m_port.stop_tx();
        else if (argument == TCOON)
            m_port.start_tx();
        else
            return Error::from_errno(EINVAL);
        return u64(0);
    case TCDRAIN:
        TRY(m_port.wait_until_sent(sched::deadline_after(file.timeout_ns())));
        return u64(0);
    default:
        break;
    }
    auto answer = m_port.ioctl(request, argument);
    if (answer.is_error())
        return answer.release_error();
    return u64(answer.value());
}

dev::PollMask Tty::poll() const
{
    dev::PollMask mask = dev::PollMask::None;
    if (readable())
        mask |= dev::PollMask::Readable;
    if (writable())
        mask |= dev::PollMask::Writable;
    if (error_pending())
        mask |= dev::PollMask::Error;
    if (m_hung_up)
        mask |= dev::PollMask::Hangup;
    return mask;
}

// Everything the TTY knows was lost on the way in: the driver's own count, what did not fit
// into the flip buffer, and lines too long to edit.
u64 Tty::input_errors() const { return m_port.input_errors() + m_port.m_flip.overflow() + m_ldisc.stats().dropped; }

Termios Tty::termios() const
{
    sched::SpinlockGuard guard(m_lock);
    return m_ldisc.termios();
}

void Tty::set_termios(Termios const& termios)
{
    {
        sched::SpinlockGuard guard(m_lock);
        m_ldisc.set_termios(termios);
    }
    m_device.wake_waiters();   // canonical -> raw can make bytes readable
    schedule_flush();       // and room in the buffer: take what waits in the flip buffer
}

TtyStats Tty::stats() const
{
    sched::SpinlockGuard guard(m_lock);
    TtyStats stats = m_stats;
    stats.dropped = m_ldisc.stats().dropped;
    stats.lines = m_ldisc.stats().lines;
    stats.overflow = m_port.m_flip.overflow();
    stats.output_queued = m_port.chars_in_buffer();
    return stats;
}

// --- registration ------------------------------------------------------------------------------

ErrorOr<TtyHandle> register_tty(char const* name, TtyPort& port)
{
    if (!name || port.m_tty)
        return Error::from_errno(EINVAL);
    TRY(ensure_workqueue());
    auto* tty = new (kstd::nothrow) Tty(name, port);
    if (!tty)
        return Error::from_errno(ENOMEM);
    dev::DeviceNumber const number = number_for(StringView(name));
    auto device = dev::register_chardev(StringView(name), number.major, number.minor, tty_ops, tty);
    if (device.is_error()) {
        delete tty;
        return device.release_error();
    }
    tty->m_device = device.release_value();
    port.m_tty = tty;
    if (!port.m_flip.is_empty())
        tty->schedule_flush();   // bytes the driver received before it registered
    return TtyHandle(*tty);
}

TtyHandle::TtyHandle(TtyHandle&& other) : m_tty(kstd::exchange(other.m_tty, nullptr)) {}

TtyHandle& TtyHandle::operator=(TtyHandle&& other)
{
    if (this != &other) {
        unregister();
        m_tty = kstd::exchange(other.m_tty, nullptr);
    }
    return *this;
}

void TtyHandle::unregister()
{
    Tty* tty = kstd::exchange(m_tty, nullptr);
    if (!tty)
        return;
    tty->m_hung_up = true;
    tty->m_device.wake_waiters(); // readers and writers leave with ENODEV, pollers see Hangup
    tty->m_port.m_tty = nullptr;  // a late push() or write_wakeup() no longer reaches it
    tty->m_device.unregister();   // returns once no call is inside; releases the open Files
    tty_workqueue().flush();      // and the bottom half has finished
    delete tty;
}

char const* TtyHandle::name() const { return m_tty ? m_tty->m_name : ""; }
TtyStats TtyHandle::stats() const { return m_tty ? m_tty->stats() : TtyStats {}; }
Termios TtyHandle::termios() const { return m_tty ? m_tty->termios() : Termios {}; }

void TtyHandle::set_termios(Termios const& termios)
{
    if (m_tty)
        m_tty->set_termios(termios);
}

ErrorOr<long> TtyPort::ioctl(u32, uptr) { return Error::from_errno(ENOTTY); }

TtyStats TtyPort::stats() const
{
    Tty* tty = m_tty;
    return tty ? tty->stats() : TtyStats {};
}

}
