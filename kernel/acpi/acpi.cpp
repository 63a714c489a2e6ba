// The kernel side of ACPI: reaches the tables through the direct map, keeps the table directory
// and the parsed MADT/MCFG/FADT for the rest of boot. The parsing itself is portable
// (tables.cpp, madt.cpp).
#include <kernel/acpi/acpi.h>
#include <kernel/boot_info.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/printk.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace acpi {

namespace {

enum class State : u8 { NotStarted, Ready, Failed };

State g_state = State::NotStarted;
Error g_error = Error::from_errno(0);
RootPointer g_root {};
TableDirectory g_directory;
MadtInfo g_madt;
McfgInfo g_mcfg;
FadtInfo g_fadt;
bool g_have_madt = false, g_have_mcfg = false, g_have_fadt = false;

// Firmware tables live in memory the direct map covers (RAM and the Reserved region next to
// it, kernel/mm/kernel_space.cpp). A pointer elsewhere is a firmware bug: refuse it rather than
// fault, by checking that every page of the range is mapped.
ReadonlyBytes direct_map_reader(u64 phys, usize length, void*)
{
    if (length == 0 || phys + length < phys || phys + length > mm::HEAP_BASE - mm::PHYS_MAP_BASE)
        return {};
    for (u64 page = kstd::align_down(phys, mm::PAGE_SIZE); page < phys + length; page += mm::PAGE_SIZE) {
        if (mm::translate(mm::phys_to_virt(page)).is_error())
            return {};
    }
    return { mm::phys_to_ptr<u8 const>(phys), length };
}

ErrorOr<void> load()
{
    u64 rsdp_phys = boot_info().acpi_rsdp_phys;
    if (rsdp_phys == 0)
        return Error::from_errno(ENODEV);
    // Read the ACPI 1.0 part first: only its revision says whether the longer form is there.
    ReadonlyBytes rsdp = direct_map_reader(rsdp_phys, RSDP_V1_SIZE, nullptr);
    if (rsdp.size() == RSDP_V1_SIZE && rsdp[15] >= 2)
        rsdp = direct_map_reader(rsdp_phys, sizeof(Rsdp), nullptr);
    g_root = TRY(parse_rsdp(rsdp));
    TRY(g_directory.load(g_root, direct_map_reader, nullptr));

    if (auto table = find_table("APIC"); table.has_value()) {
        auto parsed = parse_madt(*table, g_madt);
        g_have_madt = !parsed.is_error();
        if (parsed.is_error())
            log_warn("acpi: MADT malformed (%s): ignored\n", parsed.error().name());
    }
    if (auto table = find_table("MCFG"); table.has_value())
        g_have_mcfg = !parse_mcfg(*table, g_mcfg).is_error();
    if (auto table = find_table("FACP"); table.has_value())
        g_have_fadt = !parse_fadt(*table, g_fadt).is_error();
    return {};
}

}

ErrorOr<void> init()
{
    if (g_state == State::NotStarted) {
        auto result = load();
        g_state = result.is_error() ? State::Failed : State::Ready;
        if (result.is_error()) {
            g_error = result.error();
            log_warn("acpi: no usable tables (%s)\n", g_error.name());
        } else {
            dump();
        }
    }
    if (g_state == State::Failed)
        return g_error;
    return {};
}

bool available() { return g_state == State::Ready; }
u8 rsdp_revision() { return g_root.revision; }
bool uses_xsdt() { return g_directory.uses_xsdt(); }

Optional<ReadonlyBytes> find_table(char const* signature, usize instance)
{
    auto entry = g_directory.find(signature, instance);
    if (!entry.has_value())
        return kstd::nullopt;
    return ReadonlyBytes { mm::phys_to_ptr<u8 const>(entry->phys), entry->length };
}

MadtInfo const* madt() { return g_have_madt ? &g_madt : nullptr; }
McfgInfo const* mcfg() { return g_have_mcfg ? &g_mcfg : nullptr; }
FadtInfo const* fadt() { return g_have_fadt ? &g_fadt : nullptr; }

void dump()
{
    log_info("acpi: RSDP revision %u, %s with %zu valid tables (%zu rejected):", g_root.revision,
             g_directory.uses_xsdt() ? "XSDT" : "RSDT", g_directory.count(), g_directory.rejected());
    for (usize i = 0; i < g_directory.count(); ++i)
        printk(LogLevel::Info, " %.4s", g_directory.at(i).signature);
    printk(LogLevel::Info, "\n");
    if (g_have_madt) {
        log_info("acpi: MADT: LAPIC %#lx, %zu CPU(s), PCAT_COMPAT=%d\n", g_madt.lapic_address, g_madt.cpu_count,
                 g_madt.pcat_compat);
        for (usize i = 0; i < g_madt.ioapic_count; ++i)
            log_info("acpi:   IOAPIC id %u at %#x, GSI base %u\n", g_madt.ioapics[i].id, g_madt.ioapics[i].address,
                     g_madt.ioapics[i].gsi_base);
        for (usize i = 0; i < g_madt.override_count; ++i) {
            MadtOverride const& o = g_madt.overrides[i];
            log_info("acpi:   ISA IRQ %u -> GSI %u, %s, active-%s\n", o.source, o.gsi,
                     o.trigger == irq::Trigger::Level ? "level" : "edge",
                     o.polarity == irq::Polarity::ActiveLow ? "low" : "high");
        }
    }
    if (g_have_mcfg && g_mcfg.region_count > 0)
        log_info("acpi: MCFG: ECAM %#lx, buses %u-%u\n", g_mcfg.regions[0].base, g_mcfg.regions[0].start_bus,
                 g_mcfg.regions[0].end_bus);
    if (g_have_fadt)
        log_info("acpi: FADT revision %u: SCI IRQ %u, PM timer port %#x, 8042 %s\n", g_fadt.revision,
                 g_fadt.sci_irq, g_fadt.pm_timer_port,
                 g_fadt.has_boot_arch ? (g_fadt.has_8042() ? "present" : "absent") : "assumed (ACPI 1.0)");
}

}
