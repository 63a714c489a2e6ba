// Lab 9, exercise 4: the driver's main loop (uartd.h). The kernel masks the UART's interrupt
// line each time it fires and wakes the process sleeping in read() on the uio file; the driver
// serves the device, then unmasks the line by writing 1 to the same file.
#include "uartd.h"
#include <conduit/sys.h>
#include <kstd/enforce.h>

// BEGIN LAB 9
int uart_echo(Uart& uart, u64 count)
{
    u32 const unmask = 1;
    // Interrupts may have been masked by one that was pending when the file was opened.
    if (write(uart.uio, &unmask, sizeof(unmask)) != sizeof(unmask))
        return -1;
    u8 buffer[256];
    while (count == 0 || uart.received < count) {
        u32 interrupts = 0;
        if (read(uart.uio, &interrupts, sizeof(interrupts)) != sizeof(interrupts))
            return -1;   // sleeps until the line fires
        uart.interrupts = interrupts;
        ++uart.wakeups;
        usize arrived = uart_service(uart, buffer, sizeof(buffer));
        uart_send(uart, buffer, arrived);
        if (write(uart.uio, &unmask, sizeof(unmask)) != sizeof(unmask))
            return -1;
    }
    return 0;
}
// END LAB 9
// STUB LAB 9: int uart_echo(Uart&, u64)
// STUB LAB 9: {
// STUB LAB 9:     errno = ENOSYS;
// STUB LAB 9:     return -1;
// STUB LAB 9: }
