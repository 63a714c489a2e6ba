// The 16550 checks of labs 1 and 2 (uart_checks.h). Each message starts with the name of the
// mistake it catches, then says what the model saw and what the driver must do instead.
#include "uart_checks.h"
#include <sstream>

namespace labtest {

using namespace uart16550;
using models::clock;
namespace ur = models::uart_regs;

namespace {

constexpr u64 US = 1000, MS = 1000 * US;

// The rig with the UART programmed by the rig itself (115200 8N1, FIFOs on, trigger 14), for the
// polled checks: they test poll_putc/poll_getc, not hw_init.
void program_polled(UartRig& rig)
{
    io::PortWindow const& io = rig.uart.io;
    io.write(regs::lcr, Lcr::Dlab);
    io.write(regs::dll, 1);
    io.write(regs::dlm, 0);
    io.write(regs::lcr, Lcr::Word8);
    io.write(regs::fcr, Fcr::Enable | Fcr::Trigger14);
    io.write(regs::mcr, Mcr::Dtr | Mcr::Rts | Mcr::Out2);
    rig.uart.fifo_enabled = true;
    rig.uart.fifo_depth = FIFO_DEPTH;
}

void init_or_fail(UartRig& rig)
{
    auto initialised = rig.init();
    if (initialised.is_error())
        FAIL("init_hardware() failed with " << initialised.error().name()
             << ": lab 1's hw_init() must work before the interrupt-driven driver can be tested");
}

std::string first_difference(std::vector<u8> const& got, std::vector<u8> const& want)
{
    std::ostringstream out;
    usize i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i])
        ++i;
    out << got.size() << " of " << want.size() << " bytes";
    if (i < got.size() && i < want.size())
        out << ", byte " << i << " is " << hex8(got[i]) << " where " << hex8(want[i]) << " was sent";
    return out.str();
}

bool saw(UartRig const& rig, char const* text) { return rig.chip.has_violation(text); }

}

// --- lab 1 -------------------------------------------------------------------------------------

void check_init_registers(UartDriver const& driver)
{
    UartRig rig(driver);
    auto result = rig.locked([&](Uart& u) { return driver.hw_init(u, 9600); });
    if (result.is_error())
        FAIL("hw_init(9600) failed with " << result.error().name() << "; 9600 divides 115200 (divisor 12)");
    if (rig.chip.divisor() != 12)
        FAIL("after hw_init(9600) the divisor latch holds " << rig.chip.divisor()
             << ", expected 12 (115200 / 9600): set LCR.DLAB, write DLL and DLM, clear DLAB");
    if (rig.chip.lcr() != 0x03)
        FAIL("LCR is " << hex8(rig.chip.lcr()) << " after hw_init: 8 data bits, no parity, 1 stop bit and DLAB "
             "cleared again is 0x03");
    if (!rig.chip.fifo_enabled())
        FAIL("the FIFOs are off after hw_init: set FCR's enable bit (and a receive trigger level)");
    if (rig.chip.ier() != 0)
        FAIL("IER is " << hex8(rig.chip.ier()) << " after hw_init: polled I/O takes no interrupts (IER 0; an IER "
             "write while DLAB was set would have gone into DLM instead)");
    if ((rig.chip.mcr() & 0x0B) != 0x0B)
        FAIL("MCR is " << hex8(rig.chip.mcr()) << " after hw_init: set DTR, RTS and OUT2 (0x0b); on a PC, OUT2 "
             "connects the UART's interrupt output to the ISA bus");
    for (u32 bad : { 0u, 7u, 230400u }) {
        auto refused = rig.locked([&](Uart& u) { return driver.hw_init(u, bad); });
        if (!refused.is_error() || refused.error().code() != EINVAL)
            FAIL("hw_init(" << bad << ") must fail with EINVAL (the rate does not divide 115200)");
        if (rig.chip.divisor() != 12 || rig.chip.lcr() != 0x03)
            FAIL("hw_init(" << bad << ") refused the rate but changed the registers (divisor " << rig.chip.divisor()
                 << ", LCR " << hex8(rig.chip.lcr()) << "): check the rate before touching the UART");
    }
}

