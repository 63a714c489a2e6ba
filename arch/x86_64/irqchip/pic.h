#pragma once
// The 8259A PIC pair as an IrqChip (see pic.cpp for the datasheet references and the rules).
#include "pic_regs.h"
#include <kernel/io/window.h>
#include <kernel/irq/irqchip.h>

namespace arch {

// Not final: the grader's self-tests derive purpose-made wrong EOIs from it
// (arch/x86_64/irqchip/wrong_pic.instructor.cpp).
class Pic8259 : public irq::IrqChip {
public:
    constexpr Pic8259()
        : m_master(pic::MASTER_BASE, pic::CHIP_PORTS)
        , m_slave(pic::SLAVE_BASE, pic::CHIP_PORTS)
        , m_elcr(pic::ELCR_BASE, 2)
        , m_post(pic::POST_PORT, 1)
    {
    }

    // Remaps master and slave to vector_base .. vector_base + 15 (ICW2) with every line masked.
    // `open_cascade` unmasks IRQ 2 so that lines 8-15 can reach the CPU once unmasked; with it
    // false the pair is silent (APIC mode). Context: boot, interrupts disabled.
    void init(u8 vector_base, bool open_cascade);

    // Edge/Level Control Registers of the south bridge: bit n set = ISA IRQ n level-triggered.
    u16 elcr() const;

    char const* name() const override { return "8259 PIC"; }
    u32 line_count() const override { return 16; }
    void mask(irq::IrqLine line) override;
    void unmask(irq::IrqLine line) override;
    bool is_masked(irq::IrqLine line) const override;
    void eoi(irq::IrqLine line) override;
    bool is_spurious(irq::IrqLine line) override;
    void acknowledge_spurious(irq::IrqLine line) override;
    void configure(irq::IrqLine line, irq::Trigger trigger, irq::Polarity polarity) override;
    irq::IrqLine isa_irq_to_line(u8 isa_irq) const override { return isa_irq; }
    void raise_for_test(irq::IrqLine line) override;
    void inject_spurious_for_test() override;

    // In-service and request registers, master in the low byte (OCW3 reads).
    u16 in_service() const;
    u16 requested() const;

protected:
    // The two chips' command/data ports, and the ELCR (pic_regs.h).
    io::PortWindow m_master;
    io::PortWindow m_slave;

private:
    void write_masks();
    void io_wait() const;

    io::PortWindow m_elcr;
    io::PortWindow m_post;

    u16 m_masks { 0xffff };        // shadow of both IMRs; bit 2 is the cascade
    u16 volatile m_test_raised { 0 };   // lines raised by raise_for_test, not yet dispatched
    u8 m_vector_base { 0 };
};

}
