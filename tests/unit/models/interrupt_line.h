#pragma once
// Interrupt lines and the CPU that takes them (host unit tests).
//
// A device model drives an InterruptLine (its INTRQ pin); the test connects the line to the
// driver's top half, as request_irq would in the kernel. The host CPU delivers an interrupt
// the way the real one does: at once when interrupts are enabled (even in the middle of the
// port write that raised it), later when they are disabled (a Spinlock is held, a top half is
// running), and it runs pending tasklets on the way out of the interrupt. The kernel's
// interrupt-flag functions (arch::save_and_disable_interrupts, ...), Spinlock and Tasklet are
// defined on the host in terms of this CPU (host_cpu.cpp), so driver code keeps its locking.
//
//     models::InterruptLine intrq { "ide0", models::Trigger::Edge };
//     intrq.connect([&] { ata::channel_interrupt(channel); });
//     ... the model calls intrq.set_level(true) when it asserts INTRQ ...
//     REQUIRE(intrq.rising_edges() == 8);   // one interrupt per sector
//
// Edge-triggered (ISA IRQ 14/15): a rising edge requests one delivery. Level-triggered (PCI):
// the line is delivered again after the handler for as long as it stays high; a line still
// high after MAX_REDELIVERIES consecutive deliveries is a storm: it is masked and flagged, as
// the kernel's "nobody cared" detector would.
#include <kstd/types.h>
#include <functional>
#include <stdexcept>
#include <string>

namespace irq { class Tasklet; }

namespace models {

// Thrown where the kernel would panic because code slept in a top half, a tasklet, or with
// interrupts off (sched::might_sleep on the host, host_kernel.cpp). The message is the kernel's
// ("sleeping in interrupt context: Semaphore::down called from a tasklet"), so a test can catch
// it and say which half slept.
struct AtomicSleep : std::logic_error {
    using std::logic_error::logic_error;
};

enum class Trigger : u8 { Edge, Level };

class InterruptLine {
public:
    static constexpr u32 MAX_REDELIVERIES = 100;

    explicit InterruptLine(std::string name, Trigger trigger = Trigger::Edge);
    ~InterruptLine();
    InterruptLine(InterruptLine const&) = delete;
    InterruptLine& operator=(InterruptLine const&) = delete;

    // The handler the CPU runs for this line (the driver's top half).
    void connect(std::function<void()> handler) { m_handler = std::move(handler); }
    void disconnect() { m_handler = nullptr; }
    // Routes the line into an interrupt controller model instead of straight to the CPU (an
    // 8259's IR input, pic8259.h): every level change goes to `input`, which decides what the
    // CPU sees. Edges are still counted here.
    void route_to(std::function<void(bool high)> input) { m_route = std::move(input); }
    // The interrupt controller's mask: a masked line is not delivered (edges are remembered).
    void set_masked(bool masked);

    // The device's side.
    void set_level(bool high);
    void raise() { set_level(true); }
    void lower() { set_level(false); }

    bool is_high() const { return m_high; }
    std::string const& name() const { return m_name; }
    Trigger trigger() const { return m_trigger; }
    u64 rising_edges() const { return m_rising_edges; }
    u64 deliveries() const { return m_deliveries; }
    bool storm() const { return m_storm; }
    void reset_counts() { m_rising_edges = m_deliveries = 0; m_storm = false; }

private:
    friend class Cpu;
    bool wants_delivery() const;

    std::string m_name;
    Trigger m_trigger;
    std::function<void()> m_handler;
    std::function<void(bool)> m_route;
    bool m_high { false };
    bool m_masked { false };
    bool m_edge_pending { false };
    bool m_storm { false };
    u64 m_rising_edges { 0 };
    u64 m_deliveries { 0 };
};

// The one simulated CPU: its interrupt flag, whether it is inside a top half or a tasklet, the
// lines waiting for delivery and the tasklets waiting to run.
class Cpu {
public:
    bool interrupts_enabled() const { return m_interrupts_enabled; }
    bool save_and_disable();
    void restore(bool were_enabled);
    bool in_interrupt() const { return m_in_interrupt; }
    bool in_tasklet() const { return m_in_tasklet; }

    // A line has something to deliver: deliver now if the CPU can take it.
    void request(InterruptLine& line);
    void forget(InterruptLine& line);
    // Takes every deliverable interrupt, then runs tasklets (the interrupt exit path).
    void deliver_pending();

    void schedule_tasklet(irq::Tasklet& tasklet);
    void cancel_tasklet(irq::Tasklet& tasklet);
    bool tasklets_pending() const;
    void run_tasklets();
    // Bracket one tasklet function (irq::run_pending_tasklets on the host).
    void set_in_tasklet(bool inside) { m_in_tasklet = inside; }

    u64 interrupts_taken() const { return m_interrupts_taken; }
    // Interrupts on, nothing pending (between tests).
    void reset();

private:
    void deliver(InterruptLine& line);

    bool m_interrupts_enabled { true };
    bool m_in_interrupt { false };
    bool m_in_tasklet { false };
    bool m_delivering { false };
    u64 m_interrupts_taken { 0 };
};

Cpu& cpu();

}