void check_init_keeps_received_bytes(UartDriver const& driver)
{
    UartRig rig(driver);
    rig.uart.io.write(regs::fcr, Fcr::Enable);   // FIFOs already on: a reinit, or the driver reloaded
    rig.chip.receive(std::vector<u8> { 'a', 'b', 'c' });
    auto result = rig.locked([&](Uart& u) { return driver.hw_init(u, 115200); });
    if (result.is_error())
        FAIL("hw_init(115200) failed with " << result.error().name());
    if (rig.chip.counters.bytes_dropped_by_fcr > 0)
        FAIL("init cleared the bytes already received: hw_init() threw away " << rig.chip.counters.bytes_dropped_by_fcr
             << " byte(s) waiting in the receive FIFO (" << rig.violations() << "). Write FCR with the enable bit "
             "and a trigger level only: its clear bits (0x02 receive, 0x04 transmit) empty the FIFOs");
    if (rig.chip.rx_count() != 3)
        FAIL("3 bytes were waiting before hw_init, " << rig.chip.rx_count() << " after it");
}

void check_putc_waits_for_thre(UartDriver const& driver)
{
    UartRig rig(driver);
    program_polled(rig);
    auto const data = pattern(40, 11);
    for (usize i = 0; i < data.size(); ++i) {
        auto sent = driver.poll_putc(rig.uart, data[i]);
        if (sent.is_error())
            FAIL("poll_putc(byte " << i << ") failed with " << sent.error().name());
    }
    rig.drain();
    if (saw(rig, "THR written while the transmit FIFO was full"))
        FAIL("THR written without waiting for THRE: poll_putc() wrote into a full transmit FIFO at 115200 baud, "
             "and bytes were lost (" << rig.violations() << "). Read LSR and wait until THRE is set before each "
             "write to THR");
    if (rig.chip.transmitted() != data)
        FAIL("40 bytes written with poll_putc, the line carried " << first_difference(rig.chip.transmitted(), data));
}

void check_getc_waits_for_dr(UartDriver const& driver)
{
    UartRig rig(driver);
    program_polled(rig);
    auto nothing = driver.poll_getc(rig.uart, clock().now() + MS);
    bool const read_blind = saw(rig, "RBR read while LSR.DR was clear");
    if (!nothing.is_error())
        FAIL("RBR read without DR: with no byte received, poll_getc() returned " << hex8(nothing.value())
             << " instead of ETIMEDOUT" << (read_blind ? " (it read RBR while LSR.DR was clear)" : "")
             << ": look at LSR.DR first and read RBR only when it is set");
    if (nothing.error().code() != ETIMEDOUT)
        FAIL("with no byte received, poll_getc() failed with " << nothing.error().name() << ", expected ETIMEDOUT");
    if (read_blind)
        FAIL("RBR read without DR: poll_getc() read RBR while LSR.DR was clear (" << rig.violations() << ")");
    std::vector<u8> const hello { 'h', 'e', 'l', 'l', 'o' };
    rig.chip.receive_paced(hello);
    std::vector<u8> got;
    for (usize i = 0; i < hello.size(); ++i) {
        auto byte = driver.poll_getc(rig.uart, clock().now() + 10 * MS);
        if (byte.is_error())
            FAIL("\"hello\" arrives at 115200 baud; poll_getc() for byte " << i << " failed with " << byte.error().name());
        got.push_back(byte.value());
    }
    if (got != hello)
        FAIL("\"hello\" was received, poll_getc() returned " << first_difference(got, hello));
    if (saw(rig, "RBR read while LSR.DR was clear"))
        FAIL("RBR read without DR: " << rig.violations());
}

// --- lab 2 -------------------------------------------------------------------------------------

