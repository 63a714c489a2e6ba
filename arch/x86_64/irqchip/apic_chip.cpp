// The APIC interrupt-controller mode: IOAPIC pins (GSIs) routed to the boot CPU's LAPIC.
//
// Routing: GSI g -> vector FIRST_IRQ_VECTOR + g, fixed delivery, physical destination = this
// CPU's APIC id. ISA IRQs reach their GSI through the MADT's interrupt source overrides (on
// QEMU the PIT's IRQ 0 is GSI 2, and the SCI (9) plus the PCI-routed 5/10/11 are level,
// active-high). Pins without an override use the bus defaults: ISA (0-15) edge/high, PCI
// (16-23) level/low.
//
// EOI goes to the LAPIC only; for level-triggered vectors the LAPIC broadcasts it to the
// IOAPIC, which clears Remote IRR (ioapic.cpp). The 8259 pair is masked entirely in this mode
// (select.cpp) and LINT0 is closed (lapic.cpp), so nothing arrives twice.
#include "apic_chip.h"
#include "lapic.h"
#include <arch/interrupts.h>
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace arch {

ErrorOr<void> ApicChip::init(acpi::MadtInfo const& madt)
{
    if (madt.ioapic_count == 0)
        return Error::from_errno(ENODEV);
    TRY(lapic::init(madt));
    m_madt = &madt;
    for (usize i = 0; i < madt.ioapic_count && m_ioapic_count < MAX_IOAPICS; ++i) {
        auto const& desc = madt.ioapics[i];
        TRY(m_ioapics[m_ioapic_count].init(desc.id, desc.address, desc.gsi_base));
        ++m_ioapic_count;
    }
    // Lines are the GSIs from 0 that some IOAPIC serves, up to what the IRQ core can index.
    m_lines = 0;
    u32 pin;
    while (m_lines < irq::MAX_IRQ_LINES && ioapic_for(m_lines, pin))
        ++m_lines;
    if (m_lines == 0)
        return Error::from_errno(ENODEV);

    u64 destination = u64(lapic::id()) << ioredtbl::DESTINATION_SHIFT;
    for (irq::IrqLine line = 0; line < m_lines; ++line) {
        acpi::GsiRoute route = acpi::gsi_default_config(madt, line);
        u64 entry = destination | ioredtbl::MASKED | ioredtbl::DELIVERY_FIXED | ioredtbl::DEST_PHYSICAL
            | (irq::FIRST_IRQ_VECTOR + line);
        if (route.trigger == irq::Trigger::Level)
            entry |= ioredtbl::LEVEL_TRIGGERED;
        if (route.polarity == irq::Polarity::ActiveLow)
            entry |= ioredtbl::ACTIVE_LOW;
        ioapic_for(line, pin)->write_entry(pin, entry);
    }
    return {};
}

IoApic* ApicChip::ioapic_for(irq::IrqLine line, u32& pin) const
{
    for (usize i = 0; i < m_ioapic_count; ++i) {
        if (m_ioapics[i].handles(line)) {
            pin = line - m_ioapics[i].gsi_base();
            return const_cast<IoApic*>(&m_ioapics[i]);
        }
    }
    return nullptr;
}

void ApicChip::update(irq::IrqLine line, u64 clear, u64 set)
{
    u32 pin;
    IoApic* ioapic = line < m_lines ? ioapic_for(line, pin) : nullptr;
    if (!ioapic)
        return;
    InterruptsDisabled guard;
    ioapic->write_entry(pin, (ioapic->read_entry(pin) & ~clear) | set);
}

void ApicChip::mask(irq::IrqLine line) { update(line, 0, ioredtbl::MASKED); }
void ApicChip::unmask(irq::IrqLine line) { update(line, ioredtbl::MASKED, 0); }

bool ApicChip::is_masked(irq::IrqLine line) const { return line >= m_lines || (entry(line) & ioredtbl::MASKED); }

u64 ApicChip::entry(irq::IrqLine line) const
{
    u32 pin;
    IoApic* ioapic = line < m_lines ? ioapic_for(line, pin) : nullptr;
    return ioapic ? ioapic->read_entry(pin) : ioredtbl::MASKED;
}

void ApicChip::eoi(irq::IrqLine) { lapic::eoi(); }

void ApicChip::configure(irq::IrqLine line, irq::Trigger trigger, irq::Polarity polarity)
{
    u64 set = (trigger == irq::Trigger::Level ? ioredtbl::LEVEL_TRIGGERED : 0)
        | (polarity == irq::Polarity::ActiveLow ? ioredtbl::ACTIVE_LOW : 0);
    update(line, ioredtbl::LEVEL_TRIGGERED | ioredtbl::ACTIVE_LOW, set);
}

irq::IrqLine ApicChip::isa_irq_to_line(u8 isa_irq) const { return acpi::isa_irq_route(*m_madt, isa_irq).gsi; }

void ApicChip::raise_for_test(irq::IrqLine line)
{
    VERIFY(line < m_lines);
    lapic::send_self_ipi(u8(irq::FIRST_IRQ_VECTOR + line));
}

void ApicChip::inject_spurious_for_test()
{
    asm volatile("int %0" ::"i"(SPURIOUS_VECTOR) : "memory");
}

}
