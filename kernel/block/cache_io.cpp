// Reading and writing disks through the buffer cache or around it, and sync
// (include/kernel/block/cached_io.h).
#include "cache_kernel.h"
#include <kernel/dev/devfs.h>
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace block {

namespace {

constexpr u32 DIRECT_CHUNK_SECTORS = 256;   // one request per 128 KiB at most

// [offset, offset + size) inside the device's whole blocks (the cache's unit).
bool inside_blocks(dev::BlockDevice const& device, u64 offset, usize size)
{
    u64 end = device.capacity() / BLOCK_SIZE * BLOCK_SIZE;
    return offset <= end && size <= end - offset;
}

ErrorOr<void> cached_io(dev::BlockDevice& device, u64 offset, Bytes bytes, bool is_write)
{
    if (!inside_blocks(device, offset, bytes.size()))
        return Error::from_errno(EINVAL);
    BufferCache& cache = *TRY(kernel_cache())->core;
    usize done = 0;
    while (done < bytes.size()) {
        u64 position = offset + done;
        u64 number = position / BLOCK_SIZE;
        usize in_block = position % BLOCK_SIZE;
        usize length = kstd::min<usize>(BLOCK_SIZE - in_block, bytes.size() - done);
        bool overwrite = is_write && in_block == 0 && length == BLOCK_SIZE;
        CacheBlock* block = TRY(cache.get(&device, number, overwrite));
        if (is_write)
            memcpy(block->data + in_block, bytes.data() + done, length);
        else
            memcpy(bytes.data() + done, block->data + in_block, length);
        cache.release(*block, is_write);
        done += length;
    }
    return {};
}

// The range's blocks as the cache sees them: the first and how many.
void blocks_of(u64 offset, usize size, u64& first, u64& count)
{
    first = offset / BLOCK_SIZE;
    count = size == 0 ? 0 : (offset + size - 1) / BLOCK_SIZE - first + 1;
}

ErrorOr<void> direct_io(dev::BlockDevice& device, u64 offset, Bytes bytes, bool is_write)
{
    u32 sector = device.sector_size();
    if (offset % sector != 0 || bytes.size() % sector != 0 || offset > device.capacity()
        || bytes.size() > device.capacity() - offset)
        return Error::from_errno(EINVAL);
    // Coherence with the cache: its dirty copies reach the disk first; a write drops its copies.
    if (KernelCache* kc = kernel_cache_if_created()) {
        TRY(kc->core->sync(&device));
        if (is_write) {
            u64 first, count;
            blocks_of(offset, bytes.size(), first, count);
            kc->core->invalidate(&device, first, count);
        }
    }
    u32 limit = device.geometry().max_sectors ? kstd::min(device.geometry().max_sectors, DIRECT_CHUNK_SECTORS)
                                              : DIRECT_CHUNK_SECTORS;
    usize done = 0;
    while (done < bytes.size()) {
        usize length = kstd::min<usize>(bytes.size() - done, usize(limit) * sector);
        Bytes chunk = bytes.subspan(done, length);
        u64 first_sector = (offset + done) / sector;
        TRY(is_write ? blockdev::write_sync(device, first_sector, chunk) : blockdev::read_sync(device, first_sector, chunk));
        done += length;
    }
    return {};
}

}

ErrorOr<void> read(dev::BlockDevice& device, u64 offset, Bytes bytes, Path path)
{
    return path == Path::Cached ? cached_io(device, offset, bytes, false) : direct_io(device, offset, bytes, false);
}

ErrorOr<void> write(dev::BlockDevice& device, u64 offset, ReadonlyBytes bytes, Path path)
{
    // Neither path writes into the caller's buffer on a write; Bytes serves both directions.
    Bytes writable { const_cast<u8*>(bytes.data()), bytes.size() };
    return path == Path::Cached ? cached_io(device, offset, writable, true) : direct_io(device, offset, writable, true);
}

ErrorOr<void> sync(dev::BlockDevice& device)
{
    if (KernelCache* kc = kernel_cache_if_created())
        TRY(kc->core->sync(&device));
    return blockdev::flush_sync(device);
}

namespace {

struct Disks {
    static constexpr usize MAX = 16;
    dev::Ref<dev::BlockDevice> refs[MAX];
    usize count { 0 };
};

void collect_disk(dev::Node& node, void* ctx)
{
    auto& disks = *static_cast<Disks*>(ctx);
    if (node.kind() == dev::NodeKind::Block && disks.count < Disks::MAX)
        disks.refs[disks.count++] = dev::Ref<dev::BlockDevice>(static_cast<dev::BlockDevice&>(node));
}

}

ErrorOr<void> sync_all()
{
    if (KernelCache* kc = kernel_cache_if_created())
        TRY(kc->core->sync(nullptr));
    static Disks disks;   // the monitor's stack is small
    disks.count = 0;
    devfs::for_each(collect_disk, &disks);
    ErrorOr<void> result {};
    for (usize i = 0; i < disks.count; ++i) {
        auto flushed = blockdev::flush_sync(*disks.refs[i]);
        if (flushed.is_error() && !result.is_error())
            result = flushed.release_error();
        disks.refs[i] = {};
    }
    return result;
}

void drop_cached(dev::BlockDevice& device)
{
    if (KernelCache* kc = kernel_cache_if_created())
        kc->core->invalidate(&device, 0, ~u64(0));
}

void forget_device(dev::BlockDevice& device)
{
    KernelCache* kc = kernel_cache_if_created();
    if (!kc)
        return;
    if (auto synced = kc->core->sync(&device); synced.is_error())
        log_warn("%s: write-back before removal failed: %s\n", device.name(), synced.error().name());
    if (u32 lost = kc->core->drop_device(&device))
        log_error("%s: removed with %u dirty cached blocks that could not be written\n", device.name(), lost);
}

}
