#pragma once
// Running user programs from in-kernel tests (lab 9's, and the kernel's own in tests/kernel): a
// program gets a capture device as stdout and stderr (everything it writes is kept for the test
// to check) and an empty stdin, or a TTY; the test waits for it with a timeout and gets its wait
// status and output.
#include <kernel/proc/process.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace user_test {

inline constexpr u64 DEFAULT_TIMEOUT_NS = 20'000'000'000;   // lack of progress, not speed

struct Run {
    proc::Pid pid;
    int status;            // uapi/process.h
    StringView output;     // stdout and stderr; valid until the next run
};

// Runs argv[0] with argv; stdin reads end of file (or `tty`, a /dev name such as "ttyS0", as
// stdin, stdout and stderr: then output is not captured). A program still running after
// `timeout_ns` is killed, and the run fails with ETIMEDOUT. Context: thread.
ErrorOr<Run> run(Span<char const* const> argv, char const* tty = nullptr, u64 timeout_ns = DEFAULT_TIMEOUT_NS);

// As run(), without waiting: returns the pid (collect it with finish()).
ErrorOr<proc::Pid> start(Span<char const* const> argv, char const* tty = nullptr);
ErrorOr<Run> finish(proc::Pid pid, u64 timeout_ns = DEFAULT_TIMEOUT_NS);

// Waits until the program sleeps in a system call (e.g. a shell waiting for its first line,
// its prompt printed), so that a test types only when someone reads. ETIMEDOUT. Context: thread.
ErrorOr<void> wait_until_asleep(proc::Pid pid, u64 timeout_ns = DEFAULT_TIMEOUT_NS);

// What the captured output holds now (for a program that is still running).
StringView output();

// Passes when `run` ended with exit code `code`; otherwise fails the test showing the output.
ErrorOr<void> expect_exit(Run const& run, int code, char const* file, int line);
// Passes when `run` was killed with `signal`.
ErrorOr<void> expect_killed(Run const& run, int signal, char const* file, int line);
// Passes when `text` occurs in the output.
ErrorOr<void> expect_output(Run const& run, char const* text, char const* file, int line);

}

#define EXPECT_EXIT(run, code) TRY(::user_test::expect_exit((run), (code), __FILE__, __LINE__))
#define EXPECT_KILLED(run, signal) TRY(::user_test::expect_killed((run), (signal), __FILE__, __LINE__))
#define EXPECT_OUTPUT(run, text) TRY(::user_test::expect_output((run), (text), __FILE__, __LINE__))
