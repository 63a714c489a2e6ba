// Reading and writing a TTY: where a program's thread waits for its device (lab 2,
// lab/02-interrupts/README.md, exercise 4; docs/how-a-byte-travels.md).
//
// One way to wait (docs/architecture.md, "Waiting"): a thread that needs the device sleeps on
// the device's wait queue, waiters(), with wait_event_until(condition, deadline). The condition
// is checked with interrupts off in the same step as the thread is queued, so a wake-up that
// comes between "nothing there" and "sleep" is not lost. The deadline is computed once, from the
// File's timeout, with sched::deadline_after. Whoever makes the condition true wakes the queue:
// the bottom half when a line (raw: a byte) is ready, the driver's write_wakeup() when its queue
// has drained below LOW_WATER, unregistering on hang-up. Nothing else wakes a sleeper, so a
// reader waiting for a line that does not come costs no CPU at all.
#include "tty_core.h"
#include <kernel/dev/file.h>
#include <kernel/time/clock.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace tty {

namespace {

constexpr usize OUTPUT_CHUNK = 256;
constexpr u64 POLL_SLICE_NS = time::NS_PER_MS;   // the stand-ins' nap between looks

struct Unlock {
    sched::Mutex& mutex;
    ~Unlock() { mutex.unlock(); }
};

}

// Reads what the line discipline has for a reader: in canonical mode one line (or the part of
// it that fits), in raw mode the bytes that arrived. With nothing there: EAGAIN at once for a
// NonBlock file; otherwise sleep on waiters() until readable() or the TTY hangs up (m_hung_up),
// giving up with ETIMEDOUT at the deadline. A hung-up TTY with nothing left answers ENODEV.
// Count each sleep with note_sleep(&TtyStats::reader_sleeps). take_input() does the taking.
// Context: thread.
ErrorOr<usize> Tty::read(dev::File& file, Bytes buffer)
{
    if (buffer.empty())
        return usize(0);
    u64 const deadline = sched::deadline_after(file.timeout_ns());
    TRY(lock_for(m_read_lock, file, deadline));
    Unlock unlock { m_read_lock };
    // BEGIN LAB 2
    for (;;) {
        if (auto got = take_input(buffer); got.has_value())
            return *got;
        if (m_hung_up)
            return Error::from_errno(ENODEV);
        if (file.is_nonblocking())
            return Error::from_errno(EAGAIN);
        note_sleep(&TtyStats::reader_sleeps);
        TRY(waiters().wait_event_until([this] { return readable() || m_hung_up; }, deadline));
    }
    // END LAB 2
    // STUB LAB 2: return read_by_polling(file, buffer, deadline);   // stand-in: naps and looks again
}

// Writes every byte of `data` (fewer only on a timeout, a hang-up, or a NonBlock file whose
// queue is full). output_some() hands the port what fits now and returns how many input bytes
// it took; call it again while it takes some. 0 means the port's queue is full. Then: NonBlock
// returns what was written so far (EAGAIN if nothing); otherwise sleep on waiters() until
// writable() (the queue has drained below LOW_WATER) or m_hung_up, until the deadline. Count
// each sleep with note_sleep(&TtyStats::writer_sleeps). An error after some bytes went out
// returns the count. Context: thread.
ErrorOr<usize> Tty::write(dev::File& file, ReadonlyBytes data)
{
    if (m_hung_up)
        return Error::from_errno(ENODEV);
    u64 const deadline = sched::deadline_after(file.timeout_ns());
    TRY(lock_for(m_write_lock, file, deadline));
    Unlock unlock { m_write_lock };
    usize done = 0;
    // BEGIN LAB 2
    while (done < data.size()) {
        usize const sent = TRY(output_some(kstd::slice(data, done)));
        done += sent;
        if (sent > 0)
            continue;   // there may be room for more
        if (m_hung_up || file.is_nonblocking()) {
            if (done > 0)
                break;
            return Error::from_errno(m_hung_up ? ENODEV : EAGAIN);
        }
        note_sleep(&TtyStats::writer_sleeps);
        auto waited = waiters().wait_event_until([this] { return writable() || m_hung_up; }, deadline);
        if (waited.is_error()) {
            if (done > 0)
                break;
            return waited.release_error();
        }
    }
    // END LAB 2
    // STUB LAB 2: done = TRY(write_by_polling(file, data, deadline));   // stand-in: naps and looks again
    sched::SpinlockGuard guard(m_lock);
    m_stats.bytes_written += done;
    return done;
}

