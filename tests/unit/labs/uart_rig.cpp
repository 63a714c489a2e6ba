// The 16550 rig for labs 1 and 2 on the host (uart_rig.h).
#include "uart_rig.h"
#include <cstdio>

namespace labtest {

using namespace uart16550;
using models::clock;
namespace ur = models::uart_regs;

UartDriver const tree_uart {
    .name = "this tree's driver",
    .hw_init = hw_init,
    .poll_putc = poll_putc,
    .poll_getc = poll_getc,
    .handle_interrupt = handle_interrupt,
    .queue_tx = queue_tx,
};

UartRig::UartRig(UartDriver const& d) : driver(d)
{
    chip.attach();
    chip.power_on_state();
    uart.io = io::PortWindow(COM1, regs::WINDOW_LENGTH);
    uart.rx = &flip;
}

UartRig::~UartRig() { irq4.disconnect(); }

ErrorOr<void> UartRig::init(u32 baud)
{
    return locked([baud](Uart& u) { return init_hardware(u, baud); });
}

void UartRig::open_irq()
{
    irq4.connect([this] { interrupt(); });
    locked([](Uart& u) {
        u.interrupts_wanted = true;
        u.rx_active = true;
        update_ier(u);
    });
}

// IRQ 4 taken: the driver's top half under the port's lock, as uart_interrupt() runs it. The
// line is edge-triggered and was high when the CPU took it: if it is still high on return and
// rose no more since, the UART kept its request up the whole time, and no edge will come again.
void UartRig::interrupt()
{
    ++top_half.calls;
    if (chip.pending_cause() == ur::IIR_THRE && uart.tx.is_empty())
        ++top_half.empty_thre;
    u64 const edges = irq4.rising_edges();
    bool claimed;
    {
        sched::SpinlockGuard guard(lock);
        claimed = driver.handle_interrupt(uart);
        (void)take_events(uart);
    }
    if (claimed)
        ++top_half.claimed;
    if (irq4.is_high() && irq4.rising_edges() == edges) {
        if (top_half.stuck++ == 0) {
            top_half.stuck_cause = chip.pending_cause();
            top_half.stuck_ier = chip.ier();
        }
    }
}

usize UartRig::queue(kstd::Span<u8 const> bytes)
{
    u64 const start = clock().now();
    u64 const iir = chip.counters.reads[ur::IIR], lsr = chip.counters.reads[ur::LSR];
    usize queued;
    {
        sched::SpinlockGuard guard(lock);
        queued = driver.queue_tx(uart, bytes);
        // (the time inside the lock is the call's: interrupts taken at unlock are not)
        queue_calls.push_back({ queued, clock().now() - start, chip.counters.reads[ur::IIR] - iir,
                                chip.counters.reads[ur::LSR] - lsr });
    }
    return queued;
}

bool UartRig::send(std::vector<u8> const& bytes, u64 stall_ns)
{
    usize done = 0;
    u64 last_progress = clock().now();
    while (done < bytes.size()) {
        usize const queued = queue({ bytes.data() + done, bytes.size() - done });
        done += queued;
        if (queued > 0) {
            last_progress = clock().now();
            continue;
        }
        if (clock().now() - last_progress > stall_ns)
            return false;
        // The writer sleeps: time runs to the next device event (a character shifted out).
        if (!clock().sleep_until_event(last_progress + stall_ns + 1))
            return false;
    }
    return drain(stall_ns);
}

bool UartRig::drain(u64 stall_ns)
{
    usize sent = chip.transmitted().size();
    u64 last_progress = clock().now();
    while (!(uart.tx.is_empty() && chip.transmitter_idle())) {
        if (!clock().sleep_until_event(last_progress + stall_ns))
            return false;
        if (chip.transmitted().size() != sent) {
            sent = chip.transmitted().size();
            last_progress = clock().now();
        } else if (clock().now() - last_progress > stall_ns) {
            return false;
        }
    }
    return true;
}

void UartRig::run_until(u64 until_ns)
{
    while (clock().now() < until_ns) {
        if (!clock().sleep_until_event(until_ns))
            break;
    }
}

void UartRig::run_for(u64 ns) { run_until(clock().now() + ns); }

std::vector<u8> UartRig::take_received()
{
    std::vector<u8> out;
    u8 byte;
    while (flip.take(byte))
        out.push_back(byte);
    locked([](Uart& u) {
        if (u.rx_throttled) {
            u.rx_throttled = false;
            update_ier(u);
        }
    });
    received.insert(received.end(), out.begin(), out.end());
    return out;
}

void UartRig::console_line(char const* text)
{
    locked([text](Uart& u) {
        u.console_writing = true;
        update_ier(u);
        for (char const* c = text; *c; ++c)
            (void)poll_putc(u, u8(*c));
        u.console_writing = false;
        update_ier(u);
    });
}

std::string UartRig::violations() const
{
    std::string out;
    for (auto const& v : chip.violations)
        out += (out.empty() ? "" : "; ") + v;
    return out.empty() ? "(none)" : out;
}

std::vector<u8> pattern(usize count, u32 seed)
{
    std::vector<u8> out(count);
    u32 x = seed ? seed : 0x2545F491;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = u8(x);
    }
    return out;
}

std::string hex8(u8 value)
{
    char text[8];
    std::snprintf(text, sizeof(text), "0x%02x", value);
    return text;
}

char const* cause_name(u8 iir)
{
    switch (iir & 0x0F) {
    case ur::IIR_RLS: return "line status";
    case ur::IIR_RDA: return "received data";
    case ur::IIR_TIMEOUT: return "character timeout";
    case ur::IIR_THRE: return "THRE";
    case ur::IIR_MS: return "modem status";
    default: return "none";
    }
}

}
