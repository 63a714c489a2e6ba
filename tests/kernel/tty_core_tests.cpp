// The TTY layer over a fake port (no hardware): registration and numbers, canonical editing
// with echo, end of file, raw mode through TCSETS, ONLCR on output, NonBlock and timeouts,
// ioctl errors, closed files, and unregistering under a blocked reader.
//
// The fake port is a byte channel with the contract of tty::TtyPortOps: "typing" pushes bytes
// and wakes the reader; everything the TTY writes (output and echo) is kept for inspection.
#include <drivers/tty.h>
#include <kernel/dev/devfs.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/ring_buffer.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using dev::OpenFlags;

constexpr u32 PORT_PRIVATE_IOCTL = dev::ioctl_code('q', 1);
constexpr u64 READ_TIMEOUT_NS = 2 * time::NS_PER_S;   // a broken TTY fails instead of hanging

struct FakePort {
    sched::Spinlock lock { "fake-port" };
    RingBuffer<u8, 512> input;   // pushed by type() under lock, popped by the one reader
    sched::WaitQueue readers;
    char output[2048];
    usize output_length { 0 };
    u32 reads { 0 };
    bool has_ioctl { true };

    void type(char const* text)
    {
        {
            sched::SpinlockGuard guard(lock);
            input.push_some(ReadonlyBytes(reinterpret_cast<u8 const*>(text), strlen(text)));
        }
        readers.wake_all();
    }
    StringView written() const { return StringView(output, output_length); }
    void clear_output() { output_length = 0; }
};

ErrorOr<usize> fake_read(void* p, Bytes buffer, tty::ReadMode mode)
{
    auto& port = *static_cast<FakePort*>(p);
    ++port.reads;
    auto has_input = [&port] { return !port.input.is_empty(); };
    if (mode.nonblock) {
        if (!has_input())
            return Error::from_errno(EAGAIN);
    } else {
        u64 deadline = mode.timeout_ns ? time::now_ns() + mode.timeout_ns : sched::NO_DEADLINE;
        TRY(port.readers.wait_event_until(has_input, deadline));
    }
    return port.input.pop_some(buffer);
}

ErrorOr<usize> fake_write(void* p, ReadonlyBytes bytes)
{
    auto& port = *static_cast<FakePort*>(p);
    for (u8 b : bytes) {
        if (port.output_length < sizeof(port.output))
            port.output[port.output_length++] = char(b);
    }
    return bytes.size();
}

ErrorOr<long> fake_ioctl(void*, u32 request, uptr)
{
    if (request == PORT_PRIVATE_IOCTL)
        return 42L;
    return Error::from_errno(ENOTTY);
}

constexpr tty::TtyPortOps fake_ops { .read = fake_read, .write = fake_write, .ioctl = fake_ioctl };
constexpr tty::TtyPortOps fake_ops_no_ioctl { .read = fake_read, .write = fake_write };

// Reads once into a static buffer; the result is valid until the next call.
ErrorOr<StringView> read_text(dev::File& file, usize capacity = 128)
{
    static char buffer[256];
    usize const n = TRY(file.read(Bytes(reinterpret_cast<u8*>(buffer), kstd::min(capacity, sizeof(buffer)))));
    return StringView(buffer, n);
}

char const* shown(StringView text)   // control characters as \xNN, for failure messages
{
    static char out[200];
    usize used = 0;
    for (usize i = 0; i < text.length() && used + 5 < sizeof(out); ++i) {
        u8 c = u8(text[i]);
        if (c >= 0x20 && c < 0x7F)
            out[used++] = char(c);
        else
            used += kstd::snprintf(out + used, sizeof(out) - used, "\\x%02x", c);
    }
    out[used] = '\0';
    return out;
}