// --- given: what read() and write() are built on --------------------------------------------

ErrorOr<void> Tty::lock_for(sched::Mutex& mutex, dev::File& file, u64 deadline)
{
    if (file.is_nonblocking()) {
        if (!mutex.try_lock())
            return Error::from_errno(EAGAIN);
        return {};
    }
    if (deadline == sched::NO_DEADLINE) {
        mutex.lock();
        return {};
    }
    u64 const now = time::now_ns();
    return mutex.lock_timeout(deadline > now ? deadline - now : 0);
}

// Takes what a reader may have now (nothing: no complete line, raw: no byte). Taking makes
// room, so if the bottom half had to stop (bytes wait in the flip buffer, the port may be
// throttled), it runs again.
Optional<usize> Tty::take_input(Bytes buffer)
{
    Optional<usize> got;
    bool refill = false;
    {
        sched::SpinlockGuard guard(m_lock);
        got = m_ldisc.read(buffer);
        if (got.has_value()) {
            m_stats.bytes_read += *got;
            m_errors_seen = input_errors();   // the reader has now seen the errors poll() reported
            refill = m_throttled || !m_port.m_flip.is_empty();
        }
    }
    if (refill)
        schedule_flush();
    return got;
}

// Output processing (ONLCR) for as much of `data` as the port has room for, and the port's
// write(). Returns how many bytes of `data` went out (0: the port's queue is full). EIO when the
// port took fewer bytes than it said it had room for (a device error).
ErrorOr<usize> Tty::output_some(ReadonlyBytes data)
{
    sched::MutexGuard output(m_output_lock);
    usize const room = m_port.write_room();
    u8 chunk[OUTPUT_CHUNK];
    LineDiscipline::Processed processed;
    {
        sched::SpinlockGuard guard(m_lock);
        processed = m_ldisc.process_output(data, Bytes(chunk, kstd::min(room, sizeof(chunk))));
    }
    usize const sent = m_port.write(ReadonlyBytes(chunk, processed.produced));
    // The room was the port's promise, and nobody else writes while m_output_lock is held.
    if (sent != processed.produced)
        return Error::from_errno(EIO);
    return processed.consumed;
}

void Tty::note_sleep(u64 TtyStats::*counter)
{
    sched::SpinlockGuard guard(m_lock);
    ++(m_stats.*counter);
}

// Stand-ins for the lab 2 handout, so that the earlier labs work before exercise 4 is written:
// they look, nap for a millisecond, and look again. That works, but every nap is a wake-up
// (a thousand a second while nothing arrives), and the answer is up to a nap late; the tests of
// exercise 4 count the wake-ups.
ErrorOr<usize> Tty::read_by_polling(dev::File& file, Bytes buffer, u64 deadline)
{
    for (;;) {
        if (auto got = take_input(buffer); got.has_value())
            return *got;
        if (m_hung_up)
            return Error::from_errno(ENODEV);
        if (file.is_nonblocking())
            return Error::from_errno(EAGAIN);
        if (time::now_ns() >= deadline)
            return Error::from_errno(ETIMEDOUT);
        sched::sleep_for(POLL_SLICE_NS);
    }
}

ErrorOr<usize> Tty::write_by_polling(dev::File& file, ReadonlyBytes data, u64 deadline)
{
    usize done = 0;
    while (done < data.size()) {
        usize const sent = TRY(output_some(kstd::slice(data, done)));
        done += sent;
        if (sent > 0)
            continue;
        if (m_hung_up || file.is_nonblocking() || time::now_ns() >= deadline) {
            if (done > 0)
                break;
            return Error::from_errno(m_hung_up ? ENODEV : file.is_nonblocking() ? EAGAIN : ETIMEDOUT);
        }
        sched::sleep_for(POLL_SLICE_NS);
    }
    return done;
}

}
