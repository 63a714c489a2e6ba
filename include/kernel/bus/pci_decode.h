#pragma once
// The portable half of the PCI bus: BAR sizing and decoding, the capability-list walk, ID-table
// matching and readable names. Everything works through a ConfigAccess, so the host unit tests
// run it against a fake configuration space (tests/unit/pci_*_test.cpp).
// Context: thread (sizing briefly turns a device's decoding off). Locking: the caller
// serialises accesses to one function (the bus does this during enumeration).
#include <kernel/bus/pci_config.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace pci {

// --- Base address registers (PCI Local Bus Specification 3.0, section 6.2.5.1) ---------------

enum class BarKind : u8 {
    Absent,        // no such BAR: reads 0 even after all ones were written
    Io,
    Memory32,      // also the legacy "below 1 MiB" type
    Memory64,
    Memory64High,  // the upper dword of the 64-bit BAR in the slot before
};

struct Bar {
    BarKind kind { BarKind::Absent };
    bool prefetchable { false };
    u64 address { 0 };     // bus address the firmware assigned (0: unassigned)
    u64 size { 0 };        // bytes decoded

    bool is_present() const { return kind == BarKind::Io || kind == BarKind::Memory32 || kind == BarKind::Memory64; }
    bool is_io() const { return kind == BarKind::Io; }
    bool is_memory() const { return kind == BarKind::Memory32 || kind == BarKind::Memory64; }
};

inline constexpr usize MAX_BARS = 6;

// BAR slots in a header: 6 (type 0), 2 (type 1, PCI-to-PCI bridge), 0 (others).
usize bar_count(u8 header_type);

// Decodes one BAR from the value the firmware left (`original`) and the value read back after
// writing all ones (`sized`). For a 64-bit memory BAR pass both dwords of each.
Bar decode_bar(u32 original, u32 sized, u32 original_high = 0, u32 sized_high = 0);
char const* bar_kind_name(BarKind kind);

// Sizes every BAR of the function: saves each one, writes all ones, reads back, restores. I/O
// and memory decoding are switched off in the command register meanwhile (a half-sized BAR
// must not claim the bus addresses of another device) unless `keep_decoding` is set (host
// bridges, whose decoding must never stop). A 64-bit BAR fills two slots (the second is
// Memory64High); one that would start in the last slot is malformed and reported Absent.
// `out` must hold bar_count(header_type) entries; the rest are left as they are.
void read_bars(ConfigAccess& config, Address address, u8 header_type, Span<Bar> out, bool keep_decoding = false);

// --- Capabilities (section 6.7) ------------------------------------------------------------

struct Capability {
    u8 id;
    u8 offset;       // in the configuration space
};

struct CapabilityList {
    static constexpr usize MAX = 24;
    Capability entries[MAX] {};
    u8 count { 0 };
    // The chain pointed below 0x40, revisited an offset (a loop), or ran past MAX: the walk
    // stopped there and kept what it had read.
    bool malformed { false };

    Span<Capability const> items() const { return { entries, count }; }
    // Offset of the first capability with this ID, or 0.
    u8 find(u8 id) const;
};

// Walks the list if the status register has the Capabilities List bit. Never loops.
CapabilityList read_capabilities(ConfigAccess& config, Address address, u8 header_type);
char const* capability_name(u8 id);   // "PM", "MSI", "PCIe", "MSI-X", ... or "?"

// --- Driver ID tables (docs/writing-a-driver.md, "The bus": the bus does the matching) ----------------------------

inline constexpr u16 ANY_ID = 0xFFFF;

// One entry of a driver's ID table. Matches when vendor and device are equal (or ANY_ID) and
// the device's class code agrees with class_code on the bits of class_mask (mask 0: any
// class). Field order follows Linux's pci_device_id, so designated initializers read:
//     { .vendor = 0x8086, .device = 0x100e, .driver_data = 82540 }
//     { .vendor = ANY_ID, .device = ANY_ID, .class_code = CLASS_IDE, .class_mask = 0xFFFF00 }
struct PciId {
    u16 vendor;
    u16 device;
    u32 class_code { 0 };    // 0xBBSSPP: base class, subclass, programming interface
    u32 class_mask { 0 };
    uptr driver_data { 0 };
};

// What matching looks at: the identity of one function.
struct Identity {
    u16 vendor;
    u16 device;
    u32 class_code;          // 24 bits
};

bool id_matches(PciId const& id, Identity const& identity);
// The first matching entry of `table`, or nullptr.
PciId const* match_id_table(Span<PciId const> table, Identity const& identity);

// --- Names for listings ----------------------------------------------------------------------

// "Ethernet controller", "IDE interface", "Host bridge", ...: the subclass name when known,
// else the base class name, else "Unknown class".
char const* class_name(u32 class_code);

}
