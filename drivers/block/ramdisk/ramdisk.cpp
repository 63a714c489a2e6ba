// RAM disk: /dev/ram0, a block device whose "platters" are a buffer in the kernel heap.
//
// Modes: one, synchronous. submit() copies the sectors and completes the request before it
// returns, like a polled PIO driver with an infinitely fast disk. The block core does not care:
// callers of blockdev::submit() get their callback either way, and read_sync()/write_sync() wait
// on a semaphore that is simply already up. Compare the ATA driver of labs 4-6, whose submit()
// only starts the command and whose interrupt path calls blockdev::complete() later.
//
// Size: 4 MiB, or `ramdisk.size=` on the kernel command line (bytes, with an optional K or M
// suffix; a multiple of 512 up to 64 MiB). The contents start zeroed and vanish at reboot.
// Flush has nothing to do (there is no cache between the "disk" and memory).
// Limitations: one RAM disk; contiguous heap memory, so very large sizes may not be available.
#include <kernel/cmdline.h>
#include <kernel/dev/blockdev.h>
#include <kernel/dev/builtin.h>
#include <kernel/kernel.h>
#include <kernel/mm/heap.h>
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace drivers::ramdisk {

namespace {

using dev::BlockDevice;
using dev::BlockOp;
using dev::BlockRequest;

constexpr u16 RAMDISK_MAJOR = 1;   // block major 1 is the RAM disk, as on Linux
constexpr u32 SECTOR_SIZE = 512;
constexpr u64 DEFAULT_SIZE = 4 * MiB;
constexpr u64 MAX_SIZE = 64 * MiB;

struct RamDisk {
    u8* storage { nullptr };
    u64 size { 0 };
    dev::BlockDevHandle handle;
};

RamDisk g_ram0;

ErrorOr<void> ramdisk_submit(BlockDevice& device, BlockRequest& request)
{
    auto& disk = *static_cast<RamDisk*>(device.data());
    // The core has checked the range and the buffer size, so these copies stay inside both.
    u8* sectors = disk.storage + request.sector * SECTOR_SIZE;
    switch (request.op) {
    case BlockOp::Read:
        memcpy(request.buffer.data(), sectors, request.buffer.size());
        break;
    case BlockOp::Write:
        memcpy(sectors, request.buffer.data(), request.buffer.size());
        break;
    case BlockOp::Flush:
        break;
    }
    blockdev::complete(request, {});
    return {};
}

constexpr dev::BlockDevOps ramdisk_ops {
    .driver = "ramdisk",
    .submit = ramdisk_submit,
};

// "4194304", "4096K", "4M" -> bytes; DEFAULT_SIZE (with a warning) for anything unusable.
u64 configured_size()
{
    auto text = kernel_cmdline().get(kstd::StringView("ramdisk.size"));
    if (!text.has_value())
        return DEFAULT_SIZE;
    kstd::StringView digits = *text;
    u64 unit = 1;
    char suffix = digits.is_empty() ? '\0' : kstd::to_lower(digits[digits.length() - 1]);
    if (suffix == 'k' || suffix == 'm') {
        unit = suffix == 'k' ? KiB : MiB;
        digits = digits.substring(0, digits.length() - 1);
    }
    auto number = kstd::parse_u64(digits);
    if (number.is_error() || number.value() == 0 || number.value() > MAX_SIZE / unit
        || (number.value() * unit) % SECTOR_SIZE != 0) {
        log_warn("ramdisk: ramdisk.size=%.*s is not a multiple of 512 up to 64M; using 4M\n",
            int(text->length()), text->characters());
        return DEFAULT_SIZE;
    }
    return number.value() * unit;
}

}

ErrorOr<void> init()
{
    u64 size = configured_size();
    auto* storage = static_cast<u8*>(mm::kmalloc(size, 4096));
    if (!storage)
        return Error::from_errno(ENOMEM);
    memset(storage, 0, size);
    g_ram0.storage = storage;
    g_ram0.size = size;
    dev::BlockGeometry geometry { .sector_size = SECTOR_SIZE, .sector_count = size / SECTOR_SIZE };
    auto handle = dev::register_blockdev("ram0", RAMDISK_MAJOR, 0, ramdisk_ops, geometry, &g_ram0);
    if (handle.is_error()) {
        mm::kfree(storage);
        g_ram0.storage = nullptr;
        return handle.release_error();
    }
    g_ram0.handle = handle.release_value();
    log_info("ramdisk: ram0 has %lu KiB\n", size / KiB);
    return {};
}

}
