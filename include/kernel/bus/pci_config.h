#pragma once
// One interface to a PCI configuration space, whichever mechanism reaches it: ports
// 0xCF8/0xCFC (arch/x86_64/pci_config.cpp, 256 bytes per function) or ECAM, the memory-mapped
// window the ACPI MCFG table describes (PCI Express Base Specification 4.0, section 7.2.2,
// 4 KiB per function). The bus prefers ECAM; `pci=legacy` on the command line forces ports.
// Portable: the host unit tests implement ConfigAccess over a fake configuration space.
#include <kstd/types.h>

namespace pci {

// Segment (PCI domain), bus, device (0-31), function (0-7): a BDF.
struct Address {
    u16 segment { 0 };
    u8 bus { 0 };
    u8 device { 0 };
    u8 function { 0 };

    constexpr bool operator==(Address const&) const = default;
};

class ConfigAccess {
public:
    virtual ~ConfigAccess() = default;

    // "ecam" or "ports", for log lines and `lspci`.
    virtual char const* name() const = 0;
    // Bytes of configuration space per function this mechanism reaches (256 or 4096).
    virtual u16 config_size() const = 0;

    // Makes `bus` reachable (ECAM maps its 1 MiB window on first use); the enumeration calls it
    // before scanning a bus. Mechanisms with nothing to prepare return true; false means the
    // bus is out of this mechanism's range (reads then return all ones).
    // Context: thread (may map memory).
    virtual bool prepare_bus(u16 segment, u8 bus) { (void)segment, (void)bus; return true; }

    // `width` is 1, 2 or 4 and `offset` is aligned to it and below config_size() (a bug
    // otherwise: VERIFY). An absent function, or a bus never prepared, reads all ones; writes
    // there are dropped. Accesses have the natural width, so writing the command register
    // never writes the neighbouring status register back (its bits are write-1-to-clear).
    // Context: any. Locking: the mechanism's own (see each implementation).
    virtual u32 read(Address address, u16 offset, u8 width) = 0;
    virtual void write(Address address, u16 offset, u8 width, u32 value) = 0;

    u8 read8(Address a, u16 offset) { return u8(read(a, offset, 1)); }
    u16 read16(Address a, u16 offset) { return u16(read(a, offset, 2)); }
    u32 read32(Address a, u16 offset) { return read(a, offset, 4); }
    void write8(Address a, u16 offset, u8 value) { write(a, offset, 1, value); }
    void write16(Address a, u16 offset, u16 value) { write(a, offset, 2, value); }
    void write32(Address a, u16 offset, u32 value) { write(a, offset, 4, value); }
};

}
