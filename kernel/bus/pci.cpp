// The PCI bus: enumeration (PCI Local Bus Specification 3.0, section 3.2.2.3 "Configuration
// Transactions"; PCI-to-PCI Bridge Architecture Specification 1.2 for secondary buses), the
// PciDevice helpers, and driver binding with the probe discipline of include/kernel/bus/bus.h.
//
// Enumeration walks bus 0 and, depth first, the secondary bus of every PCI-to-PCI bridge
// (header type 1), using the bus numbers the firmware assigned. Every device's function 0 is
// read; functions 1-7 only when header type bit 7 says multi-function. Nothing is hard-coded.
// FIXME: bridges the firmware left unconfigured (secondary bus 0) are not numbered here, and
// host bridges other than the one behind bus 0 (multiple root buses) are not searched.
#include "pci_internal.h"
#include <kernel/io/dma.h>
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

extern "C" pci::PciDriver const* const __pci_drivers_start[];
extern "C" pci::PciDriver const* const __pci_drivers_end[];

namespace pci {

namespace {

constinit ConfigAccess* g_config = nullptr;
DeviceList g_devices;
constinit usize g_device_count = 0;
constinit u64 g_buses_seen[4] {};   // bitmap of scanned bus numbers: never scan one twice
sched::Mutex g_lock { "pci bus" };   // binding: driver pointers and states of every device

struct DeviceName {
    char text[16];
    explicit DeviceName(Address a)
    {
        kstd::snprintf(text, sizeof(text), "%04x:%02x:%02x.%x", a.segment, a.bus, a.device, a.function);
    }
};

}

// Private members the bus sets.
struct BusInternals {
    static void set_parent(PciDevice& device, PciDevice* parent) { device.m_parent = parent; }
    static void set_binding(PciDevice& device, PciDriver const* driver, PciId const* id)
    {
        device.m_driver = driver;
        device.m_matched_id = id;
        device.set_driver_name(driver ? driver->name : nullptr);
        if (!driver) {
            device.m_state = nullptr;
            device.set_driver_data(nullptr);
        }
    }
    static void destroy_state(PciDevice& device)
    {
        device.m_state = nullptr;
        device.set_driver_data(nullptr);
    }
};

// ---- PciDevice ------------------------------------------------------------------------------

PciDevice::PciDevice(ConfigAccess& config, Address address)
    : dev::Device(DeviceName(address).text, dev::BusType::Pci)
    , m_config(&config)
    , m_address(address)
{
    read_header();
}

void PciDevice::read_header()
{
    m_vendor = config_read16(reg::vendor_id);
    m_device = config_read16(reg::device_id);
    u32 class_revision = config_read32(reg::revision);
    m_revision = u8(class_revision);
    m_class = class_revision >> 8;
    u8 header = config_read8(reg::header_type);
    m_header_type = header & HEADER_TYPE_MASK;
    m_multifunction = (header & HEADER_MULTIFUNCTION) != 0;
    if (m_header_type == HEADER_NORMAL || m_header_type == HEADER_BRIDGE) {
        m_interrupt_pin = config_read8(reg::interrupt_pin);
        m_interrupt_line = config_read8(reg::interrupt_line);
    }
    if (m_header_type == HEADER_BRIDGE) {
        m_secondary_bus = config_read8(reg::secondary_bus);
        m_subordinate_bus = config_read8(reg::subordinate_bus);
    }
    // A host bridge's decoding must never stop: it carries every other access. While a BAR
    // holds all ones no interrupt handler may reach the device, so interrupts stay off for the
    // few dozen configuration accesses sizing takes.
    bool keep_decoding = (m_class & CLASS_MASK_BASE_SUB) == CLASS_HOST_BRIDGE;
    {
        InterruptsDisabled no_interrupts;
        read_bars(*m_config, m_address, m_header_type, { m_bars, MAX_BARS }, keep_decoding);
    }
    m_capabilities = read_capabilities(*m_config, m_address, m_header_type);
}

Bar const& PciDevice::bar(usize index) const
{
    VERIFY(index < MAX_BARS);
    return m_bars[index];
}

void PciDevice::enable(Command bits)
{
    config_write16(reg::command, u16(kstd::to_underlying(command() | bits)));
}

void PciDevice::disable(Command bits)
{
    config_write16(reg::command, u16(kstd::to_underlying(command() & ~bits)));
}

Optional<irq::IrqLine> PciDevice::irq_line() const
{
    // Line 0 is what an unprogrammed function reads (and IRQ 0 is the timer); 16 and up
    // (0xFF by convention) mean "not routed".
    if (m_interrupt_pin == 0 || m_interrupt_pin > 4 || m_interrupt_line == 0 || m_interrupt_line >= 16)
        return kstd::nullopt;
    return irq::irqchip().isa_irq_to_line(m_interrupt_line);
}

char const* PciDevice::owner_or(char const* owner) const
{
    if (owner)
        return owner;
    return m_driver ? m_driver->name : name();
}

ErrorOr<io::PortRange> PciDevice::reserve_io_bar(usize index, char const* owner)
{
    if (index >= MAX_BARS || !m_bars[index].is_io())
        return Error::from_errno(EINVAL);
    Bar const& b = m_bars[index];
    if (b.address == 0 || b.address + b.size > 0x10000)
        return Error::from_errno(ENXIO);   // unassigned, or beyond the x86 port space
    auto range = TRY(io::reserve_ports(u16(b.address), u16(b.size), owner_or(owner)));
    enable_io_space();
    return range;
}

ErrorOr<io::MmioRegion> PciDevice::map_memory_bar(usize index, io::CachePolicy policy, char const* owner)
{
    if (index >= MAX_BARS || !m_bars[index].is_memory())
        return Error::from_errno(EINVAL);
    Bar const& b = m_bars[index];
    if (b.address == 0)
        return Error::from_errno(ENXIO);
    auto region = TRY(io::map_mmio(b.address, b.size, policy, owner_or(owner)));
    enable_memory_space();
    return region;
}

ErrorOr<irq::IrqHandle> PciDevice::request_irq(irq::Handler handler, void* ctx, char const* name, irq::IrqFlags flags)
{
    auto line = irq_line();
    if (!line.has_value())
        return Error::from_errno(ENODEV);
    return irq::request_irq(*line, handler, ctx, flags | irq::IrqFlags::Shared, owner_or(name));
}

void PciDevice::adopt_driver_state(OwnPtr<bus::DriverState> state)
{
    m_state = kstd::move(state);
    set_driver_data(m_state.ptr());
}

// ---- enumeration ----------------------------------------------------------------------------

namespace {

void scan_bus(u8 bus, PciDevice* parent);

bool mark_bus(u8 bus)
{
    u64 bit = u64(1) << (bus % 64);
    if (g_buses_seen[bus / 64] & bit)
        return false;
    g_buses_seen[bus / 64] |= bit;
    return true;
}

void add_function(Address address, PciDevice* parent)
{
    auto made = kstd::make<PciDevice>(*g_config, address);
    if (made.is_error()) {
        log_error("pci: no memory for %02x:%02x.%x\n", address.bus, address.device, address.function);
        return;
    }
    PciDevice* device = made.release_value().leak_ptr();   // devices live as long as the kernel
    BusInternals::set_parent(*device, parent);
    g_devices.push_back(*device);
    ++g_device_count;
    log_debug("pci: %s %04x:%04x class %06x\n", device->name(), device->vendor_id(), device->device_id(),
              device->class_code());
    if (!device->is_bridge())
        return;
    u8 secondary = device->secondary_bus();
    if (secondary == 0 || secondary <= address.bus) {
        log_warn("pci: bridge %s has no usable secondary bus (%u); not scanned\n", device->name(), secondary);
        return;
    }
    scan_bus(secondary, device);
}

void scan_bus(u8 bus, PciDevice* parent)
{
    if (!mark_bus(bus) || !g_config->prepare_bus(0, bus))
        return;
    for (u8 slot = 0; slot < MAX_DEVICES; ++slot) {
        Address address { 0, bus, slot, 0 };
        if (g_config->read16(address, reg::vendor_id) == INVALID_VENDOR)
            continue;
        bool multifunction = g_config->read8(address, reg::header_type) & HEADER_MULTIFUNCTION;
        for (u8 function = 0; function < (multifunction ? MAX_FUNCTIONS : 1); ++function) {
            address.function = function;
            if (function > 0 && g_config->read16(address, reg::vendor_id) == INVALID_VENDOR)
                continue;
            add_function(address, parent);
        }
    }
}

}

ErrorOr<void> enumerate()
{
    if (g_config)
        return {};
    g_config = detail::select_access();
    if (!g_config)
        return Error::from_errno(ENODEV);
    scan_bus(0, nullptr);
    log_info("pci: %lu functions through %s\n", g_device_count, g_config->name());
    return {};
}

DeviceList const& devices() { return g_devices; }
usize device_count() { return g_device_count; }

ConfigAccess& config_access()
{
    VERIFY(g_config);
    return *g_config;
}

PciDevice* find(Address address)
{
    for (auto& device : g_devices) {
        if (device.address() == address)
            return &device;
    }
    return nullptr;
}

PciDevice* find_id(u16 vendor, u16 device_id, usize instance)
{
    for (auto& device : g_devices) {
        if (device.vendor_id() == vendor && device.device_id() == device_id && instance-- == 0)
            return &device;
    }
    return nullptr;
}

// ---- drivers --------------------------------------------------------------------------------

Span<PciDriver const* const> drivers()
{
    return { __pci_drivers_start, usize(__pci_drivers_end - __pci_drivers_start) };
}

PciId const* match(PciDriver const& driver, PciDevice const& device)
{
    return match_id_table(driver.ids, device.identity());
}

namespace {

// Calls probe(); on failure destroys whatever the probe adopted and turns bus mastering back
// off if the probe turned it on. Locking: g_lock held.
ErrorOr<void> probe_locked(PciDevice& device, PciDriver const& driver, PciId const& id)
{
    bool was_master = device.is_bus_master();
    BusInternals::set_binding(device, &driver, &id);
    auto result = driver.probe(device, id);
    if (!result.is_error())
        return {};
    if (!was_master)
        device.disable_bus_master();
    BusInternals::set_binding(device, nullptr, nullptr);
    io::dma_report_leaks(device);
    return result.release_error();
}

bool probe_registered_locked(PciDevice& device)
{
    for (PciDriver const* driver : drivers()) {
        PciId const* id = match(*driver, device);
        if (!id)
            continue;
        auto result = probe_locked(device, *driver, *id);
        if (!result.is_error()) {
            log_info("pci: %s bound to %s\n", device.name(), driver->name);
            return true;
        }
        if (result.error().code() != ENODEV)
            log_warn("pci: %s probe of %s failed: %s\n", driver->name, device.name(), result.error().name());
    }
    return false;
}

}

ErrorOr<void> bind(PciDevice& device, PciDriver const& driver)
{
    sched::MutexGuard guard(g_lock);
    if (device.driver())
        return Error::from_errno(EBUSY);
    PciId const* id = match(driver, device);
    if (!id)
        return Error::from_errno(ENODEV);
    return probe_locked(device, driver, *id);
}

bool probe_device(PciDevice& device)
{
    sched::MutexGuard guard(g_lock);
    return !device.driver() && probe_registered_locked(device);
}

void probe_all()
{
    sched::MutexGuard guard(g_lock);
    for (auto& device : g_devices) {
        if (!device.driver())
            probe_registered_locked(device);
    }
}

namespace {

void unbind_locked(PciDevice& device)
{
    PciDriver const* driver = device.driver();
    if (driver->remove)
        driver->remove(device);
    device.disable_bus_master();           // no DMA into memory the state is about to free
    BusInternals::destroy_state(device);
    usize leaks = io::dma_report_leaks(device);
    if (leaks)
        log_warn("pci: %s left %lu DMA mappings on %s\n", driver->name, leaks, device.name());
    BusInternals::set_binding(device, nullptr, nullptr);
}

}

ErrorOr<void> unbind(PciDevice& device)
{
    sched::MutexGuard guard(g_lock);
    if (!device.driver())
        return Error::from_errno(ENOENT);
    unbind_locked(device);
    return {};
}

usize remove_driver(PciDriver const& driver)
{
    sched::MutexGuard guard(g_lock);
    usize count = 0;
    for (auto& device : g_devices) {
        if (device.driver() == &driver) {
            unbind_locked(device);
            ++count;
        }
    }
    return count;
}

}
