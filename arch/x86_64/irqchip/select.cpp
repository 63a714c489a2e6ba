// Chooses the interrupt controller (`irqchip=pic|apic`, docs/architecture.md, "Interrupts and deferred work"). The vector
// layout:
//
//   32 .. 32+lines-1   device lines (PIC: 16 lines, IOAPIC: 24 GSIs); interrupt_dispatch hands
//                      a vector without a handler of its own to irq::dispatch(vector - 32)
//   0xE0 .. 0xEF       the 8259 pair in APIC mode: masked, and LINT0 closed, so nothing should
//                      ever arrive; a stray one is logged instead of landing on a device vector
//   0xF0               LAPIC timer (arch/x86_64/time)    0xFE  LAPIC error
//   0xFF               LAPIC spurious (counted by interrupt_dispatch, no EOI)
//
// In PIC mode the LAPIC is left as the firmware set it (virtual-wire mode: the 8259's output
// enters through LINT0), which is how a PC without APIC support behaves.
#include "apic_chip.h"
#include "lapic.h"
#include "pic.h"
#include <arch/interrupts.h>
#include <kernel/acpi/acpi.h>
#include <kernel/irq/irq.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace irq {

namespace {

constexpr u8 PIC_VECTORS_IN_APIC_MODE = 0xE0;

arch::Pic8259 g_pic;
arch::ApicChip g_apic;
IrqChip* g_chip = nullptr;
ChipKind g_kind = ChipKind::Pic;

void stray_pic_interrupt(arch::InterruptFrame& frame)
{
    log_warn("irq: stray 8259 interrupt on vector %#lx in APIC mode (ignored)\n", frame.vector);
}

ErrorOr<void> init_apic_mode()
{
    if (auto result = acpi::init(); result.is_error())
        return Error::from_errno(ENODEV);
    acpi::MadtInfo const* madt = acpi::madt();
    if (!madt || madt->ioapic_count == 0)
        return Error::from_errno(ENODEV);
    // Remapped and fully masked: the 8259 must not deliver anything, and if it ever did, the
    // vector must be recognisable rather than a CPU exception or a device line.
    g_pic.init(PIC_VECTORS_IN_APIC_MODE, false);
    for (u8 v = 0; v < 16; ++v)
        arch::set_vector_handler(u8(PIC_VECTORS_IN_APIC_MODE + v), stray_pic_interrupt);
    TRY(g_apic.init(*madt));
    return {};
}

}

ErrorOr<void> init_irqchip(ChipKind kind)
{
    if (g_chip)
        return kind == g_kind ? ErrorOr<void> {} : Error::from_errno(EBUSY);
    InterruptsDisabled guard;
    if (kind == ChipKind::Apic) {
        TRY(init_apic_mode());
        g_chip = &g_apic;
    } else {
        // After a failed APIC attempt LINT0 is closed: the 8259 must get its path back.
        arch::lapic::restore_virtual_wire();
        g_pic.init(FIRST_IRQ_VECTOR, true);
        g_chip = &g_pic;
    }
    g_kind = kind;
    log_info("irq: %s, %u lines on vectors %u-%u, all masked\n", g_chip->name(), g_chip->line_count(),
             FIRST_IRQ_VECTOR, FIRST_IRQ_VECTOR + g_chip->line_count() - 1);
    return {};
}

IrqChip& irqchip()
{
    if (!g_chip) [[unlikely]]
        panic("irq: the interrupt controller is used before init_irqchip()");
    return *g_chip;
}

ChipKind irqchip_kind() { return g_kind; }

}
