// The char device class: registration, handles and the blocking helper
// (include/kernel/dev/chardev.h). The defaults for null entries are in ops_defaults.cpp.
#include "internal.h"
#include <kernel/dev/chardev.h>
#include <kernel/dev/node.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/entity.h>
#include <kernel/time/clock.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace dev {

namespace {
NumberSpace g_char_numbers;   // Guarded by the devfs lock
}

ErrorOr<CharDevHandle> register_chardev(StringView name, u16 major, u16 minor, CharDevOps const& ops, void* data)
{
    TRY(devfs::internal::check_name(name));
    auto* device = new (kstd::nothrow) CharDevice(name, chardev::with_defaults(ops), data);
    if (!device)
        return Error::from_errno(ENOMEM);
    if (auto published = devfs::internal::publish(*device, g_char_numbers, major, minor); published.is_error()) {
        device->unref();
        return published.release_error();
    }
    return CharDevHandle(*device);
}

CharDevHandle::CharDevHandle(CharDevice& device) : m_device(&device) {}

CharDevHandle::CharDevHandle(CharDevHandle&& other) : m_device(kstd::exchange(other.m_device, nullptr)) {}

CharDevHandle& CharDevHandle::operator=(CharDevHandle&& other)
{
    if (this != &other) {
        unregister();
        m_device = kstd::exchange(other.m_device, nullptr);
    }
    return *this;
}

void CharDevHandle::unregister()
{
    CharDevice* device = kstd::exchange(m_device, nullptr);
    if (!device)
        return;
    devfs::internal::unpublish(*device, g_char_numbers);
    device->revoke();
    device->unref();
}

void CharDevHandle::wake_waiters() const
{
    if (m_device)
        m_device->wake_waiters();
}

sched::WaitQueue& CharDevHandle::waiters() const
{
    VERIFY(m_device);
    return m_device->waiters();
}

DeviceNumber CharDevHandle::number() const { return m_device ? m_device->number() : DeviceNumber {}; }

}

namespace chardev {

ErrorOr<void> wait_until(File& file, kstd::Function<bool()> const& ready)
{
    dev::Node& node = file.node();
    bool gone = false;
    auto condition = [&] {
        gone = node.is_gone();
        return gone || ready();
    };
    if (file.is_nonblocking()) {
        bool satisfied;
        {
            InterruptsDisabled no_interrupts;   // ready() is promised interrupts off
            satisfied = condition();
        }
        if (gone)
            return Error::from_errno(ENODEV);
        if (!satisfied)
            return Error::from_errno(EAGAIN);
        return {};
    }
    // A user process killed while it sleeps here leaves with EINTR (sched::interrupt).
    auto waited = node.waiters().wait_event_until(condition, sched::deadline_after(file.timeout_ns()));
    if (gone)
        return Error::from_errno(ENODEV);
    return waited;
}

}
