// The TTY core over a fake port (tests/kernel/tty_fake_port.h, no hardware): registration and
// numbers, canonical editing with echo, end of file, raw mode through TCSETS, ONLCR on output,
// NonBlock and timeouts, ioctl errors, closed files, and unregistering under a blocked reader.
// The push model itself (echo without a reader, throttling, poll) is tty_push_tests.cpp.
#include "tty_fake_port.h"
#include <kernel/dev/devfs.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kernel/tty/tty.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using dev::OpenFlags;
using namespace tty_test;

}

KTEST(tty_register_numbers_and_errors, CORE_SUITE)
{
    FakePort port, other, third, fourth;
    auto a = EXPECT_OK(tty::register_tty("ttyq0", port));
    EXPECT(kstd::StringView(a.name()) == "ttyq0");
    auto node = EXPECT_OK(devfs::lookup("/dev/ttyq0"));
    EXPECT(kstd::StringView(node->driver()) == "tty");
    node.reset();
    EXPECT_ERROR(tty::register_tty("ttyq0", other), EEXIST);
    EXPECT_ERROR(tty::register_tty("ttyq1", port), EINVAL);   // one TTY per port
    EXPECT_ERROR(tty::register_tty(nullptr, other), EINVAL);
    // Linux's numbers: ttyN is 4:N, ttySN is 4:(64 + N).
    auto t7 = EXPECT_OK(tty::register_tty("tty7", third));
    auto s9 = EXPECT_OK(tty::register_tty("ttyS9", fourth));
    EXPECT_EQ(EXPECT_OK(devfs::lookup("tty7"))->number().major, 4u);
    EXPECT_EQ(EXPECT_OK(devfs::lookup("tty7"))->number().minor, 7u);
    EXPECT_EQ(EXPECT_OK(devfs::lookup("ttyS9"))->number().minor, 73u);
    EXPECT(EXPECT_OK(devfs::lookup("ttyq0"))->number().major >= dev::NumberSpace::DYNAMIC_LOW);
    a.unregister();
    EXPECT(!a);
    EXPECT_ERROR(devfs::lookup("/dev/ttyq0"), ENOENT);
    return {};
}

KTEST(tty_canonical_line_editing_and_echo, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq2"));
    EXPECT_EQ(o.port.activations, 1u);   // the first open activated the port
    o.port.type("ls\x7f\x7fhelp\r");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "help\n");
    EXPECT_TEXT(o.port.written(), "ls\b \b\b \bhelp\r\n");   // the echo went out before the line was read

    o.port.clear_output();
    o.port.type("junk\x15ok\b\bOK\n");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "OK\n");
    EXPECT_TEXT(o.port.written(), "junk\b \b\b \b\b \b\b \bok\b \b\b \bOK\r\n");

    o.port.clear_output();
    o.port.type("cat some file\x17\x17words\n");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "cat words\n");

    // Two lines typed ahead come one per read; a short read takes a line in pieces.
    o.port.type("first\nsecond\n");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file, 3)), "fir");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "st\n");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "second\n");
    tty::TtyStats const stats = o.handle.stats();
    EXPECT_EQ(stats.lines, 5u);
    EXPECT(stats.echoed > 0);
    return {};
}

namespace {
struct SlowTypist {
    FakePort* port;
    sched::Semaphore done { 0 };
};
void type_slowly(void* arg)
{
    auto& t = *static_cast<SlowTypist*>(arg);
    static char const* const pieces[] = { "ab", "c", "\x7f", "d", "\r" };
    for (char const* piece : pieces) {
        sched::sleep_for(3 * time::NS_PER_MS);
        t.port->type(piece);
    }
    t.done.up();
}
}

// The push model: the line is edited and echoed while the reader sleeps, and the reader is
// woken once, when the line is complete, not for every piece.
KTEST(tty_reader_sleeps_until_line_complete, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq3"));
    tty::TtyStats const before = o.handle.stats();
    SlowTypist typist { &o.port };
    auto* thread = EXPECT_OK(sched::spawn("typist", type_slowly, &typist));
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "abd\n");
    typist.done.down();
    EXPECT_OK(sched::join(thread));
    tty::TtyStats const after = o.handle.stats();
    EXPECT_MSG(after.reader_sleeps - before.reader_sleeps == 1, "the reader slept %lu times for one line",
               after.reader_sleeps - before.reader_sleeps);
    EXPECT(after.pushes - before.pushes == 5);
    EXPECT_TEXT(o.port.written(), "abc\b \bd\r\n");
    return {};
}

KTEST(tty_eof_on_empty_line, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq4"));
    o.port.type("\x04");
    EXPECT_EQ(EXPECT_OK(read_text(*o.file)).length(), 0u);   // end of file
    o.port.type("abc\x04");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "abc");      // a line without newline
    o.port.type("more\n");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "more\n");   // and the file goes on
    return {};
}

KTEST(tty_raw_mode_via_tcsets, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq5"));
    tty::Termios t {};
    t.canonical = false;
    EXPECT_OK(o.file->ioctl(tty::TCGETS, uptr(&t)));
    EXPECT(t.canonical && t.echo && t.echo_erase && t.crnl && t.onlcr);
    EXPECT_EQ(t.erase, 0x7F);
    EXPECT_EQ(t.kill, 0x15);
    EXPECT_EQ(t.word_erase, 0x17);
    EXPECT_EQ(t.eof, 0x04);

    tty::Termios raw = tty::raw_termios();
    EXPECT_OK(o.file->ioctl(tty::TCSETS, uptr(&raw)));
    tty::Termios now {};
    EXPECT_OK(o.file->ioctl(tty::TCGETS, uptr(&now)));
    EXPECT(!now.canonical && !now.echo && !now.crnl);

    o.port.type("\x7f\x15\x04x\r");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file, 2)), "\x7f\x15");   // untouched
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "\x04x\r");
    EXPECT_EQ(o.port.written().length(), 0u);                      // no echo

    EXPECT_OK(o.file->ioctl(tty::TCSETS, uptr(&t)));   // canonical again
    o.port.type("back\r");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "back\n");
    return {};
}

