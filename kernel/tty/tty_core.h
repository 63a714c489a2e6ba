#pragma once
// One registered TTY (include/kernel/tty/tty.h), shared by the files of kernel/tty:
//   tty.cpp     registration, the chardev ops table, open/release, ioctl, poll
//   tty_io.cpp  read() and write(): where readers and writers sleep (lab 2)
//   flip.cpp    the bottom half: flip buffer -> line discipline, echo, throttling; push()
//   console.cpp tty0, the console (keyboard in, VGA out)
//
// Locking, outermost first:
//   m_read_lock    Mutex: one reader at a time (a second waits; NonBlock: EAGAIN).
//   m_write_lock   Mutex: one writer at a time, so a write()'s bytes stay together.
//   m_output_lock  Mutex: output processing and the port's write(), for writers and for the
//                  echo the bottom half sends; held only while bytes move, never while waiting.
//   m_lock         Spinlock: the line discipline and the counters. Held only while bytes move
//                  in memory, so poll() and the wait conditions (interrupts off) may look.
// Waiting: readers, writers, tcdrain and dev::poll all sleep on the one wait queue of the
// device node (m_device.waiters()), woken by the bottom half (data), the driver's
// write_wakeup() (room) and unregistering (hang-up).
#include "ldisc.h"
#include <kernel/dev/chardev.h>
#include <kernel/irq/workqueue.h>
#include <kernel/sched/sync.h>
#include <kernel/tty/tty.h>
#include <kstd/optional.h>

namespace tty {

class Tty;

// The lab's two pieces of the TTY, reached through a table chosen once, when the first TTY
// registers (tty.cpp): the reader of lab 2 (Tty::read) and the bottom half of lab 3
// (Tty::flush_to_ldisc). lab_ops calls them; a grader self-test may stand a purpose-made wrong
// one in (selftest.wrong=, include/kernel/selftest.h; kernel/tty/selftest.instructor.cpp), so
// that the lab's tests are seen to fail it. Nothing in the data path asks which one it has.
struct TtyLabOps {
    char const* name;
    ErrorOr<usize> (*read)(Tty& tty, dev::File& file, Bytes buffer);   // Context: thread
    void (*flush_to_ldisc)(Tty& tty);                                   // Context: thread (workqueue)
};
extern TtyLabOps const lab_ops;   // tty.cpp

class Tty {
public:
    Tty(char const* name, TtyPort& port);
    Tty(Tty const&) = delete;
    Tty& operator=(Tty const&) = delete;

    // --- the character device (tty.cpp, tty_io.cpp) ------------------------------------------
    ErrorOr<void> open();
    void release();
    ErrorOr<usize> read(dev::File& file, Bytes buffer);
    ErrorOr<usize> write(dev::File& file, ReadonlyBytes data);
    ErrorOr<u64> ioctl(dev::File& file, u32 request, uptr argument);
    // Context: interrupts off (inside a wait condition): looks at state only.
    dev::PollMask poll() const;

    // --- readiness, as poll() and the sleepers see it (Context: any, interrupts off is fine) --
    bool readable() const { return m_ldisc.readable(); }
    bool writable() const { return m_port.chars_in_buffer() < LOW_WATER && m_port.write_room() > 0; }
    bool error_pending() const { return input_errors() != m_errors_seen; }
    bool hung_up() const { return m_hung_up; }
    bool echo_pending() const { return m_ldisc.has_echo(); }
    sched::WaitQueue& waiters() { return m_device.waiters(); }

    // --- the bottom half (flip.cpp) -------------------------------------------------------------
    void schedule_flush();
    void flush_to_ldisc();
    void send_echo();
    void throttle_port();
    void unthrottle_port();
    void count_flush();
    void flush_dropping_overflow();

    Termios termios() const;
    void set_termios(Termios const& termios);
    TtyStats stats() const;
    void count_push();
    void count_write_wakeup();

    char m_name[32] {};
    TtyPort& m_port;
    dev::CharDevHandle m_device;
    bool volatile m_hung_up { false };
    irq::WorkItem m_flush_work;

private:
    friend struct SelftestAccess;   // the purpose-made wrong readers and bottom halves (instructor-only)

    // tty_io.cpp: what the lab's read() and write() are built on.
    ErrorOr<void> lock_for(sched::Mutex& mutex, dev::File& file, u64 deadline);
    Optional<usize> take_input(Bytes buffer);
    ErrorOr<usize> output_some(ReadonlyBytes data);
    ErrorOr<usize> read_by_polling(dev::File& file, Bytes buffer, u64 deadline);
    ErrorOr<usize> write_by_polling(dev::File& file, ReadonlyBytes data, u64 deadline);
    void note_sleep(u64 TtyStats::*counter);
    u64 input_errors() const;

    sched::Mutex m_read_lock { "tty-read" };
    sched::Mutex m_write_lock { "tty-write" };
    sched::Mutex m_output_lock { "tty-output" };
    sched::Mutex m_open_lock { "tty-open" };
    mutable sched::Spinlock m_lock { "tty" };
    LineDiscipline m_ldisc;        // Guarded by m_lock
    TtyStats m_stats {};           // Guarded by m_lock (push counters: atomic adds)
    u64 m_errors_seen { 0 };       // Guarded by m_lock: input_errors() at the last read
    bool m_throttled { false };    // Guarded by m_lock: the TTY told the port to stop
    u32 m_open_count { 0 };        // Guarded by m_open_lock
};

// The workqueue the bottom halves of every TTY run on (created with the first TTY).
irq::WorkQueue& tty_workqueue();

}
