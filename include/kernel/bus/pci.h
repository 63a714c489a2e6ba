#pragma once
// The PCI bus (docs/architecture.md, "The device model"): enumeration of every
// bus/device/function through one ConfigAccess (ECAM or ports), BAR sizing, capabilities,
// command-register control, and ID-table matching with probe()/remove(). A driver:
//
//     constexpr pci::PciId ids[] = { { .vendor = 0x8086, .device = 0x100e, .driver_data = 0 } };
//     ErrorOr<void> probe(pci::PciDevice& dev, pci::PciId const& id)
//     {
//         auto state = TRY(kstd::make<Nic>());
//         state->regs = TRY(dev.map_memory_bar(0));
//         state->irq = TRY(dev.request_irq(nic_irq, state.ptr(), "e1000"));
//         dev.enable_bus_master();              // SeaBIOS leaves it off
//         dev.adopt_driver_state(kstd::move(state));
//         return {};
//     }
//     constexpr pci::PciDriver driver { .name = "e1000", .ids = ids, .probe = probe, .remove = remove };
//     KERNEL_PCI_DRIVER(driver)
//
// Interrupts: INTx through the line the firmware routed (interrupt_line, an ISA IRQ) translated
// by the IRQ chip, which works on both machines with the PIC and the IOAPIC. FIXME: q35 also
// delivers INTx on GSI 16-23 (the better choice with the IOAPIC); using it needs the _PRT (AML).
#include <kernel/bus/bus.h>
#include <kernel/bus/pci_config.h>
#include <kernel/bus/pci_decode.h>
#include <kernel/bus/pci_regs.h>
#include <kernel/dev/device.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/unique_ptr.h>

namespace pci {

class PciDevice;

struct PciDriver {
    char const* name;
    Span<PciId const> ids;
    // Called only for a device that matches an entry of `ids`, with that entry.
    // ENODEV: "not mine after all" (declined quietly, the next driver is tried).
    ErrorOr<void> (*probe)(PciDevice& device, PciId const& id);
    // Quiesce the device (mask its interrupts, stop DMA). May be null. The bus destroys the
    // driver state afterwards. Context: thread.
    void (*remove)(PciDevice& device);
};

// Registers a driver: a pointer to it in the .pci_drivers section (like KTEST, pointers and
// not the descriptors, which GCC may pad to 32-byte alignment).
#define KERNEL_PCI_DRIVER(driver)                                                             \
    [[gnu::used, gnu::section(".pci_drivers")]] static constinit ::pci::PciDriver const* const \
        pci_driver_ptr_##driver = &driver;

class PciDevice final : public dev::Device {
public:
    PciDevice(ConfigAccess& config, Address address);

    Address address() const { return m_address; }
    u16 vendor_id() const { return m_vendor; }
    u16 device_id() const { return m_device; }
    u32 class_code() const { return m_class; }   // 0xBBSSPP
    u8 base_class() const { return u8(m_class >> 16); }
    u8 subclass() const { return u8(m_class >> 8); }
    u8 prog_if() const { return u8(m_class); }
    u8 revision() const { return m_revision; }
    u8 header_type() const { return m_header_type; }   // without the multi-function bit
    bool is_multifunction() const { return m_multifunction; }
    bool is_bridge() const { return m_header_type == HEADER_BRIDGE; }
    u8 secondary_bus() const { return m_secondary_bus; }       // bridges
    u8 subordinate_bus() const { return m_subordinate_bus; }   // bridges
    PciDevice* parent_bridge() const { return m_parent; }
    Identity identity() const { return { m_vendor, m_device, m_class }; }

    // BARs as sized at enumeration.
    Bar const& bar(usize index) const;
    Span<Bar const> bars() const { return { m_bars, MAX_BARS }; }
    CapabilityList const& capabilities() const { return m_capabilities; }
    u8 find_capability(u8 id) const { return m_capabilities.find(id); }   // offset or 0

    // Raw configuration space, through the bus's ConfigAccess. Context: any.
    u8 config_read8(u16 offset) const { return m_config->read8(m_address, offset); }
    u16 config_read16(u16 offset) const { return m_config->read16(m_address, offset); }
    u32 config_read32(u16 offset) const { return m_config->read32(m_address, offset); }
    void config_write8(u16 offset, u8 value) { m_config->write8(m_address, offset, value); }
    void config_write16(u16 offset, u16 value) { m_config->write16(m_address, offset, value); }
    void config_write32(u16 offset, u32 value) { m_config->write32(m_address, offset, value); }

    // Command register. Context: thread. Locking: none (the bound driver owns its device).
    Command command() const { return Command(config_read16(reg::command)); }
    void enable(Command bits);
    void disable(Command bits);
    void enable_io_space() { enable(Command::IoSpace); }
    void enable_memory_space() { enable(Command::MemorySpace); }
    // Lets the device master the bus (DMA). SeaBIOS leaves it off; a DMA driver must call this.
    void enable_bus_master() { enable(Command::BusMaster); }
    void disable_bus_master() { disable(Command::BusMaster); }
    bool is_bus_master() const { return has(command(), Command::BusMaster); }

