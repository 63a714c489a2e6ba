// A block device seen through a File (Linux's def_blk_fops): a file of capacity() bytes that may
// be read and written at any offset and length. The core turns each call into sector requests:
//
//     offset 1000, 1500 bytes, 512-byte sectors
//     sector:   1               2               3               4
//            |......[#########|###############|###############|####....|
//              head: partial    middle: whole sectors, one       tail: partial
//              (bounce sector)  request straight into the buffer (bounce sector)
//
// A partial sector is read into the device's bounce sector first; a partial write patches the
// bounce sector and writes it back (read-modify-write). The device's byte_io_lock serializes these
// calls, so two Files writing different bytes of one sector cannot undo each other's change.
// Whole sectors go straight between the caller's buffer and the device when the buffer is aligned
// as the device asks, and through the bounce sector one by one when it is not.
#include "internal.h"
#include <kernel/dev/blockdev.h>
#include <kernel/dev/chardev.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace blockdev::internal {

namespace {

using dev::File;

constexpr u32 MAX_SECTORS_PER_CHUNK = 128;   // 64 KiB of 512-byte sectors per request

BlockDevice& device_of(File& file) { return static_cast<BlockDevice&>(file.node()); }

u32 chunk_limit(BlockDevice const& device)
{
    u32 limit = MAX_SECTORS_PER_CHUNK;
    if (device.geometry().max_sectors != 0)
        limit = kstd::min(limit, device.geometry().max_sectors);
    return limit;
}

// Moves one part of a sector between `bytes` and the device through the bounce sector.
ErrorOr<void> partial_sector(BlockDevice& device, BlockOp op, u64 sector, usize in_sector, Bytes bytes)
{
    Bytes bounce { device.bounce(), device.sector_size() };
    TRY(read_sync(device, sector, bounce));
    if (op == BlockOp::Read) {
        memcpy(bytes.data(), bounce.data() + in_sector, bytes.size());
        return {};
    }
    memcpy(bounce.data() + in_sector, bytes.data(), bytes.size());
    return write_sync(device, sector, bounce);
}

// Moves whole sectors; `bytes` is a multiple of the sector size.
ErrorOr<void> whole_sectors(BlockDevice& device, BlockOp op, u64 sector, Bytes bytes)
{
    bool aligned = reinterpret_cast<uptr>(bytes.data()) % device.geometry().buffer_alignment == 0;
    if (aligned)
        return op == BlockOp::Read ? read_sync(device, sector, bytes) : write_sync(device, sector, bytes);
    u32 size = device.sector_size();
    for (usize done = 0; done < bytes.size(); done += size, ++sector)
        TRY(partial_sector(device, op, sector, 0, bytes.subspan(done, size)));
    return {};
}

// [offset, offset + bytes.size()) lies inside the device. Locking: byte_io_lock held.
ErrorOr<void> byte_io(BlockDevice& device, BlockOp op, u64 offset, Bytes bytes)
{
    u32 size = device.sector_size();
    usize done = 0;
    while (done < bytes.size()) {
        u64 position = offset + done;
        u64 sector = position / size;
        usize in_sector = position % size;
        usize remaining = bytes.size() - done;
        if (in_sector != 0 || remaining < size) {
            usize length = kstd::min<usize>(remaining, size - in_sector);
            TRY(partial_sector(device, op, sector, in_sector, bytes.subspan(done, length)));
            done += length;
            continue;
        }
        usize sectors = kstd::min<usize>(remaining / size, chunk_limit(device));
        TRY(whole_sectors(device, op, sector, bytes.subspan(done, sectors * size)));
        done += sectors * size;
    }
    return {};
}

ErrorOr<void> block_open(File& file)
{
    if (file.can_write() && device_of(file).geometry().read_only)
        return Error::from_errno(EROFS);
    return {};
}

ErrorOr<usize> block_read(File& file, Bytes buffer, u64 offset)
{
    BlockDevice& device = device_of(file);
    if (offset >= device.capacity())
        return 0;   // end of the device
    usize count = kstd::min<u64>(buffer.size(), device.capacity() - offset);
    sched::MutexGuard guard(device.byte_io_lock());
    TRY(byte_io(device, BlockOp::Read, offset, buffer.first(count)));
    return count;
}

ErrorOr<usize> block_write(File& file, ReadonlyBytes data, u64 offset)
{
    BlockDevice& device = device_of(file);
    if (data.empty())
        return 0;
    if (offset >= device.capacity())
        return Error::from_errno(ENOSPC);
    usize count = kstd::min<u64>(data.size(), device.capacity() - offset);   // cut short at the end
    Bytes bytes { const_cast<u8*>(data.data()), count };   // byte_io only reads it for a Write
    sched::MutexGuard guard(device.byte_io_lock());
    TRY(byte_io(device, BlockOp::Write, offset, bytes));
    return count;
}

ErrorOr<u64> block_llseek(File& file, i64 offset, dev::Whence whence)
{
    return chardev::compute_seek(file.position(), offset, whence, device_of(file).capacity());
}

ErrorOr<u64> block_ioctl(File& file, u32 request, uptr argument)
{
    BlockDevice& device = device_of(file);
    switch (request) {
    case IOCTL_GET_SIZE:
        return device.capacity();
    case IOCTL_GET_SECTOR_SIZE:
        return u64(device.sector_size());
    case IOCTL_FLUSH:
        TRY(flush_sync(device));
        return 0;
    default:
        return device.block_ops().ioctl(device, request, argument);
    }
}

// Complete already (no null entries), so it can be used as it is.
constexpr dev::CharDevOps g_file_ops {
    .driver = "blockdev",
    .open = block_open,
    .release = chardev::default_release,
    .read = block_read,
    .write = block_write,
    .llseek = block_llseek,
    .ioctl = block_ioctl,
    .poll = chardev::default_poll,   // block devices never make a reader wait for data
    .mmap = chardev::default_mmap,
};

}

dev::CharDevOps const& file_ops() { return g_file_ops; }

}
