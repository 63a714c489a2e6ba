#pragma once
// The device memory a process has mapped (mmap on a device file): each mapping is an I/O
// manager reservation in the process's name (so no other process or driver owns the range at
// the same time, unless all of them asked to share it) plus the pages in its address space,
// mapped with the memory type the device chose. Exiting unmaps and releases all of them.
// Context: thread (the process's own). Locking: none (only the owner changes it).
#include <kernel/dev/file.h>
#include <kernel/io/io.h>
#include <kernel/mm/address_space.h>
#include <kstd/error.h>
#include <kstd/optional.h>
#include <kstd/types.h>

namespace proc {

class DeviceMappings {
public:
    static constexpr usize MAX_MAPPINGS = 16;

    DeviceMappings() = default;
    DeviceMappings(DeviceMappings const&) = delete;
    DeviceMappings& operator=(DeviceMappings const&) = delete;

    // Reserves region's range for `owner` and maps it into `space` at a fresh address above
    // uapi::DEVICE_MAP_BASE, with a guard page after it; returns the user address of
    // region.phys. EBUSY (held by someone else), ENOSPC (MAX_MAPPINGS held), EINVAL, ENOMEM.
    [[nodiscard]] ErrorOr<u64> map(mm::AddressSpace& space, dev::MmapRegion const& region, bool writable,
                                   io::Sharing sharing, char const* owner);
    // Unmaps the mapping that starts at `address` with exactly `length` bytes (rounded to
    // pages). EINVAL when there is none.
    [[nodiscard]] ErrorOr<void> unmap(mm::AddressSpace& space, u64 address, u64 length);
    // Unmaps (when `space` is given) and releases everything.
    void release_all(mm::AddressSpace* space);

    bool contains(u64 address) const;
    u32 count() const;

private:
    struct Entry {
        u64 virt { 0 };
        u64 size { 0 };           // page-aligned
        io::MmioRegion reservation;
    };
    Entry m_entries[MAX_MAPPINGS];
    u64 m_next { 0 };             // next free address (0: DEVICE_MAP_BASE)
};

}
