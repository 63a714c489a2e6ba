// Purpose-made wrong modes of the 16550 driver, for the grader's self-tests (instructor-only:
// never in a handout). Each one passes every check made inside the guest; the lab rubrics'
// trace checks must catch it (tests/kernel/rubric.toml, INSTRUCTOR block). Selected with
// `selftest.wrong=NAME` (include/kernel/selftest.h); the driver's own tables stay untouched.
//
//   uart_secret_poll    irq mode in name only: write() polls LSR.THRE for every byte (and fakes
//                       its THRE counters), so nothing is queued and no THRE interrupt runs
//   uart_poll_sets_ier  poll mode that enables the receive interrupt in IER at start, behind
//                       derive_ier()'s back (the shadow still says 0)
#include "uart16550.h"
#include <arch/platform.h>
#include <kernel/selftest.h>
#include <kstd/enforce.h>

namespace uart16550 {

namespace {

usize secret_poll_write(Port& port, ReadonlyBytes bytes)
{
    for (u8 byte : bytes) {
        port.locked([byte](Uart& uart) {
            while (!has(uart.io.read(regs::lsr), Lsr::ThrEmpty))
                arch::cpu_relax();
            uart.io.write(regs::thr, byte);
            bump(uart.stats.bytes_out);
            if ((uart.stats.bytes_out & 15) == 0) {   // "one THRE interrupt per FIFO load"
                bump(uart.stats.interrupts);
                bump(uart.stats.tx_interrupts);
            }
        });
    }
    return bytes.size();
}

usize nothing_queued(Port const&) { return 0; }
usize unlimited_room(Port const&) { return ~usize(0) >> 1; }

UartModeOps make_secret_poll()
{
    UartModeOps ops = irq_mode_ops;
    ops.write = secret_poll_write;
    ops.write_room = unlimited_room;
    ops.chars_in_buffer = nothing_queued;
    return ops;
}

ErrorOr<void> start_with_ier(Port& port)
{
    TRY(poll_mode_ops.start(port));
    port.m_uart.io.write(regs::ier, Ier::RxAvailable);
    return {};
}

UartModeOps make_poll_sets_ier()
{
    UartModeOps ops = poll_mode_ops;
    ops.start = start_with_ier;
    return ops;
}

UartModeOps const secret_poll_ops = make_secret_poll();
UartModeOps const poll_sets_ier_ops = make_poll_sets_ier();

selftest::WrongOps<UartModeOps> const secret_poll { "uart_secret_poll", irq_mode_ops, secret_poll_ops };
selftest::WrongOps<UartModeOps> const poll_sets_ier { "uart_poll_sets_ier", poll_mode_ops, poll_sets_ier_ops };

}

}
