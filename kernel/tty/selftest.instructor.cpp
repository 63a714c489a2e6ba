// Purpose-made wrong readers and bottom halves of the TTY core for the grader's self-tests
// (instructor-only: never in a handout). Each replaces one entry of lab_ops (tty_core.h) when
// `selftest.wrong=NAME` asks for it, and must fail exactly the lab test that names its mistake
// (tests/kernel/rubric.toml, INSTRUCTOR block):
//
//   tty_read_naps             lab 2: the reader looks, naps a millisecond and looks again (the
//                             handout's stand-in) instead of sleeping on the wait queue:
//                             uart_irq_blocking ("not nap and look again")
//   tty_read_no_recheck       lab 2: the reader checks, sleeps once on the wait queue and, once
//                             woken, returns whatever is there, without checking again (and a
//                             wake-up between its check and its sleep is lost):
//                             uart_irq_blocking ("condition not re-checked after waking")
//   tty_flush_drops           lab 3: the bottom half puts every byte into the line discipline,
//                             which drops what does not fit, and never throttles the port:
//                             lab3_tty_throttles_when_full
//   tty_wake_half_line lab 3: the bottom half wakes the readers whenever bytes came in,
//                             a half-typed line too: lab3_tty_wakes_reader_on_line
#include "tty_core.h"
#include <kernel/dev/file.h>
#include <kernel/selftest.h>
#include <kstd/enforce.h>

namespace tty {

struct SelftestAccess {
    // The lab 2 handout's stand-in, as the reader.
    static ErrorOr<usize> read_napping(Tty& tty, dev::File& file, Bytes buffer)
    {
        if (buffer.empty())
            return usize(0);
        u64 const deadline = sched::deadline_after(file.timeout_ns());
        TRY(tty.lock_for(tty.m_read_lock, file, deadline));
        auto result = tty.read_by_polling(file, buffer, deadline);
        tty.m_read_lock.unlock();
        return result;
    }

    static ErrorOr<usize> read_without_recheck(Tty& tty, dev::File& file, Bytes buffer)
    {
        if (buffer.empty())
            return usize(0);
        u64 const deadline = sched::deadline_after(file.timeout_ns());
        TRY(tty.lock_for(tty.m_read_lock, file, deadline));
        auto result = [&]() -> ErrorOr<usize> {
            if (auto got = tty.take_input(buffer); got.has_value())
                return *got;
            if (tty.m_hung_up)
                return Error::from_errno(ENODEV);
            if (file.is_nonblocking())
                return Error::from_errno(EAGAIN);
            tty.note_sleep(&TtyStats::reader_sleeps);
            TRY(tty.waiters().wait_until(deadline));   // "a wake-up means data"
            return tty.take_input(buffer).value_or(0);
        }();
        tty.m_read_lock.unlock();
        return result;
    }

    static void flush_dropping(Tty& tty)
    {
        tty.flush_dropping_overflow();
        tty.count_flush();
        tty.m_port.report_errors();
    }

    static void flush_waking_on_any_byte(Tty& tty)
    {
        bool const bytes_came = !tty.m_port.flip().is_empty();
        tty.flush_to_ldisc();
        if (bytes_came)
            tty.m_device.wake_waiters();   // "the reader may want to see them"
    }
};

namespace {

TtyLabOps const read_naps_ops { "tty_read_naps", SelftestAccess::read_napping, lab_ops.flush_to_ldisc };
TtyLabOps const read_no_recheck_ops { "tty_read_no_recheck", SelftestAccess::read_without_recheck,
                                      lab_ops.flush_to_ldisc };
TtyLabOps const flush_drops_ops { "tty_flush_drops", lab_ops.read, SelftestAccess::flush_dropping };
TtyLabOps const flush_wakes_ops { "tty_wake_half_line", lab_ops.read, SelftestAccess::flush_waking_on_any_byte };

selftest::WrongOps<TtyLabOps> const read_naps { "tty_read_naps", lab_ops, read_naps_ops };
selftest::WrongOps<TtyLabOps> const read_no_recheck { "tty_read_no_recheck", lab_ops, read_no_recheck_ops };
selftest::WrongOps<TtyLabOps> const flush_drops { "tty_flush_drops", lab_ops, flush_drops_ops };
selftest::WrongOps<TtyLabOps> const flush_wakes { "tty_wake_half_line", lab_ops, flush_wakes_ops };

}

}
