#pragma once
// In-kernel tests. A test is a function returning ErrorOr<void>, registered in the .ktests
// linker section with its name and lab number:
//
//     KTEST(uart_loopback, 1) {
//         EXPECT_EQ(uart.read_byte(), 'x');
//         return {};
//     }
//
// `test=NAME` on the command line runs one test, `test=lab:N` a lab's tests, `test=core` the
// kernel's own tests, `test=all` all of them (never the ones that crash on purpose).
// Results go to the diagnostic channel in the line protocol that lab/grader reads (see
// lab/grader/README.md); every line carries the run's nonce.
#include <kstd/error.h>
#include <kstd/types.h>

inline constexpr int CORE_SUITE = -1;       // kernel core tests (tests/kernel), not a lab
inline constexpr int SELFTEST_SUITE = -2;   // the grader's deliberate failures (lab/grader/selftest)
// Kernel tests that end the run on purpose (e.g. to show the panic report of a page fault);
// like self-tests they run only when named.
inline constexpr int CRASH_SUITE = -3;

struct KernelTest {
    char const* name;
    int lab;
    ErrorOr<void> (*function)();
    char const* file;
    int line;
};

// The section holds pointers, not the descriptors themselves: GCC may pad large objects to
// 32-byte alignment, so descriptors placed back to back cannot be walked as an array.
#define KTEST(test_name, lab_number)                                                       \
    static ErrorOr<void> ktest_fn_##test_name();                                           \
    static constinit KernelTest const ktest_desc_##test_name { #test_name, lab_number,      \
        ktest_fn_##test_name, __FILE__, __LINE__ };                                        \
    [[gnu::used, gnu::section(".ktests")]] static constinit KernelTest const* const        \
        ktest_ptr_##test_name = &ktest_desc_##test_name;                                   \
    static ErrorOr<void> ktest_fn_##test_name()

namespace ktest {

// Records why the running test failed and returns the error the test should return.
// The first recorded reason wins. Context: thread.
Error fail(char const* file, int line, char const* fmt, ...) __attribute__((format(printf, 3, 4)));

// Progress/diagnostic line from inside a test (also keeps the grader's hang detector happy
// during long tests). Context: thread.
void note(char const* fmt, ...) __attribute__((format(printf, 1, 2)));

// The nonce of this run ("none" when the command line had none).
char const* nonce();

// Prints the boot line of the protocol (`@@CONDUIT boot nonce=N`). Context: thread.
void announce_boot();

// All registered tests, in link order.
KernelTest const* const* begin();
KernelTest const* const* end();
KernelTest const* find(char const* name);

// Runs the tests the `test=` selector names, prints the protocol lines and exits QEMU with the
// matching status. Never returns.
[[noreturn]] void run_selected(char const* selector);

// Runs one test and prints its result lines; returns whether it passed (monitor `test NAME`).
bool run_one(KernelTest const& test);

}

#define EXPECT(cond)                                                                       \
    do {                                                                                   \
        if (!(cond)) [[unlikely]]                                                          \
            return ::ktest::fail(__FILE__, __LINE__, "expected %s", #cond);                \
    } while (0)

#define EXPECT_MSG(cond, ...)                                                              \
    do {                                                                                   \
        if (!(cond)) [[unlikely]]                                                          \
            return ::ktest::fail(__FILE__, __LINE__, __VA_ARGS__);                         \
    } while (0)

// Integer/pointer/enum comparison; prints both values on failure.
#define EXPECT_EQ(actual, expected)                                                        \
    do {                                                                                   \
        auto const _a = (actual);                                                          \
        auto const _e = (expected);                                                        \
        if (!(_a == _e)) [[unlikely]]                                                      \
            return ::ktest::fail(__FILE__, __LINE__, "expected %s == %s, got %#llx, expected %#llx", \
                                 #actual, #expected, (unsigned long long)(_a), (unsigned long long)(_e)); \
    } while (0)

#define EXPECT_NE(actual, other)                                                           \
    do {                                                                                   \
        auto const _a = (actual);                                                          \
        auto const _o = (other);                                                           \
        if (_a == _o) [[unlikely]]                                                         \
            return ::ktest::fail(__FILE__, __LINE__, "expected %s != %s (both %#llx)", #actual, \
                                 #other, (unsigned long long)(_a));                        \
    } while (0)

// For ErrorOr results: the expression must fail with this errno code.
#define EXPECT_ERROR(expression, errno_code)                                               \
    do {                                                                                   \
        auto _r = (expression);                                                            \
        if (!_r.is_error())                                                                \
            return ::ktest::fail(__FILE__, __LINE__, "expected %s to fail with %s, it succeeded", \
                                 #expression, ::kstd::errno_name(errno_code));             \
        if (_r.error().code() != (errno_code))                                             \
            return ::ktest::fail(__FILE__, __LINE__, "expected %s to fail with %s, got %s",  \
                                 #expression, ::kstd::errno_name(errno_code), _r.error().name()); \
    } while (0)

// For ErrorOr results: the expression must succeed; yields its value.
#define EXPECT_OK(expression)                                                              \
    ({                                                                                     \
        auto _r = (expression);                                                            \
        if (_r.is_error()) [[unlikely]]                                                    \
            return ::ktest::fail(__FILE__, __LINE__, "%s failed with %s", #expression,      \
                                 _r.error().name());                                       \
        _r.release_value();                                                                \
    })
