// Lab 9, exercise 3: what the driver does for one interrupt (uartd.h). The same loop as the
// kernel driver's top half (drivers/char/uart16550/irq.cpp), written for ring 3.
#include "uartd.h"
#include <conduit/port_io.h>
#include <conduit/uart16550.h>
#include <kstd/enforce.h>

using namespace uart;

// BEGIN LAB 9
usize uart_service(Uart& uart, u8* buffer, usize room)
{
    u16 base = uart.base;
    usize count = 0;
    // An ISA line is edge-triggered: the next interrupt comes only after the UART has dropped
    // its request, so every pending cause must be served before we return.
    for (u8 iir = port_in8(base + IIR); !(iir & IIR_NO_INTERRUPT) && count < room; iir = port_in8(base + IIR)) {
        switch (iir & IIR_CAUSE_MASK) {
        case IIR_LINE_STATUS:
            (void)port_in8(base + LSR);
            ++uart.line_errors;
            break;
        case IIR_RX_AVAILABLE:
        case IIR_RX_TIMEOUT:   // bytes below the trigger level waited too long: data too
            while ((port_in8(base + LSR) & LSR_DATA_READY) && count < room)
                buffer[count++] = port_in8(base + RBR);
            break;
        case IIR_MODEM_STATUS:
            (void)port_in8(base + MSR);
            break;
        default:   // THR empty: reading IIR acknowledged it
            break;
        }
    }
    uart.received += count;
    return count;
}
// END LAB 9
// STUB LAB 9: usize uart_service(Uart&, u8*, usize) { return 0; }
