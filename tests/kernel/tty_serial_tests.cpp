// Serial line editing through the TTY layer on the real UART: the grader types lines with
// DEL, ^U, ^W and BS on COM1 (serial peer); the reader of /dev/ttyS0 gets the edited lines, and
// the echo goes back out on COM1 (the rubric checks the bytes). Runs in both UART modes.
#include <kernel/tty/console.h>
#include <drivers/uart16550.h>
#include <kernel/dev/devfs.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

ErrorOr<void> expect_line(dev::File& tty, char const* expected)
{
    u8 buffer[96];
    usize const n = TRY(tty.read(Bytes(buffer, sizeof(buffer))));
    if (n != strlen(expected) || memcmp(buffer, expected, n) != 0)
        return ktest::fail(__FILE__, __LINE__, "expected the edited line \"%s\", got %zu bytes \"%.*s\"", expected, n,
                           int(n), reinterpret_cast<char const*>(buffer));
    return {};
}

}

KTEST(tty_serial_line_editing, CORE_SUITE)
{
    uart16550::Port* com1 = uart16550::port(0);
    EXPECT_MSG(com1, "no 16550 driver bound to COM1");
    auto file = EXPECT_OK(devfs::open("/dev/ttyS0", dev::OpenFlags::ReadWrite));
    tty::Termios termios {};
    EXPECT_MSG(!file->ioctl(tty::TCGETS, uptr(&termios)).is_error(),
               "/dev/ttyS0 does not answer TCGETS: it is not registered through the TTY layer");
    tty::Termios const canonical {};
    EXPECT_OK(file->ioctl(tty::TCSETS, uptr(&canonical)));
    file->set_timeout_ns(10 * time::NS_PER_S);
    diag_print("@@CONDUIT ready name=tty_serial_line_editing nonce=%s\n", ktest::nonce());
    TRY(expect_line(*file, "help\n"));      // "ls" DEL DEL "help" CR
    TRY(expect_line(*file, "ok\n"));        // "junk" ^U "ok" CR
    TRY(expect_line(*file, "cat file\n"));  // "cat some" ^W "file" BS-corrected
    static char const done[] = "edit-done\n";
    EXPECT_OK(file->write(ReadonlyBytes(reinterpret_cast<u8 const*>(done), sizeof(done) - 1)));
    (void)uart16550::ioctl(*com1, uart16550::IOCTL_DRAIN);
    return {};
}
