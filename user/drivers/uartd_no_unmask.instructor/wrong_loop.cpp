// Grader self-test (instructor-only): uartd whose loop never unmasks the interrupt line after
// serving the device, so exactly one interrupt ever arrives. lab9_uartd_echo must fail and say
// that the line stayed masked. The rest of uartd is the reference.
// Every header the reference files use comes first: each of them ends its includes with
// <kstd/enforce.h>, after which no library header may be included any more.
#include <conduit/io.h>
#include <conduit/port_io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <conduit/uart16550.h>
#include <uapi/uio.h>
#include "../uartd/main.cpp"
#include "../uartd/service.cpp"
#include "../uartd/setup.cpp"

int uart_echo(Uart& uart, u64 count)
{
    u32 const unmask = 1;
    if (write(uart.uio, &unmask, sizeof(unmask)) != sizeof(unmask))
        return -1;
    u8 buffer[256];
    while (count == 0 || uart.received < count) {
        u32 interrupts = 0;
        if (read(uart.uio, &interrupts, sizeof(interrupts)) != sizeof(interrupts))
            return -1;
        uart.interrupts = interrupts;
        ++uart.wakeups;
        usize arrived = uart_service(uart, buffer, sizeof(buffer));
        uart_send(uart, buffer, arrived);
        // the mistake: no write(uart.uio, &unmask, ...) here
    }
    return 0;
}
