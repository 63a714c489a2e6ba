// The e1000's registers (lab 7, part 1; lab/07-e1000/README.md).
//
// Everything the driver says to the NIC goes through its 128 KiB register block, which the PCI
// function offers as memory BAR 0: reads and writes there are register accesses, not memory.
// The I/O manager maps it uncached (a cached register would hand back stale values and hold
// writes back) and reserves it in the driver's name (`iomem` lists it). The rings need one more
// thing: the NIC reads descriptors and frames from memory by itself (DMA), and a PCI function
// may only do that as a bus master, which SeaBIOS leaves off.
#include "e1000.h"

namespace e1000 {

// Maps BAR 0 uncached in the NIC's name (`nic.name`, "eth0"), checks that it covers the whole
// register block (regs::WINDOW_LENGTH), makes its window the rings' register window, names the
// PCI function as the device that does the DMA (rings.dma_device: the DMA API takes its limits
// from it), and enables bus mastering. Errors: those of map_memory_bar; ENODEV for a BAR that
// is too small. Context: thread (probe).
ErrorOr<void> map_registers([[maybe_unused]] PciNic& nic)
{
    // BEGIN LAB 7
    nic.mmio = TRY(nic.pci.map_memory_bar(0, io::CachePolicy::Uncached, nic.name));
    if (nic.mmio.length() < regs::WINDOW_LENGTH)
        return Error::from_errno(ENODEV);
    nic.rings.regs = nic.mmio.window();
    nic.rings.dma_device = &nic.pci;
    nic.pci.enable_bus_master();
    return {};
    // END LAB 7
    // STUB LAB 7: return Error::from_errno(ENOSYS);   // lab 7: map BAR 0, enable bus mastering
}

}
