#pragma once
// Helpers for the tests of the 16550 driver: labs 1 and 2 (lab/01-*/tests, lab/02-*/tests) and
// the driver's own tests (tests/kernel). Tests only: nothing in the kernel includes it.
//
// The driver's data path is the TTY's (include/kernel/tty/tty.h): tests open /dev/ttyS0 and set
// it to binary mode (no line editing, no echo, no CR/LF translation either way), so that what
// goes in and out is byte for byte what the test and the grader's serial peer agree on.
#include <drivers/uart16550.h>
#include <kernel/dev/devfs.h>
#include <kernel/dev/file.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/tty/tty.h>
#include <kstd/types.h>
#include <kstd/unique_ptr.h>

namespace uart_test {

// The grader's `generate = { bytes = N, seed = S }` sequence (lab/grader/README.md, "serial"):
// xorshift32 (13, 17, 5), one byte per step, seed 0 meaning 0x2545F491.
class Xorshift32 {
public:
    explicit Xorshift32(u32 seed) : m_state(seed ? seed : 0x2545F491u) {}
    u8 next()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 17;
        m_state ^= m_state << 5;
        return u8(m_state & 0xFF);
    }

    // Fills `buffer` with the sequence, as the grader's `generate = { bytes, seed }` does.
    static void fill(u8* buffer, usize count, u32 seed)
    {
        Xorshift32 generator(seed);
        for (usize i = 0; i < count; ++i)
            buffer[i] = generator.next();
    }

private:
    u32 m_state;
};

// The seed of this run's payload: the grader picks one per run (`seed = "run"` in the rubric)
// and passes it as `ktest.seed=${seed}` on the command line, so that no student can know the
// bytes before the run. A run without the word is a rubric mistake, not a driver's: say so.
inline ErrorOr<u32> payload_seed()
{
    auto word = kernel_cmdline().get(StringView("ktest.seed"));
    if (!word.has_value())
        return ktest::fail(__FILE__, __LINE__,
                           "no ktest.seed= on the command line: the rubric entry of this test must pass "
                           "the grader's payload seed (cmdline = \"... ktest.seed=${seed}\", generate "
                           "seed = \"run\")");
    auto seed = kstd::parse_u64(*word);
    if (seed.is_error() || seed.value() == 0 || seed.value() > 0xFFFFFFFFu)
        return ktest::fail(__FILE__, __LINE__, "ktest.seed=%.*s is not a seed from 1 to 2^32-1",
                           int(word->length()), word->characters());
    return u32(seed.value());
}

// Tells the grader's serial peer that the guest is ready for input (its `after` regex).
inline void announce_ready(char const* test)
{
    diag_print("@@CONDUIT ready name=%s nonce=%s\n", test, ktest::nonce());
}

// ttyS0, bound and in `wanted` mode; otherwise a test failure that says what to look at.
inline ErrorOr<uart16550::Port*> com1_in_mode(uart16550::Mode wanted)
{
    uart16550::Port* port = uart16550::port(0);
    if (!port)
        return ktest::fail(__FILE__, __LINE__,
                           "ttyS0 is not bound to the uart16550 driver: its probe failed (the boot log says "
                           "why, e.g. 'uart16550: ttyS0: init at 115200 baud failed: ENOSYS' while hw_init() "
                           "is the lab 1 stub)");
    if (uart16550::mode(*port) != wanted)
        return ktest::fail(__FILE__, __LINE__,
                           "ttyS0 is in %s mode, this test needs %s mode (in irq mode, a failing irq_start() "
                           "leaves the port in poll mode: see the boot log)",
                           uart16550::mode_name(uart16550::mode(*port)), uart16550::mode_name(wanted));
    return port;
}

// Termios for bytes, not text: raw input without echo, and no ONLCR on output.
constexpr tty::Termios binary_termios()
{
    tty::Termios t = tty::raw_termios();
    t.onlcr = false;
    return t;
}

// /dev/<name> opened read-write in binary mode, each blocking call limited to `timeout_ns`.
// Bytes that arrived before (the host's, an earlier test's) are dropped first.
inline ErrorOr<OwnPtr<dev::File>> open_binary(char const* name, u64 timeout_ns)
{
    char path[24] = "/dev/";
    for (usize i = 0; name[i] && i + 6 < sizeof(path); ++i)
        path[5 + i] = name[i];
    auto file = TRY(devfs::open(StringView(path), dev::OpenFlags::ReadWrite));
    tty::Termios const binary = binary_termios();
    TRY(file->ioctl(tty::TCSETS, uptr(&binary)));
    file->set_nonblocking(true);
    u8 junk[64];
    while (!file->read(junk).is_error()) {
    }
    file->set_nonblocking(false);
    file->set_timeout_ns(timeout_ns);
    return file;
}

// Reads until `count` bytes came or a read fails; returns how many came.
inline usize read_exactly(dev::File& file, u8* buffer, usize count)
{
    usize got = 0;
    while (got < count) {
        auto n = file.read({ buffer + got, count - got });
        if (n.is_error())
            break;
        got += n.value();
    }
    return got;
}

// Writes every byte (a TTY write returns only when all are queued, or on an error).
inline ErrorOr<void> write_all(dev::File& file, ReadonlyBytes bytes)
{
    while (!bytes.empty()) {
        usize const n = TRY(file.write(bytes));
        if (n == 0)
            return Error::from_errno(EIO);
        bytes = kstd::slice(bytes, n);
    }
    return {};
}

}
