// Console input. Until interrupts and the UART driver exist this polls the early serial port;
// `pause` keeps the busy wait friendly to the emulator.
#include <arch/platform.h>
#include <kernel/console_input.h>
#include <kstd/enforce.h>

namespace console_input {

char read_char()
{
    for (;;) {
        int byte = arch::early_serial_try_read();
        if (byte >= 0)
            return char(byte);
        arch::cpu_relax();
    }
}

}
