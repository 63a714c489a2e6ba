// The models' port bus (port_bus.h) and the host definitions of io::PortWindow's accessors.
#include <kstd/error.h>
#include "port_bus.h"
#include "clock.h"
#include <kernel/io/window.h>

namespace models {

PortBus& port_bus()
{
    static PortBus instance;
    return instance;
}

void PortBus::attach(u16 base, u16 length, PortDevice& device, char const* name)
{
    VERIFY(length > 0);
    for (auto const& claim : m_claims)
        VERIFY(base + length <= claim.base || claim.base + claim.length <= base);
    m_claims.push_back({ base, length, &device, name });
}

void PortBus::detach(PortDevice& device)
{
    std::erase_if(m_claims, [&](Claim const& claim) { return claim.device == &device; });
}

void PortBus::detach_all() { m_claims.clear(); }

PortDevice* PortBus::owner(u16 port, u8 width)
{
    for (auto const& claim : m_claims) {
        if (port >= claim.base && u32(port) + width <= u32(claim.base) + claim.length)
            return claim.device;
    }
    return nullptr;
}

u32 PortBus::read(u16 port, u8 width)
{
    clock().spend_access();
    PortDevice* device = owner(port, width);
    u32 value = width == 4 ? 0xFFFFFFFFu : (1u << (8 * width)) - 1;
    if (device)
        value = device->port_read(port, width);
    else
        ++m_unclaimed;
    if (m_recording)
        m_log.push_back({ clock().now(), port, width, false, value });
    return value;
}

void PortBus::write(u16 port, u8 width, u32 value)
{
    clock().spend_access();
    if (m_recording)
        m_log.push_back({ clock().now(), port, width, true, value });
    if (PortDevice* device = owner(port, width))
        device->port_write(port, width, value);
    else
        ++m_unclaimed;
}

void PortBus::reset()
{
    m_claims.clear();
    m_unclaimed = 0;
    m_recording = false;
    m_log.clear();
}

}

// ---- io::PortWindow on the host ------------------------------------------------------------
// The same offset check as the kernel's (arch/x86_64/port_io.cpp): a driver bug is a VERIFY.

namespace io {

namespace {

u16 port_of(u16 base, u16 length, u16 offset, u16 width)
{
    VERIFY(u32(offset) + width <= length);
    return u16(base + offset);
}

}

u8 PortWindow::read8(u16 offset) const { return u8(models::port_bus().read(port_of(m_base, m_length, offset, 1), 1)); }
u16 PortWindow::read16(u16 offset) const { return u16(models::port_bus().read(port_of(m_base, m_length, offset, 2), 2)); }
u32 PortWindow::read32(u16 offset) const { return models::port_bus().read(port_of(m_base, m_length, offset, 4), 4); }
void PortWindow::write8(u16 offset, u8 value) const { models::port_bus().write(port_of(m_base, m_length, offset, 1), 1, value); }
void PortWindow::write16(u16 offset, u16 value) const { models::port_bus().write(port_of(m_base, m_length, offset, 2), 2, value); }
void PortWindow::write32(u16 offset, u32 value) const { models::port_bus().write(port_of(m_base, m_length, offset, 4), 4, value); }

// `rep insw`/`rep outsw`: one bus access per word, as the CPU does them.
void PortWindow::read16_repeated(u16 offset, u16* buffer, usize count) const
{
    u16 port = port_of(m_base, m_length, offset, 2);
    for (usize i = 0; i < count; ++i)
        buffer[i] = u16(models::port_bus().read(port, 2));
}

void PortWindow::write16_repeated(u16 offset, u16 const* buffer, usize count) const
{
    u16 port = port_of(m_base, m_length, offset, 2);
    for (usize i = 0; i < count; ++i)
        models::port_bus().write(port, 2, buffer[i]);
}

}
