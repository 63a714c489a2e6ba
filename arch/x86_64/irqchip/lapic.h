#pragma once
// The boot CPU's local APIC (lapic.cpp): brought up by the APIC interrupt-controller mode and
// used by the IOAPIC chip (EOI, self-IPI) and by the LAPIC timer (arch/x86_64/time).
#include "lapic_regs.h"
#include <kernel/acpi/madt.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace arch::lapic {

// Vectors the LAPIC itself raises (the spurious vector is arch::SPURIOUS_VECTOR, 0xFF).
inline constexpr u8 TIMER_VECTOR = 0xF0;
inline constexpr u8 ERROR_VECTOR = 0xFE;

// Maps the register page uncached, enables the APIC (SVR, spurious vector 0xFF), TPR 0, masks
// LINT0 and the timer, wires LINT1 as NMI per the MADT, and clears stale errors and in-service
// vectors. ENODEV: CPUID reports no APIC. Context: boot, interrupts disabled.
[[nodiscard]] ErrorOr<void> init(acpi::MadtInfo const& madt);
bool is_ready();
// Reopens LINT0 as ExtINT (virtual-wire mode), so the 8259 reaches the CPU again: for falling
// back to the PIC after APIC mode was tried. Context: boot, interrupts disabled.
void restore_virtual_wire();

u32 read(Reg reg);
void write(Reg reg, u32 value);

u8 id();
void eoi();
// Fixed interrupt with `vector` to this CPU (ICR destination shorthand "self").
void send_self_ipi(u8 vector);
// Bit `vector` of the in-service / request registers (tests and diagnostics).
bool in_service(u8 vector);
bool requested(u8 vector);

}
