// Running user programs from in-kernel tests (lab/09-user-drivers/tests/program_runner.h). The capture
// device /dev/usertest0 keeps what a program writes; reading it gives end of file.
#include "program_runner.h"
#include <kernel/dev/chardev.h>
#include <kernel/dev/devfs.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/tty/termios.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <uapi/process.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace user_test {

namespace {

constexpr usize CAPTURE_SIZE = 32 * 1024;

struct Capture {
    sched::Spinlock lock { "usertest-capture" };
    char text[CAPTURE_SIZE];
    usize length { 0 };
};
Capture g_capture;
dev::CharDevHandle g_device;

ErrorOr<usize> capture_write(dev::File&, ReadonlyBytes data, u64)
{
    sched::SpinlockGuard guard(g_capture.lock);
    usize room = CAPTURE_SIZE - 1 - g_capture.length;
    usize n = data.size() < room ? data.size() : room;
    memcpy(g_capture.text + g_capture.length, data.data(), n);
    g_capture.length += n;
    return data.size();   // the rest is dropped, never an error
}

ErrorOr<usize> capture_read(dev::File&, Bytes, u64) { return usize(0); }

constexpr dev::CharDevOps capture_ops {
    .driver = "usertest",
    .read = capture_read,
    .write = capture_write,
};

ErrorOr<void> ensure_device()
{
    if (!g_device)
        g_device = TRY(dev::register_chardev("usertest0", 0, 0, capture_ops));
    return {};
}

// The TTY the last program ran on ("" for the capture device).
char g_tty_path[32];

// A program's last lines may still sit in its TTY's output queue when it ends (closing a TTY
// does not wait for it), and a test that ends then would power the machine off under them:
// wait until the queue is empty, then a little longer for the UART's 16-byte FIFO (under 2 ms
// at 115200 baud), so the host sees everything the program wrote.
void drain_tty()
{
    if (!g_tty_path[0])
        return;
    auto file = devfs::open(StringView(g_tty_path), dev::OpenFlags::Write);
    if (file.is_error())
        return;
    file.value()->set_timeout_ns(2'000'000'000);   // output stopped (^S): do not wait forever
    (void)file.value()->ioctl(tty::TCDRAIN);
    sched::sleep_for(10'000'000);
}

}

ErrorOr<proc::Pid> start(Span<char const* const> argv, char const* tty)
{
    TRY(ensure_device());
    {
        sched::SpinlockGuard guard(g_capture.lock);
        g_capture.length = 0;
    }
    proc::SpawnOptions options;
    options.argv = argv;
    g_tty_path[0] = '\0';
    if (tty) {
        kstd::snprintf(g_tty_path, sizeof(g_tty_path), "/dev/%s", tty);
        options.files[0] = TRY(devfs::open(StringView(g_tty_path), dev::OpenFlags::ReadWrite));
        options.stdio[0] = options.stdio[1] = options.stdio[2] = 0;
    } else {
        options.files[0] = TRY(devfs::open(StringView("/dev/usertest0"), dev::OpenFlags::Read));
        options.files[1] = TRY(devfs::open(StringView("/dev/usertest0"), dev::OpenFlags::Write));
        options.stdio[0] = 0;
        options.stdio[1] = options.stdio[2] = 1;
    }
    return proc::spawn(StringView(argv[0]), kstd::move(options));
}

ErrorOr<Run> finish(proc::Pid pid, u64 timeout_ns)
{
    auto status = proc::wait(pid, timeout_ns);
    if (status.is_error() && status.error().code() == ETIMEDOUT) {
        ktest::note("pid %d still running after the timeout: killing it; its output so far: %s", pid,
                    output().characters());
        (void)proc::kill(pid);
        (void)proc::wait(pid, timeout_ns);
        return status.release_error();
    }
    drain_tty();
    return Run { pid, TRY(kstd::move(status)), output() };
}

ErrorOr<Run> run(Span<char const* const> argv, char const* tty, u64 timeout_ns)
{
    proc::Pid pid = TRY(start(argv, tty));
    return finish(pid, timeout_ns);
}

ErrorOr<void> wait_until_asleep(proc::Pid pid, u64 timeout_ns)
{
    // Asleep at two looks 5 ms apart: a moment's wait for a lock on the way is not a read.
    u64 const deadline = sched::deadline_after(timeout_ns);
    for (int asleep_looks = 0;;) {
        proc::ProcessInfo infos[proc::MAX_PROCESSES];
        usize count = kstd::min(proc::list(infos), proc::MAX_PROCESSES);
        bool asleep = false;
        for (usize i = 0; i < count; ++i)
            asleep |= infos[i].pid == pid && infos[i].asleep;
        asleep_looks = asleep ? asleep_looks + 1 : 0;
        if (asleep_looks == 2)
            return {};
        if (time::now_ns() >= deadline)
            return Error::from_errno(ETIMEDOUT);
        sched::sleep_for(5'000'000);
    }
}

StringView output()
{
    sched::SpinlockGuard guard(g_capture.lock);
    g_capture.text[g_capture.length] = '\0';
    return StringView(g_capture.text, g_capture.length);
}

// The program's last line of output, as a note on the debug console (the test log shows what
// the program reported, e.g. its summary).
void note_last_line(StringView output)
{
    StringView text = output.trim();
    usize start = 0;
    for (usize i = 0; i < text.length(); ++i) {
        if (text[i] == '\n')
            start = i + 1;
    }
    if (!text.is_empty())
        ktest::note("%.*s", int(text.length() - start), text.characters() + start);
}

ErrorOr<void> expect_exit(Run const& run, int code, char const* file, int line)
{
    if (uapi::wait_exited(run.status) && uapi::wait_exit_code(run.status) == code) {
        note_last_line(run.output);
        return {};
    }
    if (uapi::wait_signaled(run.status))
        return ktest::fail(file, line, "expected exit code %d, the program was killed (signal %d); output: %s", code,
                           uapi::wait_signal(run.status), run.output.characters());
    return ktest::fail(file, line, "expected exit code %d, got %d; output: %s", code,
                       uapi::wait_exit_code(run.status), run.output.characters());
}

ErrorOr<void> expect_killed(Run const& run, int signal, char const* file, int line)
{
    if (uapi::wait_signaled(run.status) && uapi::wait_signal(run.status) == signal)
        return {};
    return ktest::fail(file, line, "expected the program to be killed with signal %d, got status %#x; output: %s",
                       signal, run.status, run.output.characters());
}

ErrorOr<void> expect_output(Run const& run, char const* text, char const* file, int line)
{
    if (run.output.find(StringView(text)).has_value())
        return {};
    return ktest::fail(file, line, "expected '%s' in the program's output, got: %s", text, run.output.characters());
}

}
