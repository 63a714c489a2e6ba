// The portable half of the PCI bus (include/kernel/bus/pci_decode.h): BAR sizing (PCI Local Bus
// Specification 3.0, section 6.2.5.1 "Address Maps"), the capability list (section 6.7), ID
// matching and class names. It touches hardware only through a ConfigAccess, so the same file
// is built into the host unit tests.
#include <kernel/bus/pci_decode.h>
#include <kernel/bus/pci_regs.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace pci {

usize bar_count(u8 header_type)
{
    switch (header_type & HEADER_TYPE_MASK) {
    case HEADER_NORMAL:
        return 6;
    case HEADER_BRIDGE:
        return 2;
    default:
        return 0;
    }
}

namespace {

// The size a BAR decodes is the lowest address bit that stayed writable.
u64 lowest_set_bit(u64 mask) { return mask & (~mask + 1); }

Bar absent() { return Bar {}; }

}

Bar decode_bar(u32 original, u32 sized, u32 original_high, u32 sized_high)
{
    if (sized == 0)
        return absent();
    if (sized & BAR_IO) {
        // Many devices decode only 16 address bits and read 0 above them; the lowest writable
        // bit still gives the size.
        u32 mask = sized & BAR_IO_MASK;
        if (mask == 0)
            return absent();
        return Bar { BarKind::Io, false, original & BAR_IO_MASK, lowest_set_bit(mask) };
    }
    bool prefetchable = (sized & BAR_MEM_PREFETCHABLE) != 0;
    if ((sized & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64) {
        u64 mask = (u64(sized_high) << 32) | (sized & BAR_MEM_MASK);
        if (mask == 0)
            return absent();
        u64 address = (u64(original_high) << 32) | (original & BAR_MEM_MASK);
        return Bar { BarKind::Memory64, prefetchable, address, lowest_set_bit(mask) };
    }
    u32 mask = sized & BAR_MEM_MASK;
    if (mask == 0)
        return absent();
    return Bar { BarKind::Memory32, prefetchable, original & BAR_MEM_MASK, lowest_set_bit(mask) };
}

char const* bar_kind_name(BarKind kind)
{
    switch (kind) {
    case BarKind::Absent:
        return "absent";
    case BarKind::Io:
        return "io";
    case BarKind::Memory32:
        return "mem32";
    case BarKind::Memory64:
        return "mem64";
    case BarKind::Memory64High:
        return "mem64-high";
    }
    return "?";
}

namespace {

struct Sized {
    u32 original;
    u32 sized;
};

// Writes all ones, reads back, restores.
Sized size_register(ConfigAccess& config, Address address, u16 offset)
{
    u32 original = config.read32(address, offset);
    config.write32(address, offset, 0xFFFFFFFF);
    u32 sized = config.read32(address, offset);
    config.write32(address, offset, original);
    return { original, sized };
}

}

void read_bars(ConfigAccess& config, Address address, u8 header_type, Span<Bar> out, bool keep_decoding)
{
    usize count = kstd::min(bar_count(header_type), out.size());
    u16 command = config.read16(address, reg::command);
    u16 decoding = u16(kstd::to_underlying(Command::IoSpace | Command::MemorySpace));
    if (!keep_decoding && (command & decoding))
        config.write16(address, reg::command, u16(command & ~decoding));

    for (usize i = 0; i < count; ++i) {
        u16 offset = u16(reg::bar0 + 4 * i);
        Sized low = size_register(config, address, offset);
        bool is_64 = low.sized != 0 && !(low.sized & BAR_IO) && (low.sized & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64;
        if (!is_64) {
            out[i] = decode_bar(low.original, low.sized);
            continue;
        }
        if (i + 1 >= count) {
            out[i] = absent();   // a 64-bit BAR in the last slot has no upper half: malformed
            continue;
        }
        Sized high = size_register(config, address, u16(offset + 4));
        out[i] = decode_bar(low.original, low.sized, high.original, high.sized);
        out[i + 1] = Bar { out[i].is_present() ? BarKind::Memory64High : BarKind::Absent, false, 0, 0 };
        ++i;
    }

    if (!keep_decoding && (command & decoding))
        config.write16(address, reg::command, command);
}

u8 CapabilityList::find(u8 id) const
{
    for (u8 i = 0; i < count; ++i) {
        if (entries[i].id == id)
            return entries[i].offset;
    }
    return 0;
}

CapabilityList read_capabilities(ConfigAccess& config, Address address, u8 header_type)
{
    CapabilityList list;
    u16 status = config.read16(address, reg::status);
    if (!(status & kstd::to_underlying(Status::CapabilitiesList)) || status == 0xFFFF)
        return list;
    u16 pointer_offset = (header_type & HEADER_TYPE_MASK) == HEADER_CARDBUS ? reg::cardbus_capabilities : reg::capabilities;
    u8 offset = config.read8(address, pointer_offset) & 0xFC;
    u64 visited = 0;   // one bit per dword of the 256-byte space
    while (offset != 0) {
        u64 bit = u64(1) << (offset / 4);
        if (offset < 0x40 || (visited & bit) || list.count == CapabilityList::MAX) {
            list.malformed = true;
            break;
        }
        visited |= bit;
        u8 id = config.read8(address, offset);
        list.entries[list.count++] = Capability { id, offset };
        offset = config.read8(address, u16(offset + 1)) & 0xFC;
    }
    return list;
}

char const* capability_name(u8 id)
{
    switch (id) {
    case cap::power_management: return "PM";
    case cap::agp: return "AGP";
    case cap::vpd: return "VPD";
    case cap::slot_id: return "SlotID";
    case cap::msi: return "MSI";
    case cap::hot_swap: return "HotSwap";
    case cap::pcix: return "PCI-X";
    case cap::hypertransport: return "HT";
    case cap::vendor_specific: return "Vendor";
    case cap::debug_port: return "Debug";
    case cap::hotplug_controller: return "SHPC";
    case cap::bridge_subsystem: return "SSVID";
    case cap::pci_express: return "PCIe";
    case cap::msix: return "MSI-X";
    case cap::sata: return "SATA";
    case cap::advanced_features: return "AF";
    case cap::enhanced_allocation: return "EA";
    default: return "?";
    }
}

bool id_matches(PciId const& id, Identity const& identity)
{
    if (id.vendor != ANY_ID && id.vendor != identity.vendor)
        return false;
    if (id.device != ANY_ID && id.device != identity.device)
        return false;
    return ((id.class_code ^ identity.class_code) & id.class_mask) == 0;
}

PciId const* match_id_table(Span<PciId const> table, Identity const& identity)
{
    for (auto const& id : table) {
        if (id_matches(id, identity))
            return &id;
    }
    return nullptr;
}

namespace {

struct ClassName {
    u16 base_sub;   // (base << 8) | subclass
    char const* name;
};

constexpr ClassName SUBCLASS_NAMES[] = {
    { 0x0000, "Non-VGA unclassified device" }, { 0x0001, "VGA compatible unclassified device" },
    { 0x0100, "SCSI storage controller" }, { 0x0101, "IDE interface" }, { 0x0104, "RAID bus controller" },
    { 0x0105, "ATA controller" }, { 0x0106, "SATA controller" }, { 0x0107, "Serial Attached SCSI controller" },
    { 0x0108, "Non-Volatile memory controller" },
    { 0x0200, "Ethernet controller" }, { 0x0280, "Network controller" },
    { 0x0300, "VGA compatible controller" }, { 0x0302, "3D controller" },
    { 0x0401, "Multimedia audio controller" }, { 0x0403, "Audio device" },
    { 0x0500, "RAM memory" },
    { 0x0600, "Host bridge" }, { 0x0601, "ISA bridge" }, { 0x0604, "PCI bridge" }, { 0x0680, "Bridge" },
    { 0x0700, "Serial controller" }, { 0x0780, "Communication controller" },
    { 0x0800, "PIC" }, { 0x0880, "System peripheral" },
    { 0x0C03, "USB controller" }, { 0x0C05, "SMBus" },
};

constexpr char const* BASE_NAMES[] = {
    "Unclassified device", "Mass storage controller", "Network controller", "Display controller",
    "Multimedia controller", "Memory controller", "Bridge", "Communication controller",
    "Generic system peripheral", "Input device controller", "Docking station", "Processor",
    "Serial bus controller", "Wireless controller", "Intelligent controller",
    "Satellite communications controller", "Encryption controller", "Signal processing controller",
};

}

char const* class_name(u32 class_code)
{
    u16 base_sub = u16(class_code >> 8);
    for (auto const& entry : SUBCLASS_NAMES) {
        if (entry.base_sub == base_sub)
            return entry.name;
    }
    u8 base = u8(class_code >> 16);
    if (base < kstd::array_size(BASE_NAMES))
        return BASE_NAMES[base];
    return "Unknown class";
}

}
