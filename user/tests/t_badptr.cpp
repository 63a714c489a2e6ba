// t_badptr: every system call that takes a pointer, called with bad ones -- null, a kernel
// address, an unmapped address, a range that straddles the end of user space, read-only
// memory for output -- must fail with EFAULT and leave the process running. Prints one line
// per case that misbehaves and a summary; exits 0 when all passed
// (tests/kernel/user_syscall_tests.cpp).
#include <conduit/io.h>
#include <conduit/sys.h>
#include <kstd/enforce.h>
#include <uapi/termios.h>
#include <uapi/uio.h>

namespace {

using uapi::Syscall;

constexpr long NULL_POINTER = 0;
constexpr long KERNEL_TEXT = long(0xffffffff80100000ull);
constexpr long KERNEL_DIRECT_MAP = long(0xffff800000001000ull);
constexpr long UNMAPPED = 0x10000000;
constexpr long NON_CANONICAL = long(0x0000900000000000ull);
constexpr long STRADDLE = long(uapi::STACK_TOP - 2);   // 2 bytes below the user limit
constexpr long STRADDLE_SIZE = 16;

char const g_read_only[64] = "constant";
// A valid echo request to the loopback: only the other pointer is bad.
uapi::PingRequest const g_ping = { 0x7F000001, 1, 56, 500, 0, {} };
uapi::PingReply g_reply;

struct BadPointer {
    char const* name;
    long address;
};
constexpr BadPointer BAD[] = {
    { "null", NULL_POINTER },
    { "kernel text", KERNEL_TEXT },
    { "kernel direct map", KERNEL_DIRECT_MAP },
    { "unmapped", UNMAPPED },
    { "non-canonical", NON_CANONICAL },
    { "straddling the user limit", STRADDLE },
};

int g_checks = 0, g_failures = 0;

void expect_efault(char const* call, char const* what, long result)
{
    ++g_checks;
    if (result == -long(EFAULT))
        return;
    ++g_failures;
    printf("FAIL %s with a %s pointer: got %ld, expected -EFAULT (-14)\n", call, what, result);
}

long sys(Syscall number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0)
{
    return raw_syscall(long(number), a0, a1, a2, a3, a4);
}

// The last 8 bytes of user memory (the top of the stack) become non-NUL text, so a string
// that starts there runs into the user limit before it ends.
void fill_top_of_stack()
{
    auto* top = reinterpret_cast<char volatile*>(uapi::STACK_TOP - 8);
    for (int i = 0; i < 8; ++i)
        top[i] = 'x';
}

void check_buffers(int fd)
{
    for (auto const& bad : BAD) {
        long size = bad.address == STRADDLE ? STRADDLE_SIZE : 16;
        expect_efault("read", bad.name, sys(Syscall::Read, fd, bad.address, size));
        expect_efault("write", bad.name, sys(Syscall::Write, fd, bad.address, size));
        expect_efault("ioctl TCGETS", bad.name, sys(Syscall::Ioctl, fd, uapi::TCGETS, bad.address));
        expect_efault("ioctl TCSETS", bad.name, sys(Syscall::Ioctl, fd, uapi::TCSETS, bad.address));
        expect_efault("ioctl UIO_GET_INFO", bad.name, sys(Syscall::Ioctl, fd, uapi::UIO_GET_INFO, bad.address));
        expect_efault("poll", bad.name, sys(Syscall::Poll, bad.address, 2, 0));
        expect_efault("mapinfo", bad.name, sys(Syscall::Mapinfo, long(&g_checks), bad.address));
        expect_efault("ping (request)", bad.name, sys(Syscall::Ping, bad.address, long(&g_reply)));
        expect_efault("ping (reply)", bad.name, sys(Syscall::Ping, long(&g_ping), bad.address));
    }
    expect_efault("read into read-only memory", "read-only", sys(Syscall::Read, fd, long(g_read_only), 8));
    expect_efault("read", "wrapping", sys(Syscall::Read, fd, long(g_read_only), -1));
    expect_efault("ping into read-only memory", "read-only", sys(Syscall::Ping, long(&g_ping), long(g_read_only)));
}

void check_strings()
{
    uapi::DirEntry entry;
    for (auto const& bad : BAD) {
        expect_efault("open", bad.name, sys(Syscall::Open, bad.address, uapi::OPEN_READ));
        expect_efault("spawn (path)", bad.name, sys(Syscall::Spawn, bad.address, 0));
        expect_efault("exec (path)", bad.name, sys(Syscall::Exec, bad.address, 0));
        expect_efault("readdir (path)", bad.name, sys(Syscall::Readdir, bad.address, 0, long(&entry)));
        expect_efault("readdir (entry)", bad.name, sys(Syscall::Readdir, long("/dev"), 0, bad.address));
        // argv itself bad, and an argv whose first string is bad. (A null argv, or a null
        // first entry, is an empty argument list: allowed.)
        if (bad.address == NULL_POINTER)
            continue;
        expect_efault("spawn (argv)", bad.name, sys(Syscall::Spawn, long("/bin/hello"), bad.address));
        long argv[2] = { bad.address, 0 };
        expect_efault("spawn (argv[0])", bad.name, sys(Syscall::Spawn, long("/bin/hello"), long(argv)));
        expect_efault("exec (argv[0])", bad.name, sys(Syscall::Exec, long("/bin/hello"), long(argv)));
    }
}

// wait() with a bad status pointer fails before it collects the child, so a second wait with
// a good pointer still gets it.
void check_wait()
{
    char const* argv[] = { "hello", "quiet", nullptr };
    int child = spawn("/bin/hello", argv);
    if (child < 0) {
        ++g_failures;
        printf("FAIL spawn /bin/hello: %s\n", kstd::errno_name(errno));
        return;
    }
    for (auto const& bad : BAD) {
        if (bad.address != NULL_POINTER)   // wait(pid, nullptr) is allowed: no status wanted
            expect_efault("wait (status)", bad.name, sys(Syscall::Wait, child, bad.address));
    }
    int status = -1;
    ++g_checks;
    if (wait(child, &status) != child || !uapi::wait_exited(status)) {
        ++g_failures;
        printf("FAIL wait after the bad pointers did not collect the child (status %#x)\n", status);
    }
}

}

int main()
{
    fill_top_of_stack();
    check_buffers(STDOUT);
    check_strings();
    check_wait();
    ++g_checks;
    long unknown = raw_syscall(999);
    if (unknown != -long(ENOSYS)) {
        ++g_failures;
        printf("FAIL system call 999: got %ld, expected -ENOSYS\n", unknown);
    }
    printf("bad pointers: %d checks, %d failed\n", g_checks, g_failures);
    return g_failures ? 1 : 0;
}
