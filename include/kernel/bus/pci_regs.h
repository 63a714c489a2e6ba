#pragma once
// PCI configuration-space layout (PCI Local Bus Specification 3.0, chapter 6 "Configuration
// Space"; PCI-to-PCI Bridge Architecture Specification 1.2, chapter 3 for header type 1;
// capability IDs from the PCI Code and ID Assignment Specification 1.11, chapter 2).
// Portable: no hardware access, shared by the kernel and the host unit tests.
#include <kstd/bitmask.h>
#include <kstd/types.h>

namespace pci {

// Offsets in the common header (all header types) and in the type 0 / type 1 headers.
namespace reg {
inline constexpr u16 vendor_id = 0x00;        // 16 bits; 0xFFFF: no function here
inline constexpr u16 device_id = 0x02;        // 16
inline constexpr u16 command = 0x04;          // 16, see Command
inline constexpr u16 status = 0x06;           // 16, see Status (write 1 to clear)
inline constexpr u16 revision = 0x08;         // 8
inline constexpr u16 prog_if = 0x09;          // 8; class code is 0x09-0x0B
inline constexpr u16 subclass = 0x0A;         // 8
inline constexpr u16 class_code = 0x0B;       // 8 (base class)
inline constexpr u16 header_type = 0x0E;      // 8; bit 7: multi-function device
inline constexpr u16 bar0 = 0x10;             // six dwords (type 0), two (type 1)
inline constexpr u16 subsystem_vendor = 0x2C; // type 0
inline constexpr u16 subsystem_id = 0x2E;     // type 0
inline constexpr u16 capabilities = 0x34;     // 8, types 0 and 1 (type 2 uses 0x14)
inline constexpr u16 interrupt_line = 0x3C;   // 8: the ISA IRQ the firmware routed (0xFF: none)
inline constexpr u16 interrupt_pin = 0x3D;    // 8: 0 none, 1-4 INTA-INTD
// Header type 1 (PCI-to-PCI bridge).
inline constexpr u16 primary_bus = 0x18;
inline constexpr u16 secondary_bus = 0x19;
inline constexpr u16 subordinate_bus = 0x1A;
// Header type 2 (CardBus bridge).
inline constexpr u16 cardbus_capabilities = 0x14;
}

inline constexpr u16 INVALID_VENDOR = 0xFFFF;
inline constexpr u8 HEADER_TYPE_MASK = 0x7F;
inline constexpr u8 HEADER_MULTIFUNCTION = 0x80;
inline constexpr u8 HEADER_NORMAL = 0x00;
inline constexpr u8 HEADER_BRIDGE = 0x01;     // PCI-to-PCI
inline constexpr u8 HEADER_CARDBUS = 0x02;

inline constexpr u8 MAX_DEVICES = 32;
inline constexpr u8 MAX_FUNCTIONS = 8;
inline constexpr u16 CONFIG_SPACE_SIZE = 256;        // legacy space (mechanism #1 reaches this)
inline constexpr u16 EXTENDED_CONFIG_SPACE_SIZE = 4096;  // PCI Express (ECAM)

// Command register (spec 6.2.2).
enum class Command : u16 {
    None = 0,
    IoSpace = 1 << 0,
    MemorySpace = 1 << 1,
    BusMaster = 1 << 2,
    SpecialCycles = 1 << 3,
    MemoryWriteInvalidate = 1 << 4,
    VgaPaletteSnoop = 1 << 5,
    ParityErrorResponse = 1 << 6,
    SerrEnable = 1 << 8,
    FastBackToBack = 1 << 9,
    InterruptDisable = 1 << 10,
};
ENUM_BITMASK(Command)

// Status register (spec 6.2.3); only the bits the bus reads.
enum class Status : u16 {
    None = 0,
    InterruptStatus = 1 << 3,
    CapabilitiesList = 1 << 4,
};
ENUM_BITMASK(Status)

// Base address register low bits (spec 6.2.5.1).
inline constexpr u32 BAR_IO = 1 << 0;              // bit 0: 1 = I/O space
inline constexpr u32 BAR_IO_MASK = ~u32(0x3);
inline constexpr u32 BAR_MEM_TYPE_MASK = 0x6;      // bits 2-1: 00 32-bit, 01 below 1 MiB, 10 64-bit
inline constexpr u32 BAR_MEM_TYPE_64 = 0x4;
inline constexpr u32 BAR_MEM_PREFETCHABLE = 1 << 3;
inline constexpr u32 BAR_MEM_MASK = ~u32(0xF);

// Capability IDs (PCI Code and ID Assignment Specification, chapter 2).
namespace cap {
inline constexpr u8 power_management = 0x01;
inline constexpr u8 agp = 0x02;
inline constexpr u8 vpd = 0x03;
inline constexpr u8 slot_id = 0x04;
inline constexpr u8 msi = 0x05;
inline constexpr u8 hot_swap = 0x06;
inline constexpr u8 pcix = 0x07;
inline constexpr u8 hypertransport = 0x08;
inline constexpr u8 vendor_specific = 0x09;
inline constexpr u8 debug_port = 0x0A;
inline constexpr u8 hotplug_controller = 0x0C;   // SHPC
inline constexpr u8 bridge_subsystem = 0x0D;
inline constexpr u8 pci_express = 0x10;
inline constexpr u8 msix = 0x11;
inline constexpr u8 sata = 0x12;
inline constexpr u8 advanced_features = 0x13;
inline constexpr u8 enhanced_allocation = 0x14;
}

// Class codes as the 24-bit value (base << 16) | (subclass << 8) | prog-if.
inline constexpr u32 CLASS_IDE = 0x010100;             // prog-if varies
inline constexpr u32 CLASS_ETHERNET = 0x020000;
inline constexpr u32 CLASS_HOST_BRIDGE = 0x060000;
inline constexpr u32 CLASS_ISA_BRIDGE = 0x060100;
inline constexpr u32 CLASS_PCI_BRIDGE = 0x060400;
inline constexpr u32 CLASS_MASK_BASE_SUB = 0xFFFF00;   // base class and subclass, any prog-if
inline constexpr u32 CLASS_MASK_ALL = 0xFFFFFF;

// IDE programming interface (PCI IDE Controller Specification 1.0, section 2.1): bit 0
// primary channel in native mode, bit 2 secondary channel in native mode; clear = the
// channel decodes the legacy ports (compatibility mode). Bit 7: bus-master capable.
inline constexpr u8 IDE_PRIMARY_NATIVE = 1 << 0;
inline constexpr u8 IDE_SECONDARY_NATIVE = 1 << 2;
inline constexpr u8 IDE_BUS_MASTER = 1 << 7;

}
