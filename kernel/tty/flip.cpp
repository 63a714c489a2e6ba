// The TTY's bottom half and the driver's calls into it (include/kernel/tty/tty.h, "The push
// model").
//
//   driver top half:  flip().insert(byte)... then push()            (Context: IRQ)
//   push():           queue m_flush_work on the "tty" workqueue       (Context: any)
//   flush_to_ldisc(): flip buffer -> line discipline while it accepts (Context: thread)
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

void Tty::flush_to_ldisc()
{
    bool wake = false;
    bool blocked = false;
    {
        sched::SpinlockGuard guard(m_lock);
        ++m_stats.flushes;
        usize received = 0;
        u8 byte;
        while (m_ldisc.accepting() && m_port.m_flip.take(byte)) {
            m_ldisc.receive(byte);
            ++received;
        }
        m_stats.bytes_received += received;
        wake = received > 0 && m_ldisc.readable();
        blocked = !m_port.m_flip.is_empty();   // the discipline stopped accepting first
        if (blocked && !m_throttled) {
            m_throttled = true;
            ++m_stats.throttles;
        } else if (!blocked) {
            m_throttled = false;
        }
    }
    send_echo();   // before the reader hears of the line, as a terminal shows it
    if (wake)
        m_device.wake_waiters();
    // throttle()/unthrottle() run here, in thread context, never under m_lock.
    if (blocked)
        m_port.throttle();
    else
        m_port.unthrottle();   // everything waiting got in: the driver may take bytes again
    m_port.report_errors();
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
