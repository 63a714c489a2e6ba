// The two configuration mechanisms behind pci::ConfigAccess:
//  * ports: mechanism #1 (0xCF8/0xCFC) through arch/x86_64/pci_config.cpp, 256 bytes each;
//  * ECAM (PCI Express Base Specification 4.0, section 7.2.2): function (b, d, f) occupies the
//    4 KiB at base + (b << 20 | d << 15 | f << 12), where the ACPI MCFG gives the base for
//    segment 0 (PCI Firmware Specification 3.2, section 4.1.2). On q35 that is 0xb0000000
//    for buses 0-255. Each bus's 1 MiB is mapped uncached through the I/O manager the first
//    time the enumeration reaches that bus, so a machine with one bus maps 1 MiB, not 256.
//
// FIXME: segments other than 0 (multiple MCFG regions) are not reached.
#include "pci_internal.h"
#include <arch/pci_config.h>
#include <kernel/acpi/acpi.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace pci {

namespace {

constexpr u64 ECAM_BUS_SIZE = 1 * MiB;

void check_width(u16 offset, u8 width, u16 limit)
{
    VERIFY(width == 1 || width == 2 || width == 4);
    VERIFY(offset < limit && (offset & (width - 1)) == 0);
}

u32 all_ones(u8 width) { return width == 4 ? 0xFFFFFFFF : (1u << (8 * width)) - 1; }

// Locking: the arch functions keep the address/data pair atomic.
class PortAccess final : public ConfigAccess {
public:
    char const* name() const override { return "ports"; }
    u16 config_size() const override { return CONFIG_SPACE_SIZE; }

    u32 read(Address a, u16 offset, u8 width) override
    {
        check_width(offset, width, CONFIG_SPACE_SIZE);
        if (a.segment != 0)
            return all_ones(width);
        return arch::pci_config_read(a.bus, a.device, a.function, offset, width);
    }

    void write(Address a, u16 offset, u8 width, u32 value) override
    {
        check_width(offset, width, CONFIG_SPACE_SIZE);
        if (a.segment == 0)
            arch::pci_config_write(a.bus, a.device, a.function, offset, width, value);
    }
};

// Locking: none needed for accesses (one MMIO load or store each). prepare_bus() runs in
// thread context during enumeration (and from tests), never concurrently with itself.
class EcamAccess final : public ConfigAccess {
public:
    explicit EcamAccess(acpi::McfgRegion region) : m_region(region) {}

    char const* name() const override { return "ecam"; }
    u16 config_size() const override { return EXTENDED_CONFIG_SPACE_SIZE; }

    bool prepare_bus(u16 segment, u8 bus) override
    {
        if (segment != m_region.segment || bus < m_region.start_bus || bus > m_region.end_bus)
            return false;
        if (m_buses[bus])
            return true;
        auto region = io::map_mmio(m_region.base + u64(bus) * ECAM_BUS_SIZE, ECAM_BUS_SIZE,
                                   io::CachePolicy::Uncached, "PCI ECAM");
        if (region.is_error()) {
            log_warn("pci: cannot map ECAM for bus %02x: %s\n", bus, region.error().name());
            return false;
        }
        auto owned = kstd::make<io::MmioRegion>(region.release_value());
        if (owned.is_error())
            return false;
        m_buses[bus] = owned.release_value();
        return true;
    }

    u32 read(Address a, u16 offset, u8 width) override
    {
        check_width(offset, width, EXTENDED_CONFIG_SPACE_SIZE);
        io::MmioRegion const* bus = bus_of(a);
        if (!bus)
            return all_ones(width);
        auto window = bus->window();
        u32 at = offset_of(a, offset);
        switch (width) {
        case 1:
            return window.read8(at);
        case 2:
            return window.read16(at);
        default:
            return window.read32(at);
        }
    }

    void write(Address a, u16 offset, u8 width, u32 value) override
    {
        check_width(offset, width, EXTENDED_CONFIG_SPACE_SIZE);
        io::MmioRegion const* bus = bus_of(a);
        if (!bus)
            return;
        auto window = bus->window();
        u32 at = offset_of(a, offset);
        switch (width) {
        case 1:
            window.write8(at, u8(value));
            break;
        case 2:
            window.write16(at, u16(value));
            break;
        default:
            window.write32(at, value);
            break;
        }
    }

private:
    static u32 offset_of(Address a, u16 offset)
    {
        return (u32(a.device & 0x1F) << 15) | (u32(a.function & 0x7) << 12) | offset;
    }
    io::MmioRegion const* bus_of(Address a) const
    {
        if (a.segment != m_region.segment)
            return nullptr;
        return m_buses[a.bus].ptr();
    }

    acpi::McfgRegion m_region;
    OwnPtr<io::MmioRegion> m_buses[256];   // mapped on first use, kept for the kernel's lifetime
};

constinit ConfigAccess* g_ports = nullptr;
constinit ConfigAccess* g_ecam = nullptr;
constinit bool g_ports_probed = false;
constinit bool g_ecam_probed = false;

}

ConfigAccess* port_access()
{
    if (!g_ports_probed) {
        g_ports_probed = true;
        if (arch::pci_config_ports_present())
            g_ports = new (kstd::nothrow) PortAccess();
    }
    return g_ports;
}

ConfigAccess* ecam_access()
{
    if (g_ecam_probed)
        return g_ecam;
    g_ecam_probed = true;
    acpi::McfgInfo const* mcfg = acpi::mcfg();
    if (!mcfg)
        return nullptr;
    for (usize i = 0; i < mcfg->region_count; ++i) {
        if (mcfg->regions[i].segment == 0 && mcfg->regions[i].base != 0) {
            g_ecam = new (kstd::nothrow) EcamAccess(mcfg->regions[i]);
            break;
        }
    }
    return g_ecam;
}

namespace detail {

ConfigAccess* select_access()
{
    auto mode = kernel_cmdline().get(kstd::StringView("pci"));
    bool legacy = mode.has_value() && *mode == kstd::StringView("legacy");
    if (mode.has_value() && !legacy)
        log_warn("pci=%.*s is not `legacy`; ignored\n", int(mode->length()), mode->characters());
    if (!legacy) {
        if (ConfigAccess* ecam = ecam_access())
            return ecam;
    }
    if (ConfigAccess* ports = port_access())
        return ports;
    if (legacy)
        log_warn("pci=legacy: configuration ports do not answer; trying ECAM\n");
    return ecam_access();
}

}

}