void check_top_half_serves_every_cause(UartDriver const& driver)
{
    UartRig rig(driver);
    init_or_fail(rig);
    rig.open_irq();
    auto const rx = pattern(14, 3), tx = pattern(20, 4);
    bool const were = models::cpu().save_and_disable();
    rig.chip.receive(rx);   // received data at the trigger level (14)
    rig.queue(tx);          // THRE, once queue_tx() enables it
    models::cpu().restore(were);   // one rising edge of IRQ 4 for both causes: the CPU takes it now
    if (rig.top_half.calls == 0)
        FAIL("two causes were pending (received data and THRE) but IRQ 4 never rose: IER is "
             << hex8(rig.chip.ier()) << " (is the receive interrupt on while the port is open?)");
    if (rig.top_half.stuck)
        FAIL("missing IIR loop: the top half returned while the UART still had " << cause_name(rig.top_half.stuck_cause)
             << " pending (IIR cause " << hex8(rig.top_half.stuck_cause) << "). Two causes were pending at once "
             "(received data and THRE); IRQ 4 is edge-triggered and stayed high, so no new interrupt will come and "
             "the UART is never served again. Read IIR again after each cause, until bit 0 says none is pending");
    if (!rig.drain())
        FAIL("after the first interrupt, the transmission stalled: " << rig.chip.transmitted().size()
             << " of 20 bytes sent, " << rig.top_half.calls << " interrupts, IER " << hex8(rig.chip.ier()));
    rig.run_for(2 * MS);
    auto const got = rig.take_received();
    if (got != rx)
        FAIL("14 bytes received, the flip buffer got " << first_difference(got, rx));
    if (rig.chip.transmitted() != tx)
        FAIL("20 bytes queued, the line carried " << first_difference(rig.chip.transmitted(), tx));
}

void check_thre_enabled_while_queued(UartDriver const& driver)
{
    UartRig rig(driver);
    init_or_fail(rig);
    rig.open_irq();
    auto const data = pattern(40, 5);
    usize const queued = rig.queue(data);
    if (queued != data.size())
        FAIL("queue_tx() took " << queued << " of 40 bytes into an empty 4 KiB queue");
    if (!(rig.chip.ier() & ur::IER_THRE) && rig.chip.transmitted().empty() && rig.chip.tx_count() == 0)
        FAIL("THRE never enabled: queue_tx() put 40 bytes in the TX queue, but IER is " << hex8(rig.chip.ier())
             << " (bit 1, THRE, clear), so no THRE interrupt comes and nothing is sent. queue_tx() must call "
             "update_ier(), and derive_ier() must ask for THRE while the queue holds bytes");
    if (!rig.drain())
        FAIL("transmission stalled: " << rig.chip.transmitted().size() << " of 40 bytes went out, "
             << rig.top_half.calls << " interrupts taken, IER " << hex8(rig.chip.ier())
             << ". Each THRE interrupt must move up to 16 bytes from the queue into THR (tx_refill)");
    if (rig.chip.transmitted() != data)
        FAIL("40 bytes queued, the line carried " << first_difference(rig.chip.transmitted(), data));
}

void check_thre_disabled_when_empty(UartDriver const& driver)
{
    UartRig rig(driver);
    init_or_fail(rig);
    rig.open_irq();
    if (!rig.send(pattern(40, 5)))
        FAIL("the first 40 bytes did not all go out (" << rig.chip.transmitted().size() << "): see uart_thre_enabled");
    if (rig.chip.ier() & ur::IER_THRE)
        FAIL("THRE left enabled: the TX queue is empty and every byte has gone out, but IER is "
             << hex8(rig.chip.ier()) << ". With nothing to send THRE must be off (derive_ier() looks at the queue; "
             "tx_refill() calls update_ier() after each refill): left on, the next write finds it already enabled, "
             "no new THRE interrupt comes, and the transmission stalls");
    u64 const before = rig.top_half.empty_thre;
    for (int i = 0; i < 10; ++i) {
        rig.console_line("a kernel log line\r\n");
        rig.run_for(2 * MS);
    }
    u64 const empty = rig.top_half.empty_thre - before;
    if (empty > 0)
        FAIL("THRE enabled with an empty queue: " << empty << " THRE interrupts came with nothing to send while "
             "10 kernel log lines were written (each turns IER off and on again). derive_ier() must leave THRE out "
             "while the queue is empty");
    if (!rig.send(pattern(40, 6)))
        FAIL("a second write of 40 bytes stalled after " << rig.chip.transmitted().size() - 40 << " bytes (IER "
             << hex8(rig.chip.ier()) << "): THRE must be enabled again when bytes are queued");
}

