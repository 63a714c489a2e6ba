// The TTY's bottom half and the driver's calls into it (include/kernel/tty/tty.h, "The push
// model").
//
//   driver top half:  flip().insert(byte)... then push()            (Context: IRQ)
//   push():           queue m_flush_work on the "tty" workqueue       (Context: any)
//   flush_to_ldisc(): flip buffer -> line discipline while it accepts (Context: thread; lab 3)
//                     send the echo through the port's write()
//                     wake readers (and pollers) if a line (raw: a byte) is ready
//                     throttle the port when the discipline is full and bytes still wait;
//                     unthrottle it once everything waiting got in
//   driver top half:  write_wakeup() when its queue drains below LOW_WATER: wakes writers and
//                     sends echo that did not fit before
//
// The bottom half is a work item (as Linux's flush_to_ldisc), not a tasklet: sending echo takes
// the output mutex, so that echo never lands inside a writer's chunk, and a polled port's
// write() spins on the device, which is no work for softirq context.
#include "tty_core.h"
#include <kernel/time/clock.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace tty {

namespace {
constexpr usize ECHO_CHUNK = 64;
}

void Tty::schedule_flush() { tty_workqueue().queue(m_flush_work); }

// The bottom half (lab 3; lab/03-bottom-halves/README.md, part 6). Moves bytes from the flip
// buffer (m_port.flip(), take()) into the line discipline (m_ldisc.receive()) while it is
// accepting(), under m_lock, counting them in m_stats.bytes_received. Then:
//   * send_echo(): the echo goes out now, whether or not anybody reads;
//   * if any byte came in and the discipline is readable(), wake the readers
//     (m_device.wake_waiters()); a half-typed line wakes nobody;
//   * if bytes are left in the flip buffer (the discipline stopped accepting), throttle_port();
//     otherwise unthrottle_port(): everything waiting got in, the driver may take more.
// Context: thread (the "tty" workqueue); takes m_lock and, in send_echo, the output mutex.
void Tty::flush_to_ldisc()
{
    // BEGIN LAB 3
    usize received = 0;
    {
        sched::SpinlockGuard guard(m_lock);
        u8 byte;
        while (m_ldisc.accepting() && m_port.flip().take(byte)) {
            m_ldisc.receive(byte);
            ++received;
        }
        m_stats.bytes_received += received;
    }
    send_echo();   // before the reader hears of the line, as a terminal shows it
    if (received > 0 && readable())
        m_device.wake_waiters();
    if (!m_port.flip().is_empty())
        throttle_port();
    else
        unthrottle_port();
    // END LAB 3
    // STUB LAB 3: flush_dropping_overflow();   // stand-in: drops what does not fit, wakes on every byte
    count_flush();
    m_port.report_errors();
}

// --- given ------------------------------------------------------------------------------------

// The discipline is full and bytes wait: the port must stop taking more (once per episode).
void Tty::throttle_port()
{
    {
        sched::SpinlockGuard guard(m_lock);
        if (!m_throttled)
            ++m_stats.throttles;
        m_throttled = true;
    }
    m_port.throttle();
}

void Tty::unthrottle_port()
{
    {
        sched::SpinlockGuard guard(m_lock);
        m_throttled = false;
    }
    m_port.unthrottle();   // also ends a throttle the driver started itself (its flip buffer was full)
}

void Tty::count_flush()
{
    sched::SpinlockGuard guard(m_lock);
    ++m_stats.flushes;
}

// The lab 3 handout's stand-in for flush_to_ldisc(), so that the earlier labs work: every byte
// goes to the discipline, which drops (and counts) what it has no room for, and every batch
// wakes the readers. The TTY never throttles: a reader that falls behind loses input.
void Tty::flush_dropping_overflow()
{
    u8 byte;
    {
        sched::SpinlockGuard guard(m_lock);
        while (m_port.flip().take(byte)) {
            m_ldisc.receive(byte);
            ++m_stats.bytes_received;
        }
    }
    send_echo();
    m_device.wake_waiters();
    m_port.unthrottle();   // the flip buffer is empty: a driver that stopped for it may go on
}

void Tty::send_echo()
{
    sched::MutexGuard output(m_output_lock);
    for (;;) {
        u8 echo[ECHO_CHUNK];
        usize const room = m_port.write_room();
        usize offered;
        {
            sched::SpinlockGuard guard(m_lock);
            offered = m_ldisc.peek_echo(Bytes(echo, kstd::min(room, sizeof(echo))));
        }
        if (offered == 0)
            return;   // all sent, or the port is full: write_wakeup() brings us back
        usize const sent = m_port.write(ReadonlyBytes(echo, offered));
        {
            sched::SpinlockGuard guard(m_lock);
            m_ldisc.consume_echo(sent);
            m_stats.echoed += sent;
        }
        if (sent < offered)
            return;
    }
}

void Tty::count_push()
{
    __atomic_add_fetch(&m_stats.pushes, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&m_stats.last_push_ns, time::now_ns(), __ATOMIC_RELAXED);
}

void Tty::count_write_wakeup() { __atomic_add_fetch(&m_stats.write_wakeups, 1, __ATOMIC_RELAXED); }

// --- what the driver calls -------------------------------------------------------------------

usize TtyPort::receive(ReadonlyBytes bytes)
{
    sched::SpinlockGuard guard(m_receive_lock);
    return m_flip.insert(bytes);
}

void TtyPort::push()
{
    Tty* tty = m_tty;
    if (!tty)
        return;   // not registered (yet): the bytes wait in the flip buffer
    tty->count_push();
    tty->schedule_flush();
}

void TtyPort::write_wakeup()
{
    Tty* tty = m_tty;
    if (!tty)
        return;
    tty->count_write_wakeup();
    tty->m_device.wake_waiters();
    if (tty->echo_pending())
        tty->schedule_flush();   // echo that found the queue full goes out now
}

ErrorOr<void> TtyPort::wait_until_sent(u64 deadline_ns)
{
    Tty* tty = m_tty;
    if (!tty)
        return Error::from_errno(ENODEV);
    TRY(tty->waiters().wait_event_until([&] { return chars_in_buffer() == 0 || tty->hung_up(); }, deadline_ns));
    if (tty->hung_up())
        return Error::from_errno(ENODEV);
    return {};
}

}
