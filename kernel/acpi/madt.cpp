// The MADT parser (ACPI 6.5 section 5.2.12 "Multiple APIC Description Table") and the ISA IRQ
// routing derived from it. Portable: the host unit tests run it over hand-built tables
// (tests/unit/acpi_madt_test.cpp).
//
// Entry types used (Table 5.21): 0 Processor Local APIC, 1 I/O APIC, 2 Interrupt Source
// Override, 3 NMI Source, 4 Local APIC NMI, 5 Local APIC Address Override. Others (x2APIC,
// GIC, ...) are counted in `unknown` and skipped by their length field.
#include <kernel/acpi/madt.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace acpi {

namespace {

using detail::read16;
using detail::read32;
using detail::read64;

enum class EntryType : u8 {
    LocalApic = 0,
    IoApic = 1,
    SourceOverride = 2,
    NmiSource = 3,
    LocalApicNmi = 4,
    LocalApicAddressOverride = 5,
};

constexpr usize LAPIC_ADDRESS = 36, MADT_FLAGS = 40, FIRST_ENTRY = 44;
constexpr u32 FLAG_PCAT_COMPAT = 1 << 0;

// Smallest length each known entry type can have (Tables 5.22-5.29).
usize minimum_length(EntryType type)
{
    switch (type) {
    case EntryType::LocalApic: return 8;
    case EntryType::IoApic: return 12;
    case EntryType::SourceOverride: return 10;
    case EntryType::NmiSource: return 8;
    case EntryType::LocalApicNmi: return 6;
    case EntryType::LocalApicAddressOverride: return 12;
    }
    return 2;
}

bool known(u8 type) { return type <= u8(EntryType::LocalApicAddressOverride); }

// Appends to a fixed array, counting what does not fit instead of failing: a machine with
// more CPUs than MAX_CPUS still gets its interrupt controllers.
template<typename T, usize N>
void append(T (&array)[N], usize& count, T const& value, usize& dropped)
{
    if (count == N) {
        ++dropped;
        return;
    }
    array[count++] = value;
}

void parse_entry(EntryType type, ReadonlyBytes e, MadtInfo& out)
{
    switch (type) {
    case EntryType::LocalApic:
        append(out.cpus, out.cpu_count, MadtCpu { e[2], e[3], (read32(e, 4) & 1) != 0 }, out.dropped);
        break;
    case EntryType::IoApic:
        append(out.ioapics, out.ioapic_count, MadtIoApic { e[2], read32(e, 4), read32(e, 8) }, out.dropped);
        break;
    case EntryType::SourceOverride: {
        MadtOverride o { e[2], e[3], read32(e, 4), read16(e, 8), irq::Trigger::Edge, irq::Polarity::ActiveHigh };
        decode_inti_flags(o.flags, o.trigger, o.polarity);
        append(out.overrides, out.override_count, o, out.dropped);
        break;
    }
    case EntryType::NmiSource:
        append(out.nmi_sources, out.nmi_source_count, MadtNmiSource { read32(e, 4), read16(e, 2) }, out.dropped);
        break;
    case EntryType::LocalApicNmi: {
        MadtLapicNmi n { e[2], e[5], read16(e, 3), irq::Trigger::Edge, irq::Polarity::ActiveHigh };
        decode_inti_flags(n.flags, n.trigger, n.polarity);
        append(out.lapic_nmis, out.lapic_nmi_count, n, out.dropped);
        break;
    }
    case EntryType::LocalApicAddressOverride:
        out.lapic_address = read64(e, 4);
        break;
    }
}

}

void decode_inti_flags(u16 flags, irq::Trigger& trigger, irq::Polarity& polarity)
{
    // 00 = conforms to the bus (ISA: active-high, edge), 01 = high/edge, 11 = low/level;
    // 10 is reserved and treated as "conforms".
    polarity = (flags & 0x3) == 0x3 ? irq::Polarity::ActiveLow : irq::Polarity::ActiveHigh;
    trigger = ((flags >> 2) & 0x3) == 0x3 ? irq::Trigger::Level : irq::Trigger::Edge;
}

ErrorOr<void> parse_madt(ReadonlyBytes table, MadtInfo& out)
{
    TRY(validate_table(table));
    if (memcmp(table.data(), "APIC", 4) != 0)
        return Error::from_errno(EINVAL);
    usize length = read32(table, 4);
    if (length < FIRST_ENTRY)
        return Error::from_errno(EINVAL);
    out = MadtInfo {};
    out.lapic_address = read32(table, LAPIC_ADDRESS);
    out.pcat_compat = (read32(table, MADT_FLAGS) & FLAG_PCAT_COMPAT) != 0;

    for (usize off = FIRST_ENTRY; off < length;) {
        if (length - off < 2)
            return Error::from_errno(EINVAL);
        u8 type = table[off];
        usize entry_length = table[off + 1];
        // A zero length would loop forever; a length past the end would read other memory.
        if (entry_length < 2 || entry_length > length - off)
            return Error::from_errno(EINVAL);
        ReadonlyBytes entry = table.subspan(off, entry_length);
        if (!known(type)) {
            ++out.unknown;
        } else {
            if (entry_length < minimum_length(EntryType(type)))
                return Error::from_errno(EINVAL);
            parse_entry(EntryType(type), entry, out);
        }
        off += entry_length;
    }
    return {};
}

GsiRoute isa_irq_route(MadtInfo const& madt, u8 isa_irq)
{
    for (usize i = 0; i < madt.override_count; ++i) {
        MadtOverride const& o = madt.overrides[i];
        if (o.bus == 0 && o.source == isa_irq)
            return GsiRoute { o.gsi, o.trigger, o.polarity };
    }
    return GsiRoute { isa_irq, irq::Trigger::Edge, irq::Polarity::ActiveHigh };
}

GsiRoute gsi_default_config(MadtInfo const& madt, u32 gsi)
{
    for (usize i = 0; i < madt.override_count; ++i) {
        MadtOverride const& o = madt.overrides[i];
        if (o.gsi == gsi)
            return GsiRoute { gsi, o.trigger, o.polarity };
    }
    // ISA pins are edge/high; the PCI INTx pins above them are shared, level, active-low
    // (qemu-platform-facts.md section 3: q35 routes INTA-D to GSI 16-23 active-low level).
    if (gsi < 16)
        return GsiRoute { gsi, irq::Trigger::Edge, irq::Polarity::ActiveHigh };
    return GsiRoute { gsi, irq::Trigger::Level, irq::Polarity::ActiveLow };
}

}
