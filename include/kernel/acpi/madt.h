#pragma once
// The MADT (ACPI 6.5 section 5.2.12 "Multiple APIC Description Table"): the interrupt
// controllers and how ISA IRQs reach them. Portable, like tables.h; parsed by madt.cpp.
#include <kernel/acpi/tables.h>
#include <kernel/irq/irqchip.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace acpi {

struct MadtCpu {
    u8 processor_uid;
    u8 apic_id;
    bool enabled;             // flags bit 0; bit 1 (online capable) is not used
};

struct MadtIoApic {
    u8 id;
    u32 address;
    u32 gsi_base;
};

// An interrupt source override (5.2.12.5) with its MPS INTI flags resolved: "conforms to the
// bus" means edge/active-high for ISA (bus 0), the only bus the MADT names.
struct MadtOverride {
    u8 bus;
    u8 source;                // ISA IRQ
    u32 gsi;
    u16 flags;                // raw MPS INTI flags (Table 5.26)
    irq::Trigger trigger;
    irq::Polarity polarity;
};

struct MadtNmiSource {        // 5.2.12.6: a GSI wired as NMI
    u32 gsi;
    u16 flags;
};

struct MadtLapicNmi {         // 5.2.12.7: a LAPIC LINT pin wired as NMI
    u8 processor_uid;         // 0xFF: all processors
    u8 lint;                  // 0 or 1
    u16 flags;
    irq::Trigger trigger;
    irq::Polarity polarity;
};

struct MadtInfo {
    static constexpr usize MAX_CPUS = 64;
    static constexpr usize MAX_IOAPICS = 8;
    static constexpr usize MAX_OVERRIDES = 24;
    static constexpr usize MAX_NMIS = 8;

    u64 lapic_address { 0 };  // after a LAPIC address override (type 5), if any
    bool pcat_compat { false };   // flags bit 0: a dual 8259 is present too

    MadtCpu cpus[MAX_CPUS] {};
    usize cpu_count { 0 };
    MadtIoApic ioapics[MAX_IOAPICS] {};
    usize ioapic_count { 0 };
    MadtOverride overrides[MAX_OVERRIDES] {};
    usize override_count { 0 };
    MadtNmiSource nmi_sources[MAX_NMIS] {};
    usize nmi_source_count { 0 };
    MadtLapicNmi lapic_nmis[MAX_NMIS] {};
    usize lapic_nmi_count { 0 };
    usize dropped { 0 };      // entries that did not fit the arrays above
    usize unknown { 0 };      // entry types this parser does not use (x2APIC, GIC, ...)
};

// Parses a validated MADT. EINVAL when the table is too short or an entry's length is zero,
// shorter than its type requires, or runs past the end of the table.
[[nodiscard]] ErrorOr<void> parse_madt(ReadonlyBytes table, MadtInfo& out);

// Where an ISA IRQ arrives on the IOAPICs, with its trigger and polarity: the override if there
// is one, else identity-mapped, edge, active-high (5.2.12.5).
struct GsiRoute {
    u32 gsi;
    irq::Trigger trigger;
    irq::Polarity polarity;
};
GsiRoute isa_irq_route(MadtInfo const& madt, u8 isa_irq);

// Trigger and polarity to program into the IOAPIC pin of `gsi`: from an override that targets
// it, else ISA defaults (edge, high) below 16 and PCI defaults (level, low) from 16 on.
GsiRoute gsi_default_config(MadtInfo const& madt, u32 gsi);

// Decodes MPS INTI flags for a source on the ISA bus (bits 0-1 polarity, 2-3 trigger).
void decode_inti_flags(u16 flags, irq::Trigger& trigger, irq::Polarity& polarity);

}