    // Interrupt pin (0 none, 1-4 INTA-INTD), the line the firmware routed (0xFF none), and the
    // IRQ-chip line to request. nullopt: no pin, or nothing routed.
    u8 interrupt_pin() const { return m_interrupt_pin; }
    u8 interrupt_line() const { return m_interrupt_line; }
    Optional<irq::IrqLine> irq_line() const;

    // Resources, as RAII handles (store them in the driver state). The owner shown in
    // `ioports`/`iomem`/`irqs` defaults to the bound driver's name, else the device's.
    // EINVAL: index out of range or the BAR is not of that kind (or absent); ENXIO: the
    // firmware left it unassigned (address 0); EBUSY/ENOMEM from the I/O manager. Reserving
    // also turns the matching decoding on. Context: thread.
    [[nodiscard]] ErrorOr<io::PortRange> reserve_io_bar(usize index, char const* owner = nullptr);
    [[nodiscard]] ErrorOr<io::MmioRegion> map_memory_bar(usize index, io::CachePolicy policy = io::CachePolicy::Uncached,
                                                         char const* owner = nullptr);
    // request_irq on irq_line(), Shared added (PCI INTx lines are shared and level-triggered).
    // ENODEV: the device has no routed interrupt. Context: thread.
    [[nodiscard]] ErrorOr<irq::IrqHandle> request_irq(irq::Handler handler, void* ctx, char const* name = nullptr,
                                                      irq::IrqFlags flags = irq::IrqFlags::None);

    // Driver binding (see bus.h for the discipline).
    PciDriver const* driver() const { return m_driver; }
    PciId const* matched_id() const { return m_matched_id; }
    // Hands the driver's state to the device; the bus destroys it on remove or failed probe.
    void adopt_driver_state(OwnPtr<bus::DriverState> state);
    bus::DriverState* driver_state() const { return m_state.ptr(); }
    // The state as the driver's own type (no RTTI: the driver knows what it adopted).
    template<typename T>
    T* driver_state_as() const { return static_cast<T*>(m_state.ptr()); }

private:
    friend struct BusInternals;
    void read_header();
    char const* owner_or(char const* owner) const;

    ConfigAccess* m_config;
    Address m_address;
    u16 m_vendor { 0 };
    u16 m_device { 0 };
    u32 m_class { 0 };
    u8 m_revision { 0 };
    u8 m_header_type { 0 };
    bool m_multifunction { false };
    u8 m_interrupt_pin { 0 };
    u8 m_interrupt_line { 0xFF };
    u8 m_secondary_bus { 0 };
    u8 m_subordinate_bus { 0 };
    PciDevice* m_parent { nullptr };
    Bar m_bars[MAX_BARS] {};
    CapabilityList m_capabilities {};

    PciDriver const* m_driver { nullptr };     // Guarded by the bus mutex
    PciId const* m_matched_id { nullptr };     // Guarded by the bus mutex
    OwnPtr<bus::DriverState> m_state;          // Guarded by the bus mutex

public:
    IntrusiveListNode m_bus_node;              // on the bus's device list (never removed)
};

using DeviceList = IntrusiveList<PciDevice, &PciDevice::m_bus_node>;

// The enumerated devices, in scan order (depth first through bridges). The list is built by
// bus::init() and never changes afterwards. Context: any. Locking: none needed.
DeviceList const& devices();
usize device_count();
// The function at `address`, or the n-th function with this vendor/device; nullptr if none.
// Context: any.
PciDevice* find(Address address);
PciDevice* find_id(u16 vendor, u16 device, usize instance = 0);

// The mechanism in use ("ecam" or "ports"), and each one on its own for comparisons (tests,
// lspci): port_access() is nullptr when mechanism #1 does not answer, ecam_access() when
// there is no MCFG (it is created on first use, also under pci=legacy). Context: thread.
ConfigAccess& config_access();
ConfigAccess* port_access();
ConfigAccess* ecam_access();

// The registered drivers (.pci_drivers), in link order. Context: any.
Span<PciDriver const* const> drivers();
// The entry of `driver`'s table that matches `device`, or nullptr. Context: any.
PciId const* match(PciDriver const& driver, PciDevice const& device);

// Binds `driver` to `device` if its table matches: ENODEV no match, EBUSY already bound, else
// what probe() returned (the state is destroyed then). The test-only path for drivers that are
// not registered, and the way to pick one driver explicitly.
// Context: thread. Locking: the PCI bus mutex, held across probe() (a probe must not bind).
[[nodiscard]] ErrorOr<void> bind(PciDevice& device, PciDriver const& driver);
// Tries the registered drivers on an unbound device; true when one bound. Context, Locking: bind.
bool probe_device(PciDevice& device);
// Calls remove(), turns bus mastering off, destroys the state, reports leaked DMA mappings
// (io::dma_report_leaks). ENOENT if no driver is bound. Context, Locking: as bind.
[[nodiscard]] ErrorOr<void> unbind(PciDevice& device);
// Unbinds `driver` from every device it drives; returns how many. Context, Locking: as bind.
usize remove_driver(PciDriver const& driver);

}
