// t_uio loopback N: a user-mode driver for a 16550 (COM2 through /dev/uio0) in loopback mode.
// Each byte written to THR comes straight back to RBR and raises a receive interrupt, which
// reaches this program as a completed read() on the uio file. The program reads IIR and RBR
// itself (ports granted by ioperm) and unmasks the line with write(). It prints the average
// round trip: THR write -> interrupt -> kernel -> read() returns -> handled -> unmasked.
#include "../check.h"
#include "t_uio.h"
#include <conduit/port_io.h>
#include <conduit/uart16550.h>
#include <kstd/enforce.h>

namespace {

using namespace uart;

constexpr u8 IIR_RECEIVE_BIT = 0x04;   // set for "data available" (0x04) and "character timeout" (0x0C)

// The top half of a 16550 driver, in ring 3: service every pending cause (IIR) until the UART
// has none left, keeping the received bytes. Returns how many bytes it read.
usize service(u16 base, u8* received, usize room)
{
    usize count = 0;
    for (u8 iir = port_in8(base + IIR); !(iir & IIR_NO_INTERRUPT); iir = port_in8(base + IIR)) {
        u8 cause = iir & IIR_CAUSE_MASK;
        if (cause == IIR_LINE_STATUS) {
            (void)port_in8(base + LSR);   // reading LSR clears it
        } else if (cause == IIR_MODEM_STATUS) {
            (void)port_in8(base + MSR);
        } else if (cause & IIR_RECEIVE_BIT) {
            // Data available or character timeout: either way, empty the FIFO (reading RBR
            // is what clears both).
            while ((port_in8(base + LSR) & LSR_DATA_READY) && count < room)
                received[count++] = port_in8(base + RBR);
        }
        // THR empty (0x02) needs no action: reading IIR was its acknowledgement.
    }
    return count;
}

void init_loopback(u16 base)
{
    port_out8(base + IER, 0);
    port_out8(base + LCR, LCR_DLAB);
    port_out8(base + DLL, 1);   // 115200 baud
    port_out8(base + DLM, 0);
    port_out8(base + LCR, LCR_8N1);
    port_out8(base + FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX);
    port_out8(base + MCR, MCR_DTR | MCR_RTS | MCR_OUT2 | MCR_LOOP);
    while (port_in8(base + LSR) & LSR_DATA_READY)
        (void)port_in8(base + RBR);
    port_out8(base + IER, IER_RX_AVAILABLE);
}

}

int loopback(u64 count)
{
    uapi::UioInfo info;
    int fd = open_uio(info);
    CHECK(fd >= 0);
    auto const* ports = fd >= 0 ? find_region(info, uapi::UioRegionKind::Ports, uapi::CacheType::Uncached) : nullptr;
    CHECK(ports && ports->length == 8 && info.irq != uapi::UIO_NO_IRQ);
    if (!ports)
        return check::report("t_uio loopback");
    u16 base = u16(ports->start);
    printf("device %s: ports %#x-%#x, irq %u\n", info.device, base, base + 7, info.irq);
    CHECK(ioperm(base, 8, 1) == 0);
    init_loopback(base);
    u32 last = 0, one = 1;
    // The device is ready: let its interrupts in (they may have been masked by one that was
    // pending when the file was opened).
    CHECK(write(fd, &one, sizeof(one)) == sizeof(one));
    u64 handled = 0, wakeups = 0, start = clock_ns();
    for (u64 i = 0; i < count && !check::g_failures; ++i) {
        u8 byte = u8('A' + i % 26);
        port_out8(base + THR, byte);
        u8 received[16];
        usize got = 0;
        while (got == 0 && !check::g_failures) {   // an interrupt from before may come first
            u32 interrupts = 0;
            CHECK(read(fd, &interrupts, sizeof(interrupts)) == sizeof(interrupts) && interrupts > last);
            last = interrupts;
            ++wakeups;
            got = service(base, received, sizeof(received));
            CHECK(write(fd, &one, sizeof(one)) == sizeof(one));
        }
        CHECK(got == 1 && received[0] == byte);
        handled += got;
    }
    u64 elapsed = clock_ns() - start;
    port_out8(base + IER, 0);
    printf("%lu bytes received through %lu interrupts handled in ring 3, %lu ns per round trip\n", handled, wakeups,
           handled ? elapsed / handled : 0);
    CHECK(ioperm(base, 8, 0) == 0);
    return check::report("t_uio loopback");
}
