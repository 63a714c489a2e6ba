// The TTY core (include/drivers/tty.h): /dev/NAME as a character device whose read runs the line
// discipline (ldisc.h) over a port's blocking read, in the reading thread.
//
// Locking, outermost first:
//   m_read_lock   Mutex: one reader at a time runs the discipline and pulls from the port (a
//                 second reader waits; with NonBlock it gets EAGAIN instead).
//   m_write_lock  Mutex: output reaches the port in order; echo (from the reader) takes it too,
//                 so an echo never lands in the middle of a write's chunk.
//   m_lock        Spinlock: the discipline's state and the statistics. Held only while bytes
//                 are moved in memory, never across a port call, so TCSETS and poll() work
//                 while a reader sleeps inside the port.
//
// Unregistering while a reader sleeps in the port: the port is asked for data in slices of
// READ_SLICE_NS, and between slices the reader checks m_hung_up, so unregister() never waits
// longer than one slice, whatever the port does with its waiters.
#include "ldisc.h"
#include <drivers/tty.h>
#include <kernel/dev/chardev.h>
#include <kernel/sched/sync.h>
#include <kernel/time/clock.h>
#include <kstd/new.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace tty {

namespace {
constexpr u16 TTY_MAJOR = 4;           // Linux: tty0..63 are 4:0..63, ttyS0.. are 4:64..
constexpr u16 SERIAL_MINOR_BASE = 64;
constexpr usize PULL_CHUNK = 64;       // raw bytes asked from the port at a time
constexpr usize OUTPUT_CHUNK = 256;
}

class Tty {
public:
    Tty(char const* name, TtyPortOps const& ops, void* port) : m_ops(ops), m_port(port)
    {
        kstd::copy_string(m_name, sizeof(m_name), StringView(name));
    }

    ErrorOr<usize> read(dev::File& file, Bytes buffer);
    ErrorOr<usize> write(ReadonlyBytes data);
    ErrorOr<u64> ioctl(u32 request, uptr argument);
    Termios termios() const;
    void set_termios(Termios const& termios);
    TtyStats stats() const;

    char m_name[32] {};
    TtyPortOps m_ops;
    void* m_port;
    dev::CharDevHandle m_device;
    bool volatile m_hung_up { false };
    sched::Mutex m_read_lock { "tty-read" };
    sched::Mutex m_write_lock { "tty-write" };
    mutable sched::Spinlock m_lock { "tty" };

private:
    ErrorOr<void> pull(usize want, bool nonblock, u64 deadline);
    void flush_echo();
    ErrorOr<void> write_all(ReadonlyBytes bytes);

    LineDiscipline m_ldisc;   // Guarded by m_lock
    TtyStats m_stats {};      // Guarded by m_lock
};

namespace {

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

ErrorOr<usize> tty_read(dev::File& file, Bytes buffer, u64) { return tty_of(file).read(file, buffer); }
ErrorOr<usize> tty_write(dev::File& file, ReadonlyBytes data, u64) { return tty_of(file).write(data); }
ErrorOr<u64> tty_ioctl(dev::File& file, u32 request, uptr argument) { return tty_of(file).ioctl(request, argument); }

constexpr dev::CharDevOps tty_ops {
    .driver = "tty",
    .read = tty_read,
    .write = tty_write,
    .ioctl = tty_ioctl,
    // No poll: in the pull model the TTY does not know what the port holds until a reader asks,
    // so the class default ("always ready": a read may still sleep) is the honest answer.
    // FIXME: a poll entry in TtyPortOps would let select-style waiting work.
};

}

ErrorOr<usize> Tty::read(dev::File& file, Bytes buffer)
{
    if (buffer.empty())
        return usize(0);
    u64 const deadline = sched::deadline_after(file.timeout_ns());
    bool const nonblock = file.is_nonblocking();
    if (nonblock) {
        if (!m_read_lock.try_lock())
            return Error::from_errno(EAGAIN);   // another reader is inside
    } else if (deadline == sched::NO_DEADLINE) {
        m_read_lock.lock();
    } else {
        u64 const now = time::now_ns();
        TRY(m_read_lock.lock_timeout(deadline > now ? deadline - now : 0));
    }
    struct Unlock {
        sched::Mutex& mutex;
        ~Unlock() { mutex.unlock(); }
    } unlock_on_return { m_read_lock };
    for (;;) {
        usize room;
        {
            sched::SpinlockGuard guard(m_lock);
            if (auto got = m_ldisc.read(buffer); got.has_value()) {
                m_stats.bytes_read += *got;
                return *got;
            }
            room = m_ldisc.room();
        }
        TRY(pull(kstd::max<usize>(1, kstd::min(room, PULL_CHUNK)), nonblock, deadline));
    }
}

