// The platform bus (include/kernel/bus/platform.h): devices registered by name with fixed
// resources, drivers matched by that name, and the probe discipline of include/kernel/bus/bus.h.
#include "platform_internal.h"
#include <kernel/io/dma.h>
#include <kernel/irq/irqchip.h>
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

extern "C" platform::PlatformDriver const* const __platform_drivers_start[];
extern "C" platform::PlatformDriver const* const __platform_drivers_end[];

namespace platform {

namespace {

DeviceList g_devices;
sched::Mutex g_lock { "platform bus" };   // the device list and every device's binding

struct DeviceName {
    char text[32];
    DeviceName(char const* match_name, u32 instance)
    {
        kstd::snprintf(text, sizeof(text), "%s.%u", match_name, instance);
    }
};

}

struct PlatformInternals {
    static void set_binding(PlatformDevice& device, PlatformDriver const* driver)
    {
        device.m_driver = driver;
        device.set_driver_name(driver ? driver->name : nullptr);
        if (!driver)
            destroy_state(device);
    }
    static void destroy_state(PlatformDevice& device)
    {
        device.m_state = nullptr;
        device.set_driver_data(nullptr);
    }
};

// ---- PlatformDevice -------------------------------------------------------------------------

PlatformDevice::PlatformDevice(char const* match_name, u32 instance, Span<Resource const> resources)
    : dev::Device(DeviceName(match_name, instance).text, dev::BusType::Platform)
    , m_match_name(match_name)
    , m_instance(instance)
{
    VERIFY(resources.size() <= MAX_RESOURCES);
    for (auto const& r : resources)
        m_resources[m_resource_count++] = r;
}

Optional<Resource> PlatformDevice::resource(char const* name) const
{
    for (auto const& r : resources()) {
        if (kstd::strcmp(r.name, name) == 0)
            return r;
    }
    return kstd::nullopt;
}

char const* PlatformDevice::owner_or(char const* owner) const
{
    if (owner)
        return owner;
    return m_driver ? m_driver->name : this->name();
}

ErrorOr<io::PortRange> PlatformDevice::reserve_ports(char const* name, char const* owner, io::Sharing sharing)
{
    auto r = resource(name);
    if (!r.has_value() || r->kind != ResourceKind::Ports)
        return Error::from_errno(EINVAL);
    return io::reserve_ports(u16(r->start), u16(r->length), owner_or(owner), sharing);
}

Optional<irq::IrqLine> PlatformDevice::irq_line(char const* name) const
{
    auto r = resource(name);
    if (!r.has_value() || r->kind != ResourceKind::Irq)
        return kstd::nullopt;
    return irq::irqchip().isa_irq_to_line(u8(r->start));
}

ErrorOr<irq::IrqHandle> PlatformDevice::request_irq(char const* name, irq::Handler handler, void* ctx, char const* owner,
                                                    irq::IrqFlags flags)
{
    auto line = irq_line(name);
    if (!line.has_value())
        return Error::from_errno(EINVAL);
    return irq::request_irq(*line, handler, ctx, flags, owner_or(owner));
}

void PlatformDevice::adopt_driver_state(OwnPtr<bus::DriverState> state)
{
    m_state = kstd::move(state);
    set_driver_data(m_state.ptr());
}

// ---- registry -------------------------------------------------------------------------------

ErrorOr<PlatformDevice*> register_device(char const* match_name, u32 instance, Span<Resource const> resources)
{
    if (resources.size() > PlatformDevice::MAX_RESOURCES)
        return Error::from_errno(EINVAL);
    sched::MutexGuard guard(g_lock);
    for (auto& device : g_devices) {
        if (kstd::strcmp(device.match_name(), match_name) == 0 && device.instance() == instance)
            return Error::from_errno(EEXIST);
    }
    auto device = TRY(kstd::make<PlatformDevice>(match_name, instance, resources));
    PlatformDevice* raw = device.leak_ptr();   // devices live as long as the kernel
    g_devices.push_back(*raw);
    log_debug("platform: %s\n", raw->name());
    return raw;
}

DeviceList const& devices() { return g_devices; }

PlatformDevice* find(char const* match_name, u32 instance)
{
    for (auto& device : g_devices) {
        if (kstd::strcmp(device.match_name(), match_name) == 0 && device.instance() == instance)
            return &device;
    }
    return nullptr;
}

Span<PlatformDriver const* const> drivers()
{
    return { __platform_drivers_start, usize(__platform_drivers_end - __platform_drivers_start) };
}

bool matches(PlatformDriver const& driver, PlatformDevice const& device)
{
    char const* wanted = driver.match ? driver.match : driver.name;
    return kstd::strcmp(wanted, device.match_name()) == 0;
}

// ---- binding --------------------------------------------------------------------------------

namespace {

// Locking: g_lock held.
ErrorOr<void> probe_locked(PlatformDevice& device, PlatformDriver const& driver)
{
    PlatformInternals::set_binding(device, &driver);
    auto result = driver.probe(device);
    if (!result.is_error())
        return {};
    PlatformInternals::set_binding(device, nullptr);
    io::dma_report_leaks(device);
    return result.release_error();
}

bool probe_registered_locked(PlatformDevice& device)
{
    for (PlatformDriver const* driver : drivers()) {
        if (!matches(*driver, device))
            continue;
        auto result = probe_locked(device, *driver);
        if (!result.is_error()) {
            log_info("platform: %s bound to %s\n", device.name(), driver->name);
            return true;
        }
        if (result.error().code() != ENODEV)
            log_warn("platform: %s probe of %s failed: %s\n", driver->name, device.name(), result.error().name());
    }
    return false;
}

void unbind_locked(PlatformDevice& device)
{
    PlatformDriver const* driver = device.driver();
    if (driver->remove)
        driver->remove(device);
    PlatformInternals::destroy_state(device);
    usize leaks = io::dma_report_leaks(device);
    if (leaks)
        log_warn("platform: %s left %lu DMA mappings on %s\n", driver->name, leaks, device.name());
    PlatformInternals::set_binding(device, nullptr);
}

}

ErrorOr<void> bind(PlatformDevice& device, PlatformDriver const& driver)
{
    sched::MutexGuard guard(g_lock);
    if (device.driver())
        return Error::from_errno(EBUSY);
    if (!matches(driver, device))
        return Error::from_errno(ENODEV);
    return probe_locked(device, driver);
}

bool probe_device(PlatformDevice& device)
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

ErrorOr<void> unbind(PlatformDevice& device)
{
    sched::MutexGuard guard(g_lock);
    if (!device.driver())
        return Error::from_errno(ENOENT);
    unbind_locked(device);
    return {};
}

usize remove_driver(PlatformDriver const& driver)
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
