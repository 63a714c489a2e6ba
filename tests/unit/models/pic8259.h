#pragma once
// A register-level model of the PC's two Intel 8259A programmable interrupt controllers (host
// unit tests): the master at 0x20/0x21, the slave at 0xA0/0xA1 cascaded on the master's IR2,
// and the south bridge's ELCR (0x4D0/0x4D1: which ISA lines are level-triggered). Facts from
// the 8259A datasheet (Intel order no. 231468): "Interrupt Sequence", "Initialization Command
// Words" (Figure 6), "Operation Command Words" (Figure 8), "The Fully Nested Mode", "End of
// Interrupt", "Cascade Mode".
//
// What it models, per chip: IRR, ISR and IMR; the ICW1-ICW4 initialisation sequence; OCW2's
// non-specific and specific EOI; OCW3's choice of IRR or ISR on the next command-port read;
// fully nested priority (IR0 highest; a level in service holds back itself and every lower
// level); edge-triggered inputs latched in IRR on a rising edge, level-triggered ones (ELCR)
// following their input. The slave's INT output drives the master's IR2, and an INTA cycle for
// IR2 asks the slave for the vector. A request that vanished before INTA gets the spurious IR7
// vector with no ISR bit set, as the datasheet says.
//
// Wiring: device lines (a models::InterruptLine each, e.g. the 16550's) are routed to an IR
// input with `wire(line, irq)`; the pair's INTR output is an InterruptLine the simulated CPU
// takes, and `on_interrupt(handler)` is what the CPU runs: it does the INTA cycle and calls the
// handler with the vector (a test passes the vector's line to the kernel's irq::dispatch()).
//
// Recorded as violations: an EOI to the master for the cascade while the slave still has a
// line in service (the slave's EOI must come first).
#include "interrupt_line.h"
#include "port_bus.h"
#include <kstd/types.h>
#include <functional>
#include <string>
#include <vector>

namespace models {

class Pic8259Chip {
public:
    explicit Pic8259Chip(char const* name) : m_name(name) {}

    // Register interface (A0 = 0: command port, A0 = 1: data port).
    u8 read(bool data_port);
    void write(bool data_port, u8 value);

    // An IR input changed level; `level_triggered` comes from the ELCR.
    void set_input(unsigned pin, bool high, bool level_triggered);
    // The highest-priority request that may interrupt now, or -1 (fully nested mode).
    int pending() const;
    // INTA: moves the request to ISR and returns its level; -1 when it vanished (spurious).
    // Level-triggered pins (ELCR bits) keep their IRR bit: it follows the input.
    int acknowledge(u8 level_triggered);

    u8 irr() const { return m_irr; }
    u8 isr() const { return m_isr; }
    u8 imr() const { return m_imr; }
    u8 vector_base() const { return m_vector_base; }
    bool initialised() const { return m_initialised; }
    u64 eois() const { return m_eois; }
    u64 eois_not_in_service() const { return m_eois_not_in_service; }
    // The level the last EOI cleared (-1: none yet, or not in service).
    int last_eoi_level() const { return m_last_eoi_level; }

private:
    void command(u8 value);
    void eoi(int level);

    char const* m_name;
    u8 m_irr { 0 }, m_isr { 0 }, m_imr { 0xFF }, m_inputs { 0 };
    u8 m_vector_base { 0 };
    unsigned m_init_step { 0 };      // 0: operational; 2, 3, 4: the next ICW expected
    bool m_icw4 { false }, m_single { false };
    bool m_read_isr { false };
    bool m_initialised { false };
    u64 m_eois { 0 }, m_eois_not_in_service { 0 };
    int m_last_eoi_level { -1 };
};

class Pic8259Pair final : public PortDevice {
public:
    static constexpr unsigned CASCADE = 2;

    Pic8259Pair();
    ~Pic8259Pair() override;
    Pic8259Pair(Pic8259Pair const&) = delete;
    Pic8259Pair& operator=(Pic8259Pair const&) = delete;

    // Claims 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1 on the port bus.
    void attach();
    // Routes a device's interrupt line to IR `irq` (0-15).
    void wire(InterruptLine& line, unsigned irq);
    // What the CPU does when it takes INTR: INTA, then `handler(vector)`.
    void on_interrupt(std::function<void(u8 vector)> handler);
    // Drives IR `irq` directly (a device without a modelled line, such as the PIT).
    void set_irq(unsigned irq, bool high);
    void pulse_irq(unsigned irq) { set_irq(irq, true); set_irq(irq, false); }

    Pic8259Chip master { "master" };
    Pic8259Chip slave { "slave" };
    u16 elcr { 0 };                    // bit n set: ISA IRQ n is level-triggered
    InterruptLine intr { "8259 INTR", Trigger::Level };
    std::vector<std::string> violations;
    u64 delivered[16] {};              // INTA cycles that returned each line's vector
    u64 spurious { 0 };                // INTA cycles with no request left (IR7/IR15 vectors)

    // ISR/IRR of both chips, master in the low byte (as the kernel's Pic8259 reads them).
    u16 in_service() const { return u16(master.isr() | slave.isr() << 8); }
    u16 requested() const { return u16(master.irr() | slave.irr() << 8); }
    bool line_in_service(unsigned irq) const { return in_service() & (1u << irq); }
    std::string violations_text() const;

    u32 port_read(u16 port, u8 width) override;
    void port_write(u16 port, u8 width, u32 value) override;

private:
    void update();
    u8 inta();

    std::function<void(u8)> m_handler;
    bool m_attached { false };
};

}