KTEST(tty_output_onlcr, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq6"));
    char const text[] = "one\ntwo\n";
    EXPECT_EQ(EXPECT_OK(o.file->write(ReadonlyBytes(reinterpret_cast<u8 const*>(text), 8))), 8u);
    EXPECT_TEXT(o.port.written(), "one\r\ntwo\r\n");
    tty::Termios t = o.handle.termios();
    t.onlcr = false;
    o.handle.set_termios(t);
    o.port.clear_output();
    EXPECT_EQ(EXPECT_OK(o.file->write(ReadonlyBytes(reinterpret_cast<u8 const*>(text), 8))), 8u);
    EXPECT_TEXT(o.port.written(), "one\ntwo\n");
    EXPECT_EQ(o.handle.stats().bytes_written, 16u);
    return {};
}

KTEST(tty_nonblock_and_timeout, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq7"));
    o.file->set_nonblocking(true);
    EXPECT_ERROR(read_text(*o.file), EAGAIN);
    o.port.type("par");
    EXPECT_ERROR(read_text(*o.file), EAGAIN);   // bytes, but no complete line
    o.port.type("t\n");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "part\n");

    o.file->set_nonblocking(false);
    o.file->set_timeout_ns(30 * time::NS_PER_MS);
    u64 const start = time::now_ns();
    EXPECT_ERROR(read_text(*o.file), ETIMEDOUT);
    EXPECT(time::now_ns() - start >= 30 * time::NS_PER_MS);
    o.port.type("late\n");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "late\n");   // a timeout loses nothing
    return {};
}

KTEST(tty_unknown_ioctl_enotty, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq8"));
    EXPECT_ERROR(o.file->ioctl(0x1234), ENOTTY);                   // the port does not know it either
    EXPECT_EQ(EXPECT_OK(o.file->ioctl(PORT_PRIVATE_IOCTL)), 42u);  // the port's own request
    EXPECT_ERROR(o.file->ioctl(tty::TCGETS, 0), EFAULT);
    EXPECT_ERROR(o.file->ioctl(tty::TCSETS, 0), EFAULT);

    Opened bare;
    bare.port.has_ioctl = false;
    TRY(open_fake(bare, "ttyq9"));
    EXPECT_ERROR(bare.file->ioctl(PORT_PRIVATE_IOCTL), ENOTTY);    // no port ioctl at all
    return {};
}

KTEST(tty_closed_file_fails_cleanly, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq10"));
    o.port.type("unread\n");
    EXPECT_OK(o.file->close());
    u8 buffer[8];
    EXPECT_ERROR(o.file->read(buffer), EBADF);
    EXPECT_ERROR(o.file->write(ReadonlyBytes(buffer, 1)), EBADF);
    EXPECT_ERROR(o.file->ioctl(tty::TCGETS, uptr(buffer)), EBADF);
    EXPECT_ERROR(o.file->close(), EBADF);
    // The TTY itself is fine: a new open reads the line.
    auto again = EXPECT_OK(devfs::open("/dev/ttyq10", OpenFlags::Read));
    again->set_timeout_ns(READ_TIMEOUT_NS);
    EXPECT_TEXT(EXPECT_OK(read_text(*again)), "unread\n");
    return {};
}

namespace {
struct BlockedReader {
    dev::File* file;
    int error { 0 };
    sched::Semaphore finished { 0 };
};
void read_forever(void* arg)
{
    auto& r = *static_cast<BlockedReader*>(arg);
    u8 buffer[16];
    auto got = r.file->read(buffer);
    r.error = got.is_error() ? got.error().code() : -1;
    r.finished.up();
}
}

// Unregistering hangs the TTY up: a reader sleeping on its wait queue is woken at once and
// leaves with ENODEV, and the port sees its last shutdown.
KTEST(tty_unregister_wakes_blocked_reader, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq11"));
    o.file->set_timeout_ns(dev::NO_TIMEOUT);
    BlockedReader reader { o.file.ptr() };
    auto* thread = EXPECT_OK(sched::spawn("blocked-reader", read_forever, &reader));
    for (int i = 0; i < 100 && o.handle.stats().reader_sleeps == 0; ++i)
        sched::sleep_for(time::NS_PER_MS);
    EXPECT_MSG(o.handle.stats().reader_sleeps > 0, "the reader never went to sleep");
    u64 const start = time::now_ns();
    o.handle.unregister();   // must not wait for a byte that never comes
    u64 const took = time::now_ns() - start;
    EXPECT_OK(reader.finished.down_timeout(time::NS_PER_S));
    EXPECT_OK(sched::join(thread));
    EXPECT_MSG(reader.error == ENODEV, "the blocked read ended with %s, expected ENODEV",
               reader.error > 0 ? kstd::errno_name(reader.error) : "success");
    EXPECT_MSG(took < 50 * time::NS_PER_MS, "unregister took %lu ms", took / time::NS_PER_MS);
    EXPECT_EQ(o.port.shutdowns, 1u);
    EXPECT_ERROR(read_text(*o.file), ENODEV);
    return {};
}