#define EXPECT_TEXT(actual, expected)                                                            \
    do {                                                                                         \
        StringView const _got = (actual);                                                        \
        EXPECT_MSG(_got == StringView(expected), "expected \"%s\", got \"%s\"", shown(StringView(expected)), \
                   shown(_got));                                                                 \
    } while (0)

struct Opened {
    FakePort port;
    tty::TtyHandle handle;
    OwnPtr<dev::File> file;
};

ErrorOr<void> open_fake(Opened& o, char const* name, tty::TtyPortOps const& ops = fake_ops)
{
    o.handle = TRY(tty::register_tty(name, ops, &o.port));
    char path[40];
    kstd::snprintf(path, sizeof(path), "/dev/%s", name);
    o.file = TRY(devfs::open(StringView(path), OpenFlags::ReadWrite));
    o.file->set_timeout_ns(READ_TIMEOUT_NS);
    return {};
}

}

KTEST(tty_register_numbers_and_errors, CORE_SUITE)
{
    FakePort port;
    auto a = EXPECT_OK(tty::register_tty("ttyq0", fake_ops, &port));
    EXPECT(kstd::StringView(a.name()) == "ttyq0");
    auto node = EXPECT_OK(devfs::lookup("/dev/ttyq0"));
    EXPECT(kstd::StringView(node->driver()) == "tty");
    node.reset();
    EXPECT_ERROR(tty::register_tty("ttyq0", fake_ops, &port), EEXIST);
    EXPECT_ERROR(tty::register_tty("ttyq1", tty::TtyPortOps {}, &port), EINVAL);
    // Linux's numbers: ttyN is 4:N, ttySN is 4:(64 + N).
    auto t7 = EXPECT_OK(tty::register_tty("tty7", fake_ops, &port));
    auto s9 = EXPECT_OK(tty::register_tty("ttyS9", fake_ops, &port));
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
    o.port.type("ls\x7f\x7fhelp\r");
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "help\n");
    EXPECT_TEXT(o.port.written(), "ls\b \b\b \bhelp\r\n");

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

// The pull model: the reader sleeps inside the port while the line is typed, and only a
// complete line ends the read.
KTEST(tty_reader_sleeps_until_line_complete, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq3"));
    SlowTypist typist { &o.port };
    auto* thread = EXPECT_OK(sched::spawn("typist", type_slowly, &typist));
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "abd\n");
    typist.done.down();
    EXPECT_OK(sched::join(thread));
    EXPECT(o.port.reads >= 5);   // it went back to the port for every piece
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
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file, 2)), "\x7f\x15");   // at once, untouched
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "\x04x\r");
    EXPECT_EQ(o.port.output_length, 0u);                           // no echo

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
    TRY(open_fake(bare, "ttyq9", fake_ops_no_ioctl));
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

KTEST(tty_unregister_wakes_blocked_reader, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq11"));
    o.file->set_timeout_ns(dev::NO_TIMEOUT);
    BlockedReader reader { o.file.ptr() };
    auto* thread = EXPECT_OK(sched::spawn("blocked-reader", read_forever, &reader));
    for (int i = 0; i < 100 && o.port.reads == 0; ++i)
        sched::sleep_for(time::NS_PER_MS);
    EXPECT_MSG(o.port.reads > 0, "the reader never reached the port");
    u64 const start = time::now_ns();
    o.handle.unregister();   // must not wait for a byte that never comes
    u64 const took = time::now_ns() - start;
    EXPECT_OK(reader.finished.down_timeout(time::NS_PER_S));
    EXPECT_OK(sched::join(thread));
    EXPECT_MSG(reader.error == ENODEV, "the blocked read ended with %s, expected ENODEV",
               reader.error > 0 ? kstd::errno_name(reader.error) : "success");
    EXPECT_MSG(took < 2 * tty::READ_SLICE_NS + 50 * time::NS_PER_MS, "unregister took %lu ms", took / time::NS_PER_MS);
    EXPECT_ERROR(read_text(*o.file), ENODEV);
    return {};
}