void check_queue_tx_does_not_wait(UartDriver const& driver)
{
    UartRig rig(driver);
    init_or_fail(rig);
    rig.open_irq();
    auto const data = pattern(40, 7);
    rig.queue(data);
    QueueCall const call = rig.queue_calls.back();
    if (call.queued != data.size())
        FAIL("queue_tx() took " << call.queued << " of 40 bytes into an empty 4 KiB queue");
    if (call.ns > 50 * US || call.iir_reads + call.lsr_reads > 4)
        FAIL("queue_tx() waited for the transmitter (an IIR spinner): it spent " << call.ns / US << " us and read "
             "IIR " << call.iir_reads << " and LSR " << call.lsr_reads << " times before it returned. It runs with the "
             "port's lock held and interrupts off: put the bytes in the queue, let update_ier() enable THRE, and "
             "return; THRE interrupts send them");
    if (!rig.drain())
        FAIL("transmission stalled after queue_tx(): " << rig.chip.transmitted().size() << " of 40 bytes sent");
    if (rig.chip.transmitted() != data)
        FAIL("40 bytes queued, the line carried " << first_difference(rig.chip.transmitted(), data));
}

void check_receive_by_interrupt(UartDriver const& driver)
{
    UartRig rig(driver);
    init_or_fail(rig);
    rig.open_irq();
    auto const data = pattern(100, 8);
    rig.chip.receive_paced(data);
    rig.run_for(120 * rig.chip.character_ns());
    auto const got = rig.take_received();
    if (saw(rig, "RBR read while LSR.DR was clear"))
        FAIL("RBR read without DR: the top half read RBR with no byte waiting (" << rig.violations()
             << "). Take bytes only while LSR.DR is set");
    if (got != data)
        FAIL("100 bytes arrived at 115200 baud, the flip buffer got " << first_difference(got, data) << " after "
             << rig.top_half.calls << " interrupts (the last 2 come by the character timeout, IIR 0x0c)");
    if (rig.top_half.calls < 100 / 16)
        FAIL("100 bytes came in " << rig.top_half.calls << " interrupts: the receive FIFO holds 16");
}

void check_overrun_counted(UartDriver const& driver)
{
    UartRig rig(driver);
    init_or_fail(rig);
    rig.open_irq();
    rig.locked([](Uart& u) {
        u.rx_held = true;   // as set_rx_throttled(): receive interrupt off, line status on
        update_ier(u);
    });
    auto const data = pattern(24, 9);
    rig.chip.receive(data);   // 16 fit, 8 overrun
    rig.run_for(MS);
    rig.locked([](Uart& u) {
        u.rx_held = false;
        update_ier(u);
    });
    rig.run_for(2 * MS);
    auto const got = rig.take_received();
    if (rig.uart.stats.overruns == 0)
        FAIL("overrun not counted: 24 bytes arrived with the receiver held, the 16-byte FIFO overran (LSR.OE), "
             "and stats.overruns is 0. Reading LSR clears OE: pass every LSR value you read to "
             "note_line_status()");
    std::vector<u8> const first(data.begin(), data.begin() + 16);
    if (got != first)
        FAIL("after the overrun, the flip buffer got " << first_difference(got, first)
             << ": the 16 bytes in the FIFO must survive");
}

}
