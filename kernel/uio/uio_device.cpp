// /dev/uioN: the file through which a user-mode driver reaches its device (include/uapi/uio.h
// describes it from the program's side).
//
// The interrupt is requested when the first process opens the file and freed when the last one
// closes it: interrupts reach user space only while a driver is there to take them. The top
// half cannot know what the device wants (that is the user driver's business), so it does what
// Linux's generic UIO handler does: it masks the line at the interrupt controller, counts, and
// wakes the readers. The driver acknowledges the device, then writes 1 to unmask the line.
#include "uio_device.h"
#include <kernel/dev/devfs.h>
#include <kernel/irq/irqchip.h>
#include <kernel/irq_flags.h>
#include <kernel/mm/layout.h>
#include <kernel/printk.h>
#include <uapi/memory.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace uio {

namespace {

u32 g_next_minor = 0;

UioDevice& device_of(dev::File& file) { return *static_cast<UioDevice*>(file.device_data()); }

// The count this open File has reported, so each reader sees each interrupt once.
struct OpenState {
    u32 seen;
};

irq::IrqReturn top_half(void* ctx)
{
    auto& device = *static_cast<UioDevice*>(ctx);
    irq::irqchip().mask(*device.line);   // until the user driver writes 1
    device.count = device.count + 1;
    device.node.wake_waiters();
    return irq::IrqReturn::Handled;
}

ErrorOr<void> uio_open(dev::File& file)
{
    UioDevice& device = device_of(file);
    auto state = TRY(kstd::make<OpenState>());
    sched::MutexGuard guard(device.lock);
    // Seen before the line is requested: an interrupt the device had pending fires at once
    // and reaches the first read, instead of masking the line behind the driver's back.
    state->seen = device.count;
    if (device.line.has_value() && device.opens == 0)
        device.irq = TRY(irq::request_irq(*device.line, top_half, &device, irq::IrqFlags::None, device.name));
    ++device.opens;
    file.set_private_data(state.leak_ptr());
    return {};
}

void uio_release(dev::File& file)
{
    UioDevice& device = device_of(file);
    delete static_cast<OpenState*>(file.private_data());
    sched::MutexGuard guard(device.lock);
    if (--device.opens == 0)
        device.irq.release();   // masks the line again: no driver, no interrupts
}

// read(fd, &count, 4): blocks until an interrupt this File has not reported yet.
ErrorOr<usize> uio_read(dev::File& file, Bytes buffer, u64)
{
    UioDevice& device = device_of(file);
    if (buffer.size() != sizeof(u32))
        return Error::from_errno(EINVAL);
    if (!device.line.has_value())
        return Error::from_errno(EIO);   // this device has no interrupt to wait for
    auto& state = *static_cast<OpenState*>(file.private_data());
    TRY(chardev::wait_until(file, [&] { return device.count != state.seen; }));
    u32 count = device.count;
    state.seen = count;
    memcpy(buffer.data(), &count, sizeof(count));
    return sizeof(count);
}

// write(fd, &value, 4): 1 unmasks the interrupt line, 0 masks it.
ErrorOr<usize> uio_write(dev::File& file, ReadonlyBytes data, u64)
{
    UioDevice& device = device_of(file);
    u32 value;
    if (data.size() != sizeof(value))
        return Error::from_errno(EINVAL);
    memcpy(&value, data.data(), sizeof(value));
    if (value > 1)
        return Error::from_errno(EINVAL);
    if (!device.line.has_value())
        return Error::from_errno(EIO);
    InterruptsDisabled guard;
    if (value)
        irq::irqchip().unmask(*device.line);
    else
        irq::irqchip().mask(*device.line);
    return sizeof(value);
}

ErrorOr<u64> uio_ioctl(dev::File& file, u32 request, uptr argument)
{
    if (request != uapi::UIO_GET_INFO)
        return Error::from_errno(ENOTTY);
    if (!argument)
        return Error::from_errno(EFAULT);
    memcpy(reinterpret_cast<void*>(argument), &device_of(file).info, sizeof(uapi::UioInfo));
    return 0;
}

dev::PollMask uio_poll(dev::File& file)
{
    UioDevice& device = device_of(file);
    auto const& state = *static_cast<OpenState*>(file.private_data());
    return device.count != state.seen ? dev::PollMask::Readable | dev::PollMask::Writable : dev::PollMask::Writable;
}

mm::CachePolicy policy_of(u32 cache_type)
{
    switch (uapi::CacheType(cache_type)) {
    case uapi::CacheType::WriteBack: return mm::CachePolicy::WriteBack;
    case uapi::CacheType::WriteThrough: return mm::CachePolicy::WriteThrough;
    case uapi::CacheType::WriteCombining: return mm::CachePolicy::WriteCombining;
    case uapi::CacheType::Uncached: break;
    }
    return mm::CachePolicy::Uncached;
}

// Region N of the device lies at file offset N pages (Linux's UIO convention).
ErrorOr<dev::MmapRegion> uio_mmap(dev::File& file, u64 offset, u64 length)
{
    UioDevice& device = device_of(file);
    u64 index = offset / mm::PAGE_SIZE;
    if (index >= device.info.region_count)
        return Error::from_errno(EINVAL);
    uapi::UioRegion const& region = device.info.regions[index];
    if (region.kind != uapi::UioRegionKind::Memory)
        return Error::from_errno(ENODEV);   // ports are reached with ioperm, not mmap
    if (length > kstd::align_up(region.length, mm::PAGE_SIZE))
        return Error::from_errno(EINVAL);
    return dev::MmapRegion { region.start, kstd::min(length, region.length), policy_of(region.cache_type) };
}

constexpr dev::CharDevOps uio_ops {
    .driver = "uio",
    .open = uio_open,
    .release = uio_release,
    .read = uio_read,
    .write = uio_write,
    .ioctl = uio_ioctl,
    .poll = uio_poll,
    .mmap = uio_mmap,
};

}

UioDevice::~UioDevice()
{
    node.unregister();   // releases every open File first, so the interrupt goes with them
    irq.release();
}

ErrorOr<void> UioDevice::publish()
{
    info.irq = line.has_value() ? u32(*line) : uapi::UIO_NO_IRQ;
    u32 minor = g_next_minor;
    kstd::snprintf(name, sizeof(name), "uio%u", minor);
    node = TRY(dev::register_chardev(StringView(name), 0, u16(minor), uio_ops, this));
    ++g_next_minor;
    log_info("uio: %s is /dev/%s (%u regions, irq %s)\n", info.device, name, info.region_count,
             line.has_value() ? "yes" : "none");
    return {};
}

}
