// Early console: QEMU's debug console (port 0xE9) and a polled 16550 on COM1 (0x3F8).
// This is the boot/diagnostic path only; the graded UART driver lives in drivers/char/uart16550.
#include <arch/cpu.h>
#include <arch/platform.h>
#include <kstd/enforce.h>

namespace arch {

namespace {
constexpr u16 DEBUGCON_PORT = 0xE9;
constexpr u16 COM1 = 0x3F8;
constexpr u16 REG_DATA = 0, REG_IER = 1, REG_IIR = 2, REG_FCR = 2, REG_LCR = 3, REG_MCR = 4, REG_LSR = 5;
constexpr u8 IIR_FIFO_ENABLED = 0xC0;
constexpr u8 LSR_DATA_READY = 1 << 0, LSR_THR_EMPTY = 1 << 5;
constexpr u32 TX_SPIN_LIMIT = 1'000'000;   // a missing UART must not hang the kernel

bool g_serial_present = false;
}

void debugcon_write(char const* data, usize length)
{
    for (usize i = 0; i < length; ++i)
        out8(DEBUGCON_PORT, u8(data[i]));
}

void early_serial_init()
{
    // Bytes typed before the kernel started wait in the receiver (QEMU holds the rest back while
    // it is full). Toggling FCR's FIFO-enable bit clears the receiver, so keep the FIFO in the
    // state the firmware left it and never set the clear bits: no typed byte is lost.
    bool fifo_enabled = (in8(COM1 + REG_IIR) & IIR_FIFO_ENABLED) == IIR_FIFO_ENABLED;
    out8(COM1 + REG_IER, 0x00);
    out8(COM1 + REG_LCR, 0x80);             // DLAB on: divisor latch
    out8(COM1 + REG_DATA, 0x01);            // 115200 baud
    out8(COM1 + REG_IER, 0x00);
    out8(COM1 + REG_LCR, 0x03);             // 8N1, DLAB off
    out8(COM1 + REG_FCR, fifo_enabled ? 0x01 : 0x00);
    out8(COM1 + REG_MCR, 0x03);             // DTR, RTS
    // An absent UART reads back 0xFF from every register.
    g_serial_present = in8(COM1 + REG_LSR) != 0xFF;
}

void early_serial_write(char const* data, usize length)
{
    if (!g_serial_present)
        return;
    for (usize i = 0; i < length; ++i) {
        if (data[i] == '\n') {
            char cr = '\r';
            early_serial_write(&cr, 1);
        }
        u32 spins = 0;
        while (!(in8(COM1 + REG_LSR) & LSR_THR_EMPTY) && spins++ < TX_SPIN_LIMIT)
            pause();
        out8(COM1 + REG_DATA, u8(data[i]));
    }
}

int early_serial_try_read()
{
    if (!g_serial_present)
        return -1;
    if (in8(COM1 + REG_LSR) & LSR_DATA_READY)
        return in8(COM1 + REG_DATA);
    return -1;
}

}
