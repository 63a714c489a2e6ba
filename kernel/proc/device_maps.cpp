// A process's device mappings (kernel/proc/device_maps.h).
#include <kernel/proc/device_maps.h>
#include <kernel/mm/layout.h>
#include <uapi/memory.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace proc {

ErrorOr<u64> DeviceMappings::map(mm::AddressSpace& space, dev::MmapRegion const& region, bool writable,
                                 io::Sharing sharing, char const* owner)
{
    if (region.length == 0)
        return Error::from_errno(EINVAL);
    Entry* slot = nullptr;
    for (auto& entry : m_entries) {
        if (entry.size == 0) {
            slot = &entry;
            break;
        }
    }
    if (!slot)
        return Error::from_errno(ENOSPC);
    u64 page_phys = kstd::align_down(region.phys, mm::PAGE_SIZE);
    u64 size = kstd::align_up(region.phys + region.length, mm::PAGE_SIZE) - page_phys;
    if (m_next == 0)
        m_next = uapi::DEVICE_MAP_BASE;
    u64 virt = m_next;
    if (virt + size + mm::PAGE_SIZE > uapi::STACK_TOP - uapi::STACK_SIZE - mm::PAGE_SIZE)
        return Error::from_errno(ENOMEM);
    auto reservation = TRY(io::map_mmio(region.phys, region.length, region.policy, owner, sharing));
    mm::PageFlags flags = mm::PageFlags::NoExecute | (writable ? mm::PageFlags::Writable : mm::PageFlags::None);
    TRY(space.map_device(virt, page_phys, size, flags, region.policy));
    slot->virt = virt;
    slot->size = size;
    slot->reservation = kstd::move(reservation);
    m_next = virt + size + mm::PAGE_SIZE;   // a guard page between mappings
    return virt + (region.phys - page_phys);
}

ErrorOr<void> DeviceMappings::unmap(mm::AddressSpace& space, u64 address, u64 length)
{
    u64 virt = kstd::align_down(address, mm::PAGE_SIZE);
    for (auto& entry : m_entries) {
        if (entry.size == 0 || entry.virt != virt)
            continue;
        if (kstd::align_up(address + length, mm::PAGE_SIZE) - virt != entry.size)
            return Error::from_errno(EINVAL);
        TRY(space.unmap(entry.virt, entry.size));
        entry.reservation.release();
        entry.size = 0;
        return {};
    }
    return Error::from_errno(EINVAL);
}

void DeviceMappings::release_all(mm::AddressSpace* space)
{
    for (auto& entry : m_entries) {
        if (entry.size == 0)
            continue;
        if (space)
            (void)space->unmap(entry.virt, entry.size);
        entry.reservation.release();
        entry.size = 0;
    }
}

bool DeviceMappings::contains(u64 address) const
{
    for (auto const& entry : m_entries) {
        if (entry.size && address >= entry.virt && address < entry.virt + entry.size)
            return true;
    }
    return false;
}

u32 DeviceMappings::count() const
{
    u32 count = 0;
    for (auto const& entry : m_entries)
        count += entry.size ? 1 : 0;
    return count;
}

}
