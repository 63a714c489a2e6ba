// The models' MMIO bus (mmio_bus.h) and the host backend of io::MmioWindow.
#include <kstd/error.h>
#include "mmio_bus.h"
#include "clock.h"
#include <kernel/io/window.h>

namespace models {

MmioBus& mmio_bus()
{
    static MmioBus instance;
    return instance;
}

void MmioBus::attach(u64 base, u64 length, MmioDevice& device, char const* name)
{
    VERIFY(length > 0);
    for (auto const& claim : m_claims)
        VERIFY(base + length <= claim.base || claim.base + claim.length <= base);
    m_claims.push_back({ base, length, &device, name });
}

void MmioBus::detach(MmioDevice& device)
{
    std::erase_if(m_claims, [&](Claim const& claim) { return claim.device == &device; });
}

MmioBus::Claim const* MmioBus::owner(u64 address, u8 width) const
{
    for (auto const& claim : m_claims) {
        if (address >= claim.base && address - claim.base + width <= claim.length)
            return &claim;
    }
    return nullptr;
}

u64 MmioBus::read(u64 address, u8 width)
{
    clock().spend_access();
    if (Claim const* claim = owner(address, width))
        return claim->device->mmio_read(address - claim->base, width);
    ++m_unclaimed;
    return width == 8 ? ~0ull : (1ull << (8 * width)) - 1;
}

void MmioBus::write(u64 address, u8 width, u64 value)
{
    clock().spend_access();
    if (Claim const* claim = owner(address, width))
        claim->device->mmio_write(address - claim->base, width, value);
    else
        ++m_unclaimed;
}

void MmioBus::reset()
{
    m_claims.clear();
    m_unclaimed = 0;
}

}

u64 io::detail::host_mmio_read(u64 address, u8 width) { return models::mmio_bus().read(address, width); }
void io::detail::host_mmio_write(u64 address, u8 width, u64 value) { models::mmio_bus().write(address, width, value); }
