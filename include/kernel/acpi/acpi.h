#pragma once
// ACPI static tables: found from the RSDP that GRUB copies into the multiboot2 information
// (BootInfo::acpi_rsdp_phys), checked, and parsed for what the kernel needs: the MADT
// (interrupt controllers), the MCFG (PCI ECAM) and the FADT (8042 present, SCI, PM timer).
// QEMU 7.2 gives an ACPI 1.0 RSDP (revision 0, RSDT only) on pc and q35; an XSDT is used when
// the RSDP has revision >= 2. AML (the DSDT's contents) is not interpreted.
#include <kernel/acpi/madt.h>
#include <kernel/acpi/tables.h>
#include <kstd/error.h>
#include <kstd/optional.h>
#include <kstd/span.h>

namespace acpi {

// Finds the root table and validates every table it lists, then parses the MADT, MCFG and
// FADT. Idempotent: later calls return the first call's result. ENODEV: GRUB passed no RSDP;
// EINVAL/EBADMSG: the RSDP is malformed; ENOENT: no usable RSDT/XSDT.
// Context: boot (thread), after mm::init (tables are read through the direct map).
[[nodiscard]] ErrorOr<void> init();
bool available();

// The `instance`-th validated table with this signature ("APIC", "FACP", "MCFG", "HPET",
// "DSDT", ...), as bytes in the direct map; nullopt if absent. Context: any, after init().
Optional<ReadonlyBytes> find_table(char const* signature, usize instance = 0);

// Parsed tables; nullptr when the table is absent or malformed. Context: any, after init().
MadtInfo const* madt();
McfgInfo const* mcfg();
FadtInfo const* fadt();

// RSDP revision (0 = ACPI 1.0) and whether the XSDT was used.
u8 rsdp_revision();
bool uses_xsdt();

// Prints the table list and the MADT summary (boot log, monitor). Context: thread.
void dump();

}
