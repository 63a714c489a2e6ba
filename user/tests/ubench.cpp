// ubench KIND ...: the user-space half of `make bench-user` (tests/kernel/user_bench.cpp runs it,
// tools/bench_user.py prints the table). Each kind prints one "ubench ..." line of numbers.
//   ubench syscall N          N getpid() calls, and N one-byte read()s of /dev/zero
//   ubench tty DEVICE N       a one-byte read through the TTY: the UART in loopback, raw mode;
//                             N round trips (write a byte, read it back: the read waits for the
//                             receive interrupt), then N reads of a byte that is already there
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <uapi/serial.h>
#include <uapi/termios.h>
#include <kstd/enforce.h>

namespace {

int syscall_cost(u64 count)
{
    u64 start = clock_ns();
    for (u64 i = 0; i < count; ++i)
        (void)getpid();
    u64 getpid_ns = clock_ns() - start;
    int zero = open("/dev/zero", OPEN_READ);
    if (zero < 0)
        return fail("/dev/zero");
    u8 byte;
    start = clock_ns();
    for (u64 i = 0; i < count; ++i)
        (void)read(zero, &byte, 1);
    u64 read_ns = clock_ns() - start;
    printf("ubench syscall calls=%lu getpid_ns=%lu read_zero_ns=%lu\n", count, getpid_ns / count, read_ns / count);
    return 0;
}

int tty_read_cost(char const* device, u64 count)
{
    int fd = open(device, OPEN_READ_WRITE);
    if (fd < 0)
        return fail(device);
    uapi::Termios saved, raw;
    if (ioctl(fd, uapi::TCGETS, uptr(&saved)) < 0)
        return fail("TCGETS");
    raw = saved;
    raw.canonical = raw.echo = raw.crnl = raw.onlcr = false;
    if (ioctl(fd, uapi::TCSETS, uptr(&raw)) < 0 || ioctl(fd, uapi::SERIAL_SET_LOOPBACK, 1) < 0)
        return fail("TCSETS / loopback");
    u8 byte = 0;
    u64 round_trip = 0, read_wait = 0;
    for (u64 i = 0; i < count; ++i) {
        u8 out = u8(i);
        u64 t0 = clock_ns();
        if (write(fd, &out, 1) != 1)
            return fail("write");
        u64 t1 = clock_ns();
        if (read(fd, &byte, 1) != 1 || byte != out)
            return fail("read back");
        u64 t2 = clock_ns();
        round_trip += t2 - t0;
        read_wait += t2 - t1;
    }
    // Bytes that are already in the TTY's buffer: the cost of the read path alone.
    u8 burst[64];
    for (u8& b : burst)
        b = 'x';
    u64 buffered = 0, reads = 0;
    for (u64 done = 0; done < count; done += sizeof(burst)) {
        write(fd, burst, sizeof(burst));
        ioctl(fd, uapi::SERIAL_DRAIN);
        sleep_ms(2);
        for (usize i = 0; i < sizeof(burst); ++i) {
            u64 t0 = clock_ns();
            if (read(fd, &byte, 1) != 1)
                return fail("buffered read");
            buffered += clock_ns() - t0;
            ++reads;
        }
    }
    ioctl(fd, uapi::SERIAL_SET_LOOPBACK, 0);
    ioctl(fd, uapi::TCSETS, uptr(&saved));
    printf("ubench tty rounds=%lu round_trip_ns=%lu read_wait_ns=%lu buffered_read_ns=%lu\n", count,
           round_trip / count, read_wait / count, buffered / reads);
    return 0;
}

}

int main(int argc, char** argv)
{
    u64 count = 0;
    if (argc == 3 && strcmp(argv[1], "syscall") == 0 && parse_size(argv[2], &count) && count)
        return syscall_cost(count);
    if (argc == 4 && strcmp(argv[1], "tty") == 0 && parse_size(argv[3], &count) && count)
        return tty_read_cost(argv[2], count);
    dprintf(STDERR, "usage: ubench syscall N | ubench tty DEVICE N\n");
    return 2;
}
