#pragma once
// The LAPIC + IOAPIC(s) as an IrqChip (apic_chip.cpp). Lines are GSIs 0 .. line_count()-1.
#include "ioapic.h"
#include <kernel/acpi/madt.h>
#include <kernel/irq/irqchip.h>

namespace arch {

class ApicChip final : public irq::IrqChip {
public:
    // Brings up the LAPIC and every IOAPIC of the MADT; programs each GSI below
    // irq::MAX_IRQ_LINES with vector FIRST_IRQ_VECTOR + GSI, fixed delivery to this CPU,
    // trigger/polarity from the MADT overrides or the ISA/PCI defaults, masked.
    // ENODEV: no IOAPIC in the MADT or no LAPIC. Context: boot, interrupts disabled.
    [[nodiscard]] ErrorOr<void> init(acpi::MadtInfo const& madt);

    char const* name() const override { return "IOAPIC"; }
    u32 line_count() const override { return m_lines; }
    void mask(irq::IrqLine line) override;
    void unmask(irq::IrqLine line) override;
    bool is_masked(irq::IrqLine line) const override;
    void eoi(irq::IrqLine line) override;
    bool is_spurious(irq::IrqLine) override { return false; }   // the LAPIC has its own vector
    void acknowledge_spurious(irq::IrqLine) override {}
    void configure(irq::IrqLine line, irq::Trigger trigger, irq::Polarity polarity) override;
    irq::IrqLine isa_irq_to_line(u8 isa_irq) const override;
    void raise_for_test(irq::IrqLine line) override;
    void inject_spurious_for_test() override;

    // The raw redirection entry of a line (tests, monitor).
    u64 entry(irq::IrqLine line) const;

private:
    static constexpr usize MAX_IOAPICS = 4;
    IoApic* ioapic_for(irq::IrqLine line, u32& pin) const;
    void update(irq::IrqLine line, u64 clear, u64 set);

    IoApic m_ioapics[MAX_IOAPICS];
    usize m_ioapic_count { 0 };
    u32 m_lines { 0 };
    acpi::MadtInfo const* m_madt { nullptr };
};

}
