// t_tty COUNT: a user program on /dev/ttyS0 through the whole path: it switches the TTY to raw
// mode without echo (TCSETS), says "t_tty: ready", then reads COUNT bytes with read() and
// writes each chunk straight back with write(), so the host sees its own bytes again. It checks
// that the driver runs in irq mode and that receive interrupts carried the bytes (the UART's
// counters, through the TTY's ioctl), and ends with "t_tty: done". Standard input, output and
// error are the TTY (tests/kernel/user_tty_tests.cpp).
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <uapi/serial.h>
#include <uapi/termios.h>
#include <kstd/enforce.h>

namespace {

u8 g_buffer[256];

}

int main(int argc, char** argv)
{
    u64 count = 0;
    if (argc != 2 || !parse_size(argv[1], &count))
        return 2;
    uapi::Termios saved, raw;
    if (ioctl(STDIN, uapi::TCGETS, uptr(&saved)) < 0)
        return fail("TCGETS");
    raw = saved;
    raw.canonical = raw.echo = raw.crnl = false;
    if (ioctl(STDIN, uapi::TCSETS, uptr(&raw)) < 0)
        return fail("TCSETS");
    long mode = ioctl(STDIN, uapi::SERIAL_GET_MODE);
    uapi::SerialStats before, after;
    if (ioctl(STDIN, uapi::SERIAL_GET_STATS, uptr(&before)) < 0)
        return fail("SERIAL_GET_STATS");
    printf("t_tty: ready\n");

    u64 done = 0;
    while (done < count) {
        usize want = count - done < sizeof(g_buffer) ? usize(count - done) : sizeof(g_buffer);
        long got = read(STDIN, g_buffer, want);
        if (got <= 0)
            return fail("read");
        if (write_all(STDOUT, g_buffer, usize(got)) != got)
            return fail("write");
        done += u64(got);
    }
    ioctl(STDIN, uapi::SERIAL_DRAIN);
    ioctl(STDIN, uapi::SERIAL_GET_STATS, uptr(&after));
    ioctl(STDIN, uapi::TCSETS, uptr(&saved));
    u64 received = after.bytes_in - before.bytes_in, interrupts = after.rx_interrupts - before.rx_interrupts;
    printf("\nt_tty: done: %lu bytes echoed; driver mode %s, %lu bytes received in %lu receive interrupts\n", done,
           mode == long(uapi::SerialMode::Irq) ? "irq" : "poll", received, interrupts);
    bool ok = mode == long(uapi::SerialMode::Irq) && received >= count && interrupts > 0;
    return ok ? 0 : 1;
}