// Asks the port for up to `want` bytes and runs them through the discipline.
ErrorOr<void> Tty::pull(usize want, bool nonblock, u64 deadline)
{
    u8 raw[PULL_CHUNK];
    for (;;) {
        if (m_hung_up)
            return Error::from_errno(ENODEV);
        ReadMode mode { .nonblock = nonblock, .timeout_ns = 0 };
        if (!nonblock) {
            u64 const now = time::now_ns();
            if (deadline != sched::NO_DEADLINE && now >= deadline)
                return Error::from_errno(ETIMEDOUT);
            u64 slice = READ_SLICE_NS;
            if (deadline != sched::NO_DEADLINE)
                slice = kstd::min(slice, deadline - now);
            mode.timeout_ns = kstd::max<u64>(slice, 1);
        }
        auto got = m_ops.read(m_port, Bytes(raw, want), mode);
        if (got.is_error()) {
            if (got.error().code() == ETIMEDOUT && !nonblock)
                continue;   // a slice ended: check for a hang-up and the caller's deadline
            return got.release_error();
        }
        usize const count = kstd::min(got.value(), want);
        if (count == 0) {
            if (nonblock)
                return Error::from_errno(EAGAIN);
            continue;
        }
        {
            sched::SpinlockGuard guard(m_lock);
            for (usize i = 0; i < count; ++i)
                m_ldisc.receive(raw[i]);
            auto ld = m_ldisc.stats();
            m_stats.bytes_received += count;
            m_stats.lines = ld.lines;
            m_stats.dropped = ld.dropped;
        }
        flush_echo();
        return {};
    }
}

void Tty::flush_echo()
{
    sched::MutexGuard writer(m_write_lock);
    for (;;) {
        u8 echo[OUTPUT_CHUNK];
        usize count;
        {
            sched::SpinlockGuard guard(m_lock);
            count = m_ldisc.take_echo(Bytes(echo, sizeof(echo)));
            m_stats.echoed += count;
        }
        if (count == 0)
            return;
        (void)write_all(ReadonlyBytes(echo, count));   // a failing port loses its echo, not the input
    }
}

ErrorOr<void> Tty::write_all(ReadonlyBytes bytes)
{
    while (!bytes.empty()) {
        usize const written = TRY(m_ops.write(m_port, bytes));
        if (written == 0)
            return Error::from_errno(EIO);
        bytes = kstd::slice(bytes, written);
    }
    return {};
}

ErrorOr<usize> Tty::write(ReadonlyBytes data)
{
    if (m_hung_up)
        return Error::from_errno(ENODEV);
    sched::MutexGuard writer(m_write_lock);
    usize done = 0;
    while (done < data.size()) {
        u8 out[OUTPUT_CHUNK];
        LineDiscipline::Processed processed;
        {
            sched::SpinlockGuard guard(m_lock);
            processed = m_ldisc.process_output(kstd::slice(data, done), Bytes(out, sizeof(out)));
        }
        if (auto written = write_all(ReadonlyBytes(out, processed.produced)); written.is_error()) {
            if (done == 0)
                return written.release_error();
            break;   // report what made it; the next write sees the error
        }
        done += processed.consumed;
    }
    sched::SpinlockGuard guard(m_lock);
    m_stats.bytes_written += done;
    return done;
}

ErrorOr<u64> Tty::ioctl(u32 request, uptr argument)
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
    default:
        break;
    }
    if (!m_ops.ioctl)
        return Error::from_errno(ENOTTY);
    auto answer = m_ops.ioctl(m_port, request, argument);
    if (answer.is_error())
        return answer.release_error();
    return u64(answer.value());
}

Termios Tty::termios() const
{
    sched::SpinlockGuard guard(m_lock);
    return m_ldisc.termios();
}

void Tty::set_termios(Termios const& termios)
{
    sched::SpinlockGuard guard(m_lock);
    m_ldisc.set_termios(termios);
}

TtyStats Tty::stats() const
{
    sched::SpinlockGuard guard(m_lock);
    return m_stats;
}

ErrorOr<TtyHandle> register_tty(char const* name, TtyPortOps const& ops, void* port)
{
    if (!name || !ops.read || !ops.write)
        return Error::from_errno(EINVAL);
    auto* tty = new (kstd::nothrow) Tty(name, ops, port);
    if (!tty)
        return Error::from_errno(ENOMEM);
    dev::DeviceNumber const number = number_for(StringView(name));
    auto device = dev::register_chardev(StringView(name), number.major, number.minor, tty_ops, tty);
    if (device.is_error()) {
        delete tty;
        return device.release_error();
    }
    tty->m_device = device.release_value();
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
    tty->m_device.unregister();   // returns once no call is inside the TTY any more
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

}
