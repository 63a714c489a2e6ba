// Grader self-test (instructor-only): uartd whose setup leaves IER at 0, so the UART never
// interrupts and the driver sleeps in read() for ever. lab9_uartd_echo must fail saying that no
// interrupt ever arrived.
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
#include "../uartd/service.cpp"

using namespace uart;

int uart_setup(Uart& uart)
{
    if (ioperm(uart.base, PORT_COUNT, 1) < 0)
        return -1;
    u16 base = uart.base;
    port_out8(base + IER, 0);
    port_out8(base + LCR, LCR_DLAB);
    port_out8(base + DLL, 1);
    port_out8(base + DLM, 0);
    port_out8(base + LCR, LCR_8N1);
    port_out8(base + FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_14);
    port_out8(base + MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
    return 0;   // the mistake: IER stays 0
}

void uart_send(Uart& uart, u8 const* data, usize count)
{
    for (usize i = 0; i < count; ++i) {
        while (!(port_in8(uart.base + LSR) & LSR_THR_EMPTY)) {
        }
        port_out8(uart.base + THR, data[i]);
        ++uart.sent;
    }
}
