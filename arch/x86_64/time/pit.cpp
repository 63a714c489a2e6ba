// The 8254 PIT (registers: pit.h): channel 2 as the ruler the TSC is calibrated against,
// channel 0 as the periodic tick in PIC mode. Under QEMU the PIT follows the host's clock
// exactly (qemu-platform-facts.md section 7: 200 windows of 10 ms took 2.000 s of host time).
#include "pit.h"
#include <arch/cpu.h>
#include <kstd/enforce.h>

namespace arch::pit {

namespace {
u8 g_saved_port_b = 0;
}

void start_ruler()
{
    g_saved_port_b = in8(PORT_B);
    // Gate low while programming, so counting starts cleanly when it goes high.
    out8(PORT_B, u8(g_saved_port_b & ~(PORT_B_SPEAKER | PORT_B_GATE2)));
    out8(COMMAND, CW_CHANNEL2 | CW_LOW_THEN_HIGH | CW_MODE0);
    out8(CHANNEL2_DATA, 0xff);
    out8(CHANNEL2_DATA, 0xff);
    out8(PORT_B, u8((g_saved_port_b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
}

u16 read_ruler()
{
    out8(COMMAND, CW_CHANNEL2 | CW_LATCH);
    u8 low = in8(CHANNEL2_DATA);
    u8 high = in8(CHANNEL2_DATA);
    return u16(low | high << 8);
}

bool ruler_wrapped() { return in8(PORT_B) & PORT_B_OUT2; }

void stop_ruler() { out8(PORT_B, g_saved_port_b); }

u16 start_periodic(u32 hz)
{
    u32 divisor = (INPUT_HZ + hz / 2) / hz;
    if (divisor > 0xffff)
        divisor = 0xffff;
    if (divisor < 2)   // mode 2 needs at least 2
        divisor = 2;
    out8(COMMAND, CW_CHANNEL0 | CW_LOW_THEN_HIGH | CW_MODE2);
    out8(CHANNEL0_DATA, u8(divisor));
    out8(CHANNEL0_DATA, u8(divisor >> 8));
    return u16(divisor);
}

}
