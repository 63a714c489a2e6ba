// Grader self-test (instructor-only): uartd that never waits for its interrupt: it spins on
// LSR.DR instead of sleeping in read() on the uio file. It echoes every byte, so only the
// rubric's mechanism check (LSR reads while the host pauses) can tell, and must.
// Every header the reference files use comes first: each of them ends its includes with
// <kstd/enforce.h>, after which no library header may be included any more.
#include <conduit/io.h>
#include <conduit/port_io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <conduit/uart16550.h>
#include <uapi/uio.h>
#include "../uartd/main.cpp"
#include "../uartd/setup.cpp"

usize uart_service(Uart& uart, u8* buffer, usize room)
{
    usize count = 0;
    while ((port_in8(uart.base + uart::LSR) & uart::LSR_DATA_READY) && count < room)
        buffer[count++] = port_in8(uart.base + uart::RBR);
    uart.received += count;
    return count;
}

int uart_echo(Uart& uart, u64 count)
{
    u8 buffer[256];
    while (count == 0 || uart.received < count) {   // the mistake: polling, never read(uart.uio)
        usize arrived = uart_service(uart, buffer, sizeof(buffer));
        uart_send(uart, buffer, arrived);
    }
    return 0;
}
