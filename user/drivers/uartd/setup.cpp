// Lab 9, exercise 2: the UART's setup and output, from ring 3 (uartd.h says what each does).
#include "uartd.h"
#include <conduit/port_io.h>
#include <conduit/sys.h>
#include <conduit/uart16550.h>
#include <kstd/enforce.h>

using namespace uart;

// BEGIN LAB 9
int uart_setup(Uart& uart)
{
    // Without this, the first port access below raises #GP and the kernel ends the program.
    if (ioperm(uart.base, PORT_COUNT, 1) < 0)
        return -1;
    u16 base = uart.base;
    port_out8(base + IER, 0);   // quiet while we change things
    port_out8(base + LCR, LCR_DLAB);
    u16 divisor = u16(CLOCK_DIVISOR_BASE / 115200);
    port_out8(base + DLL, u8(divisor));
    port_out8(base + DLM, u8(divisor >> 8));
    port_out8(base + LCR, LCR_8N1);
    port_out8(base + FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_14);
    port_out8(base + MCR, MCR_DTR | MCR_RTS | MCR_OUT2);   // OUT2 connects the IRQ line on a PC
    while (port_in8(base + LSR) & LSR_DATA_READY)
        (void)port_in8(base + RBR);
    (void)port_in8(base + LSR);   // clears stale line status
    (void)port_in8(base + IIR);
    port_out8(base + IER, IER_RX_AVAILABLE | IER_LINE_STATUS);
    return 0;
}

void uart_send(Uart& uart, u8 const* data, usize count)
{
    // THRE means the whole transmit FIFO is empty: then up to 16 bytes fit at once.
    for (usize i = 0; i < count;) {
        while (!(port_in8(uart.base + LSR) & LSR_THR_EMPTY)) {
        }
        for (usize burst = 0; burst < FIFO_SIZE && i < count; ++burst, ++i)
            port_out8(uart.base + THR, data[i]);
    }
    uart.sent += count;
}
// END LAB 9
// STUB LAB 9: int uart_setup(Uart&)
// STUB LAB 9: {
// STUB LAB 9:     errno = ENOSYS;   // ioperm, then program the UART (see uartd.h and the handout)
// STUB LAB 9:     return -1;
// STUB LAB 9: }
// STUB LAB 9:
// STUB LAB 9: void uart_send(Uart&, u8 const*, usize) {}
