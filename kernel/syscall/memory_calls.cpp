// mmap, munmap, mapinfo (kernel/syscall/calls.h): device memory in a process.
//
// mmap(fd, length, prot, flags, offset) maps what the device behind fd says lies at `offset`
// (CharDevOps::mmap: the uio driver's regions), with the memory type the device chose. The
// range becomes the process's in the I/O manager, so it shows in `iomem` under the process's
// name and nobody else can take it until the process unmaps it or ends.
#include "calls.h"
#include "user_memory.h"
#include <arch/user.h>
#include <kernel/mm/layout.h>
#include <uapi/memory.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

uapi::CacheType cache_type_of(mm::CachePolicy policy)
{
    switch (policy) {
    case mm::CachePolicy::WriteBack: return uapi::CacheType::WriteBack;
    case mm::CachePolicy::WriteThrough: return uapi::CacheType::WriteThrough;
    case mm::CachePolicy::Uncached: return uapi::CacheType::Uncached;
    case mm::CachePolicy::WriteCombining: return uapi::CacheType::WriteCombining;
    }
    return uapi::CacheType::Uncached;
}

}

Result sys_mmap(Arguments const& args)
{
    u64 length = args.a1, prot = args.a2, flags = args.a3, offset = args.a4;
    auto file = TRY(file_of(args, args.a0));
    if (length == 0 || offset % mm::PAGE_SIZE || length > mm::USER_SPACE_LIMIT)
        return Error::from_errno(EINVAL);
    if (prot & ~u64(uapi::PROT_READ | uapi::PROT_WRITE | uapi::PROT_EXEC))
        return Error::from_errno(EINVAL);
    if (flags & ~u64(uapi::MAP_SHARED | uapi::MAP_SHARE_RANGE) || !(flags & uapi::MAP_SHARED))
        return Error::from_errno(EINVAL);
    if (prot & uapi::PROT_EXEC)
        return Error::from_errno(EACCES);   // device memory is never executable
    bool writable = prot & uapi::PROT_WRITE;
    if (!file->file().can_read() || (writable && !file->file().can_write()))
        return Error::from_errno(EACCES);
    dev::MmapRegion region = TRY(file->file().mmap_region(offset, length));
    io::Sharing sharing = (flags & uapi::MAP_SHARE_RANGE) ? io::Sharing::Shared : io::Sharing::Exclusive;
    return TRY(args.process.device_maps.map(*args.process.space, region, writable, sharing, args.process.owner_name));
}

Result sys_munmap(Arguments const& args)
{
    if (args.a1 == 0 || !arch::is_user_range(args.a0, args.a1))
        return Error::from_errno(EINVAL);
    TRY(args.process.device_maps.unmap(*args.process.space, args.a0, args.a1));
    return 0;
}

Result sys_mapinfo(Arguments const& args)
{
    u64 address = args.a0;
    TRY(check_user_buffer(args.a1, sizeof(uapi::MapInfo), Access::Write));
    if (address >= mm::USER_SPACE_LIMIT)
        return Error::from_errno(EFAULT);
    auto mapping = args.process.space->query(address);
    if (mapping.is_error() || !has(mapping.value().flags, mm::PageFlags::User))
        return Error::from_errno(ENOENT);
    uapi::MapInfo info {};
    info.physical = mapping.value().phys;
    info.pat_index = mapping.value().pat_index;
    info.cache_type = cache_type_of(TRY(args.process.space->cache_policy_of(address)));
    info.writable = has(mapping.value().flags, mm::PageFlags::Writable);
    info.device = args.process.device_maps.contains(address);
    TRY(write_user(args.a1, info));
    return 0;
}

}
