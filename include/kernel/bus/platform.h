#pragma once
// The platform bus: fixed legacy devices that no bus enumerates (docs/architecture.md, "Buses").
// bus::init() registers the ones that are present, each with named resources:
//
//   device            instances   resources                              present when
//   serial8250.N      0-3         "io" 0x3F8/0x2F8/0x3E8/0x2E8 x8,       the scratch register
//                                 "irq" 4/3/4/3                          keeps what was written
//   i8042.0           0           "data" 0x60, "cmd" 0x64, "kbd-irq" 1,  the FADT's IAPC_BOOT_ARCH
//                                 "aux-irq" 12                           says so (ACPI 1.0: yes)
//   ata_legacy.N      0-1         "cmd" 0x1F0/0x170 x8, "ctl" 0x3F6/0x376 a PCI IDE function has the
//                                 x1, "irq" 14/15                        channel in compatibility mode,
//                                                                        or (no PCI IDE) the status
//                                                                        port does not float (0xFF)
//   vga.0             0           "crtc" 0x3D4 x2                        no PCI function is VGA-
//                                                                        compatible, and the CRTC
//                                                                        index keeps what was written
//
// Drivers match by device name ("serial8250", "i8042", "ata_legacy", "vga") with the same probe
// discipline as PCI (bus.h): resources are RAII handles in the driver state, a failed probe
// unwinds by itself.
//
//     ErrorOr<void> probe(platform::PlatformDevice& dev)
//     {
//         auto state = TRY(kstd::make<Uart>());
//         state->ports = TRY(dev.reserve_ports("io"));
//         state->irq = TRY(dev.request_irq("irq", uart_irq, state.ptr()));
//         dev.adopt_driver_state(kstd::move(state));
//         return {};
//     }
//     constexpr platform::PlatformDriver driver { .name = "uart16550", .match = "serial8250",
//                                                 .probe = probe, .remove = remove };
//     KERNEL_PLATFORM_DRIVER(driver)
#include <kernel/bus/bus.h>
#include <kernel/dev/device.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/unique_ptr.h>

namespace platform {

class PlatformDevice;

enum class ResourceKind : u8 { Ports, Irq };

struct Resource {
    char const* name;     // "io", "cmd", "ctl", "irq", ...
    ResourceKind kind;
    u32 start;            // first port, or the ISA IRQ number
    u32 length;           // ports; 1 for an IRQ
};

struct PlatformDriver {
    char const* name;     // the driver's name (listings, resource owners)
    char const* match;    // the device name it drives; nullptr: same as `name`
    // ENODEV declines quietly; see pci::PciDriver.
    ErrorOr<void> (*probe)(PlatformDevice& device);
    void (*remove)(PlatformDevice& device);   // may be null
};

#define KERNEL_PLATFORM_DRIVER(driver)                                                        \
    [[gnu::used, gnu::section(".platform_drivers")]] static constinit                         \
        ::platform::PlatformDriver const* const platform_driver_ptr_##driver = &driver;

class PlatformDevice final : public dev::Device {
public:
    static constexpr usize MAX_RESOURCES = 4;

    // `match_name` must outlive the device (a string literal); the device is named
    // "<match_name>.<instance>".
    PlatformDevice(char const* match_name, u32 instance, Span<Resource const> resources);

    char const* match_name() const { return m_match_name; }
    u32 instance() const { return m_instance; }
    Span<Resource const> resources() const { return { m_resources, m_resource_count }; }
    Optional<Resource> resource(char const* name) const;

    // The ports of resource `name` as an RAII reservation (owner: the bound driver's name unless
    // given). EINVAL: no port resource of that name; EBUSY/ENOMEM from the I/O manager.
    // Context: thread.
    [[nodiscard]] ErrorOr<io::PortRange> reserve_ports(char const* name, char const* owner = nullptr,
                                                       io::Sharing sharing = io::Sharing::Exclusive);
    // The IRQ-chip line of IRQ resource `name` (ISA IRQ through the MADT overrides).
    Optional<irq::IrqLine> irq_line(char const* name) const;
    // request_irq on that line. EINVAL: no IRQ resource of that name. Context: thread.
    [[nodiscard]] ErrorOr<irq::IrqHandle> request_irq(char const* name, irq::Handler handler, void* ctx,
                                                      char const* owner = nullptr,
                                                      irq::IrqFlags flags = irq::IrqFlags::None);

    PlatformDriver const* driver() const { return m_driver; }
    void adopt_driver_state(OwnPtr<bus::DriverState> state);
    bus::DriverState* driver_state() const { return m_state.ptr(); }
    template<typename T>
    T* driver_state_as() const { return static_cast<T*>(m_state.ptr()); }

private:
    friend struct PlatformInternals;
    char const* owner_or(char const* owner) const;

    char const* m_match_name;
    u32 m_instance;
    Resource m_resources[MAX_RESOURCES] {};
    usize m_resource_count { 0 };
    PlatformDriver const* m_driver { nullptr };   // Guarded by the bus mutex
    OwnPtr<bus::DriverState> m_state;             // Guarded by the bus mutex

public:
    IntrusiveListNode m_bus_node;                 // on the device list (never removed)
};

using DeviceList = IntrusiveList<PlatformDevice, &PlatformDevice::m_bus_node>;

// Adds a device (bus::init does it for the legacy ones; tests may add their own). EINVAL: more
// than MAX_RESOURCES resources; EEXIST: that name and instance exist; ENOMEM.
// Context: thread. Locking: the platform bus mutex.
[[nodiscard]] ErrorOr<PlatformDevice*> register_device(char const* match_name, u32 instance,
                                                       Span<Resource const> resources);

// The registered devices; the device with that name and instance (nullptr if none); the
// registered drivers; whether a driver drives devices of that name. Context: thread (devices
// are added under the platform bus mutex; list walks happen in thread context).
DeviceList const& devices();
PlatformDevice* find(char const* match_name, u32 instance = 0);
Span<PlatformDriver const* const> drivers();
bool matches(PlatformDriver const& driver, PlatformDevice const& device);

// As the PCI functions of the same names (pci.h). Context: thread. Locking: the platform bus
// mutex, held across probe() and remove().
[[nodiscard]] ErrorOr<void> bind(PlatformDevice& device, PlatformDriver const& driver);
bool probe_device(PlatformDevice& device);
[[nodiscard]] ErrorOr<void> unbind(PlatformDevice& device);
usize remove_driver(PlatformDriver const& driver);

}
