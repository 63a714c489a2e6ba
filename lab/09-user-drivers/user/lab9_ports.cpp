// lab9_ports: lab 9's tests of ioperm() from the program's side (exercise 1). Run as
// `lab9_ports` it checks, printing one line per failure and exiting 0 when all hold:
//   * exactly the range: in a child that is granted 0x2F8-0x2FF, ports 0x2F8 and 0x2FF work
//     while 0x2F7 and 0x300 kill it (#GP);
//   * the arguments: a range of 0 ports, or one that runs past port 0xFFFF, is EINVAL;
//   * ownership: ports held by the kernel's COM1 driver, by this process already, or by
//     another process are EBUSY; a process's ports come back when it exits;
//   * revoked ports kill a child that touches them;
//   * a granted range works: COM2's scratch register keeps what is written to it.
// `lab9_ports probe PORT [revoke]` and `lab9_ports claim|busy` are the child halves.
#include <conduit/io.h>
#include <conduit/port_io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <kstd/enforce.h>

namespace {

constexpr u16 COM2 = 0x2F8, COM2_SCRATCH = 0x2FF, COM1 = 0x3F8;
int g_failures = 0;

void failure(char const* text)
{
    ++g_failures;
    printf("FAIL %s\n", text);
}

// Runs a child half and returns its wait status.
int run_child(char const* mode, char const* argument = nullptr, char const* extra = nullptr)
{
    char const* argv[] = { "lab9_ports", mode, argument, extra, nullptr };
    int pid = spawn("/bin/lab9_ports", argv);
    int status = -1;
    if (pid < 0 || wait(pid, &status) != pid)
        return -1;
    return status;
}

bool exited_ok(int status) { return uapi::wait_exited(status) && uapi::wait_exit_code(status) == 0; }
bool killed(int status) { return uapi::wait_signaled(status) && uapi::wait_signal(status) == uapi::SIGNAL_SEGV; }

// Children: grant COM2, touch one port (after revoking, with "revoke").
int child(char const* mode, char const* argument, bool revoke)
{
    u64 port = 0;
    if (strcmp(mode, "probe") == 0 && parse_size(argument, &port)) {
        if (ioperm(COM2, 8, 1) < 0)
            return 3;
        if (revoke && ioperm(COM2, 8, 0) < 0)
            return 4;
        printf("probe: touching port %#lx\n", port);
        port_out8(u16(port), 0x55);
        return 0;
    }
    if (strcmp(mode, "claim") == 0)
        return ioperm(COM2, 8, 1) == 0 ? 0 : 1;   // exits holding them
    if (strcmp(mode, "busy") == 0)
        return ioperm(COM2, 8, 1) == -1 && errno == EBUSY ? 0 : 1;
    return 2;
}

void check_granted_range_works()
{
    if (ioperm(COM2, 8, 1) < 0) {
        printf("FAIL ioperm(0x2f8, 8, 1) returned -1 with %s: granting COM2's ports must work\n", kstd::errno_name(errno));
        ++g_failures;
        return;
    }
    port_out8(COM2_SCRATCH, 0xA5);
    u8 first = port_in8(COM2_SCRATCH);
    port_out8(COM2_SCRATCH, 0x5A);
    u8 second = port_in8(COM2_SCRATCH);
    if (first != 0xA5 || second != 0x5A)
        failure("COM2's scratch register did not keep what was written: are the ports really COM2's?");
    if (ioperm(COM2, 8, 0) < 0)
        failure("ioperm(0x2f8, 8, 0) (giving the ports back) failed");
}

void check_exact_range()
{
    struct Probe {
        char const* port;
        bool allowed;
        char const* why;
    };
    constexpr Probe probes[] = {
        { "0x2F8", true, "port 0x2f8, the first granted, killed the process: in the TSS bitmap a CLEAR bit allows a port" },
        { "0x2FF", true, "port 0x2ff, the last granted, killed the process: the range must include first + count - 1" },
        { "0x2F7", false, "port 0x2f7, just below the range, was allowed: only [first, first + count) may be cleared" },
        { "0x300", false, "port 0x300, one past the range, was allowed (off by one: first + count is not granted)" },
    };
    for (Probe const& probe : probes) {
        int status = run_child("probe", probe.port);
        if (probe.allowed ? !exited_ok(status) : !killed(status))
            failure(probe.why);
    }
}

void check_revoke()
{
    if (!killed(run_child("probe", "0x2F8", "revoke")))
        failure("a revoked port (ioperm(0x2f8, 8, 0)) was still allowed: revoking must set the bits again");
}

void check_arguments_and_owners()
{
    if (!(ioperm(0x80, 0, 1) == -1 && errno == EINVAL))
        failure("ioperm(0x80, 0, 1) must fail with EINVAL: a range of no ports is a mistake");
    if (!(ioperm(0xFFF8, 16, 1) == -1 && errno == EINVAL))
        failure("ioperm(0xfff8, 16, 1) must fail with EINVAL: the range runs past port 0xffff");
    if (!(ioperm(0x2F8, 0xFFFFFFF0u, 1) == -1 && errno == EINVAL))
        failure("ioperm(0x2f8, 0xfffffff0, 1) must fail with EINVAL (first + count overflows)");
    if (!(ioperm(COM1, 8, 1) == -1 && errno == EBUSY))
        failure("ioperm(0x3f8, 8, 1) must fail with EBUSY: COM1 belongs to the kernel's UART driver (reserve the ports with the I/O manager)");
    if (ioperm(COM2, 8, 1) < 0) {
        failure("ioperm(0x2f8, 8, 1) failed the second time: ports given back must be free again");
        return;
    }
    if (!(ioperm(COM2, 8, 1) == -1 && errno == EBUSY))
        failure("granting COM2's ports twice must fail with EBUSY the second time (reserve them with the I/O manager)");
    if (!exited_ok(run_child("busy")))
        failure("a second process got COM2's ports while this one held them: grant must reserve them (io::reserve_ports)");
    ioperm(COM2, 8, 0);
    if (!exited_ok(run_child("claim")))
        failure("a child could not take COM2's ports after this process gave them back");
    if (ioperm(COM2, 8, 1) < 0)
        failure("COM2's ports did not come back when the child that held them exited");
    ioperm(COM2, 8, 0);
}

}

int main(int argc, char** argv)
{
    if (argc >= 2)
        return child(argv[1], argc > 2 ? argv[2] : "", argc > 3);
    check_exact_range();
    check_arguments_and_owners();
    check_revoke();
    check_granted_range_works();
    printf("lab9_ports: %s\n", g_failures ? "some checks failed" : "all checks passed");
    return g_failures ? 1 : 0;
}
