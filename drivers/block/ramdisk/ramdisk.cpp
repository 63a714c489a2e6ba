// RAM disk: /dev/ram0, a block device whose "platters" are a buffer in the kernel heap.
//
// Modes: two, chosen by its timing (ramdisk_timing.cpp).
//   instant   (the default) submit() copies the sectors and completes the command before it
//             returns, like a polled PIO driver with an infinitely fast disk.
//   emulated  (`ramdisk.timing=disk`, or set_timing()) a mechanical disk's costs are emulated:
//             a seek that grows with the distance the head travels and a transfer time per
//             sector. Commands then complete later, from the disk's own thread, so requests queue
//             up behind a busy disk and the I/O schedulers have something to choose from: the
//             block layer's tests and lab 8 use it to show seek distance and starvation without
//             needing the ATA disk.
// Either way the block core does not care: callers get their callback, read_sync()/write_sync()
// wait on a semaphore. Compare the ATA driver of labs 4-6, whose submit() only starts the command.
//
// Queue limits: up to 64 buffers per command (scatter-gather is a loop of copies here), one
// command at a time. Size: 4 MiB, or `ramdisk.size=` on the kernel command line (bytes, with an
// optional K or M suffix; a multiple of 512 up to 64 MiB). The contents start zeroed and vanish at
// reboot. Flush has nothing to do (there is no cache between the "disk" and memory).
// Limitations: one RAM disk; contiguous heap memory, so very large sizes may not be available.
#include "ramdisk.h"
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

constexpr u16 RAMDISK_MAJOR = 1;   // block major 1 is the RAM disk, as on Linux
constexpr u64 DEFAULT_SIZE = 4 * MiB;
constexpr u64 MAX_SIZE = 64 * MiB;
constexpr u32 MAX_SEGMENTS = 64;

RamDisk g_ram0;

ErrorOr<void> ramdisk_submit(BlockDevice& device, BlockRequest& command)
{
    auto& disk = *static_cast<RamDisk*>(device.data());
    if (disk.timing_enabled())
        return disk.queue_for_later(command);
    disk.transfer(command);
    blockdev::complete(command, {});
    return {};
}

void ramdisk_abort(BlockDevice& device, BlockRequest& command)
{
    static_cast<RamDisk*>(device.data())->abort(command);
}

constexpr dev::BlockDevOps ramdisk_ops {
    .driver = "ramdisk",
    .submit = ramdisk_submit,
    .abort = ramdisk_abort,
};

// "4194304", "4096K", "4M" -> bytes; DEFAULT_SIZE (with a warning) for anything unusable.
u64 configured_size()
{
    auto text = kernel_cmdline().get(kstd::StringView("ramdisk.size"));
    if (!text.has_value())
        return DEFAULT_SIZE;
    auto size = kstd::parse_size(*text);
    if (size.is_error() || size.value() == 0 || size.value() > MAX_SIZE || size.value() % SECTOR_SIZE != 0) {
        log_warn("ramdisk: ramdisk.size=%.*s is not a multiple of 512 up to 64M; using 4M\n",
            int(text->length()), text->characters());
        return DEFAULT_SIZE;
    }
    return size.value();
}

}

// Copies the command's sectors, buffer by buffer. The core has checked the range and the
// buffers, so the copies stay inside both.
void RamDisk::transfer(BlockRequest& command)
{
    u8* sectors = storage + command.sector * SECTOR_SIZE;
    for (usize i = 0; i < command.segment_count(); ++i) {
        dev::BlockSegment segment = command.segment(i);
        if (command.op == BlockOp::Read)
            memcpy(segment.data, sectors, segment.length);
        else if (command.op == BlockOp::Write)
            memcpy(sectors, segment.data, segment.length);
        sectors += segment.length;
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
    dev::BlockGeometry geometry {
        .sector_size = SECTOR_SIZE,
        .sector_count = size / SECTOR_SIZE,
        .max_segments = MAX_SEGMENTS,
    };
    if (auto started = g_ram0.start_timing_thread(); started.is_error()) {
        mm::kfree(storage);
        g_ram0.storage = nullptr;
        return started.release_error();
    }
    auto handle = dev::register_blockdev("ram0", RAMDISK_MAJOR, 0, ramdisk_ops, geometry, &g_ram0);
    if (handle.is_error()) {
        mm::kfree(storage);
        g_ram0.storage = nullptr;
        return handle.release_error();
    }
    g_ram0.handle = handle.release_value();
    g_ram0.apply_timing_option();
    log_info("ramdisk: ram0 has %lu KiB\n", size / KiB);
    return {};
}

void set_timing(Timing const& timing) { g_ram0.set_timing(timing); }
Timing timing() { return g_ram0.timing(); }

}
