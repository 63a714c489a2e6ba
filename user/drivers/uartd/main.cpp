// uartd [-d DEVICE] [COUNT]: echo what arrives on a 16550 handed to user space (lab 9; the
// README explains the whole program). DEVICE is the uio file (default /dev/uio0); uartd stops
// after COUNT bytes (default: never) and reports what it did on standard output.
#include "uartd.h"
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <uapi/uio.h>
#include <kstd/enforce.h>

namespace {

int usage()
{
    dprintf(STDERR, "usage: uartd [-d /dev/uioN] [COUNT]\n");
    return 2;
}

// The first port region of the device: the UART's eight registers.
bool find_ports(uapi::UioInfo const& info, u16* base)
{
    for (u32 i = 0; i < info.region_count; ++i) {
        if (info.regions[i].kind == uapi::UioRegionKind::Ports && info.regions[i].length == 8) {
            *base = u16(info.regions[i].start);
            return true;
        }
    }
    return false;
}

}

int main(int argc, char** argv)
{
    char const* device = "/dev/uio0";
    u64 count = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
            device = argv[++i];
        else if (!parse_size(argv[i], &count))
            return usage();
    }
    Uart uart;
    uart.uio = open(device, OPEN_READ_WRITE);
    if (uart.uio < 0)
        return fail(device);
    uapi::UioInfo info;
    if (ioctl(uart.uio, uapi::UIO_GET_INFO, uptr(&info)) < 0)
        return fail("UIO_GET_INFO");
    if (!find_ports(info, &uart.base) || info.irq == uapi::UIO_NO_IRQ) {
        dprintf(STDERR, "uartd: %s (%s) is not a UART with an interrupt\n", device, info.device);
        return 1;
    }
    printf("uartd: %s is %s, ports %#x-%#x, irq %u\n", device, info.device, uart.base, uart.base + 7, info.irq);
    if (uart_setup(uart) < 0)
        return fail("uartd: setup");
    printf("uartd: ready\n");
    if (uart_echo(uart, count) < 0)
        return fail("uartd: echo");
    printf("uartd: %lu bytes echoed, %u interrupts, %lu wake-ups, %lu line errors\n", uart.sent, uart.interrupts,
           uart.wakeups, uart.line_errors);
    return 0;
}
