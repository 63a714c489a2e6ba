#pragma once
// PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, section 3.2.2.3.2): the
// CONFIG_ADDRESS port 0xCF8 selects bus/device/function/register, the CONFIG_DATA window
// 0xCFC-0xCFF carries the data. Only arch/ executes port instructions, so the PCI bus
// (kernel/bus) reaches this mechanism through these functions; it prefers ECAM when the ACPI
// MCFG table provides one.
//
// Reaches the first 256 bytes of each function only (the extended space needs ECAM).
#include <kstd/types.h>

namespace arch {

// Whether a host bridge answers mechanism #1: CONFIG_ADDRESS reads back what was written
// (Linux's pci_check_type1 test). Context: boot/thread.
bool pci_config_ports_present();

// Reads or writes `width` bytes (1, 2 or 4) at `offset` of bus/device/function. `offset` must be
// below 256 and aligned to `width` (checked: a bug, so VERIFY). An absent function reads all ones.
// Context: any. Locking: interrupts are disabled around the address/data pair, so an interrupt
// handler's access cannot slip between them (uniprocessor; SMP would need a spinlock here).
u32 pci_config_read(u8 bus, u8 device, u8 function, u16 offset, u8 width);
void pci_config_write(u8 bus, u8 device, u8 function, u16 offset, u8 width, u32 value);

}
