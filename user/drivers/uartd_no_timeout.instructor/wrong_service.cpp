// Grader self-test (instructor-only): uartd whose interrupt service treats only IIR 0x04
// ("received data available") as received data and gives up on anything else, so the last
// bytes of a burst, which arrive as a character timeout (IIR 0x0C), are never read and the
// UART's request stays up. lab9_uartd_echo must fail naming the character timeout.
// Every header the reference files use comes first: each of them ends its includes with
// <kstd/enforce.h>, after which no library header may be included any more.
#include <conduit/io.h>
#include <conduit/port_io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <conduit/uart16550.h>
#include <uapi/uio.h>
#include "../uartd/loop.cpp"
#include "../uartd/main.cpp"
#include "../uartd/setup.cpp"

usize uart_service(Uart& uart, u8* buffer, usize room)
{
    u16 base = uart.base;
    usize count = 0;
    for (u8 iir = port_in8(base + uart::IIR); !(iir & uart::IIR_NO_INTERRUPT); iir = port_in8(base + uart::IIR)) {
        if ((iir & uart::IIR_CAUSE_MASK) != uart::IIR_RX_AVAILABLE)
            break;   // the mistake: a character timeout is received data too
        while ((port_in8(base + uart::LSR) & uart::LSR_DATA_READY) && count < room)
            buffer[count++] = port_in8(base + uart::RBR);
    }
    uart.received += count;
    return count;
}
