#pragma once
// The buses (docs/architecture.md, "The device model"): PCI (include/kernel/bus/pci.h) and the platform bus
// for fixed legacy devices (include/kernel/bus/platform.h). Both follow one probe discipline:
//   * the bus matches a device against the drivers' tables and calls probe() only on a match;
//   * every resource a driver takes (ports, MMIO, IRQ line, DMA memory) is an RAII handle held
//     by the driver's state object, a class derived from DriverState;
//   * probe() hands that object to the device with adopt_driver_state() when it succeeds. If
//     probe() fails, whatever it built is destroyed: the local objects by C++ scope exit, an
//     adopted state by the bus. Nothing else is called, so a failed probe unwinds by itself;
//   * on the way out the bus calls remove() (quiesce the device), then destroys the state,
//     then reports DMA mappings the device still holds (io::dma_report_leaks).
#include <kstd/error.h>
#include <kstd/unique_ptr.h>

namespace bus {

// Base of every driver's per-device state. The bus owns it once adopted and destroys it
// (through this virtual destructor) after remove() or a failed probe.
class DriverState {
public:
    DriverState() = default;
    virtual ~DriverState() = default;
    DriverState(DriverState const&) = delete;
    DriverState& operator=(DriverState const&) = delete;
};

// Enumerates PCI (ECAM when the MCFG has one and `pci=legacy` is not given, else ports
// 0xCF8/0xCFC), then registers the platform devices that are present (COM ports, i8042, legacy
// ATA channels). Idempotent: later calls return at once. Errors: ENODEV when no PCI
// configuration mechanism answers (the platform devices are still registered).
// Context: boot thread, after mm::init, acpi::init, io::reserve_fixed_ranges and the IRQ chip.
[[nodiscard]] ErrorOr<void> init();
bool initialized();

// Matches every unbound PCI and platform device against the registered drivers and probes.
// A probe that fails with ENODEV declined the device quietly; other errors are logged and the
// next matching driver is tried. Context: thread (probes may sleep).
// Locking: each bus's mutex, held across the probe calls.
void probe_drivers();

}
