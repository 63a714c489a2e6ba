#pragma once
// The interrupt controller behind one interface (docs/architecture.md, "Interrupts and deferred work"): the 8259 PIC pair or
// the LAPIC + IOAPIC found through the ACPI MADT. `irqchip=pic|apic` picks one at boot; the IRQ
// core (kernel/irq) only ever talks to this interface, so drivers and tests work with both.
//
// Lines: an IrqLine is an ISA IRQ number (0-15) for legacy devices or a GSI for the IOAPIC
// (0-23). The chip maps a line to its CPU vector: vector = FIRST_IRQ_VECTOR + line. The PIC has
// lines 0-15, the IOAPIC 0-23; legacy ISA IRQs are translated through the MADT's interrupt
// source overrides by isa_irq_to_line() (the PIT's IRQ 0 is GSI 2 on QEMU).
#include <kstd/error.h>
#include <kstd/types.h>

namespace irq {

using IrqLine = u32;

inline constexpr u8 FIRST_IRQ_VECTOR = 32;
inline constexpr u32 MAX_IRQ_LINES = 24;

enum class Trigger : u8 { Edge, Level };
enum class Polarity : u8 { ActiveHigh, ActiveLow };

class IrqChip {
public:
    virtual ~IrqChip() = default;

    virtual char const* name() const = 0;       // "8259 PIC", "IOAPIC"
    virtual u32 line_count() const = 0;

    virtual void mask(IrqLine line) = 0;
    virtual void unmask(IrqLine line) = 0;
    virtual bool is_masked(IrqLine line) const = 0;

    // Signals end of interrupt for `line`. Context: IRQ.
    virtual void eoi(IrqLine line) = 0;

    // True when an interrupt on `line` is spurious (PIC: IRQ 7/15 with the in-service bit clear;
    // APIC: never for a line, the LAPIC has its own spurious vector). A spurious interrupt must
    // not be acknowledged with an EOI to the master (the slave's spurious 15 still needs the
    // master's EOI for the cascade: handled inside the chip's acknowledge_spurious()).
    virtual bool is_spurious(IrqLine line) = 0;
    virtual void acknowledge_spurious(IrqLine line) = 0;

    // Programs trigger mode and polarity where the chip supports it (IOAPIC); PIC: level only
    // through the ELCR, which the firmware has set.
    virtual void configure(IrqLine line, Trigger trigger, Polarity polarity) = 0;

    // The line a legacy ISA IRQ arrives on (MADT interrupt source overrides for the IOAPIC).
    virtual IrqLine isa_irq_to_line(u8 isa_irq) const = 0;

    // Raises an interrupt on `line` for tests (APIC: a self-IPI with the line's vector; PIC: a
    // software `int` on the line's vector). Context: thread, interrupts enabled.
    virtual void raise_for_test(IrqLine line) = 0;

    // Delivers the controller's spurious interrupt for tests: on the PIC vector 39 (IRQ 7) with
    // IRQ 7's in-service bit clear, exactly what a glitch on the line produces; on the APIC the
    // LAPIC's spurious vector. Context: thread, interrupts enabled.
    virtual void inject_spurious_for_test() = 0;
};

enum class ChipKind : u8 { Pic, Apic };

// Selects and initialises the controller; all lines start masked. Called once from kernel_main
// with interrupts disabled. ENODEV when `Apic` is asked for and the MADT has no IOAPIC.
ErrorOr<void> init_irqchip(ChipKind kind);
IrqChip& irqchip();
ChipKind irqchip_kind();

}
