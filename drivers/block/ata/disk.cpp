// The ATA disks as block devices (kernel only): hda ... hdd for the drives (named by position:
// primary master, primary slave, secondary master, secondary slave), and hda1, hda2, ... for
// their partitions, read from the MBR or GPT (kernel/block/partition*.cpp). Every one of them is
// a Target on a drive; the driver adds the partition's start when it programs the LBA.
//
// Numbers follow Linux's IDE driver: major 3 for the first channel, 22 for the second (33, 34
// for a second controller), minor 64 x unit + partition.
#include "disks.h"
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

constexpr u16 MAJORS[4] = { 3, 22, 33, 34 };

ErrorOr<void> disk_submit(dev::BlockDevice& device, dev::BlockRequest& request)
{
    auto& disk = *static_cast<Disk*>(device.data());
    return channel_submit(*disk.target.drive->channel, disk.target, request);
}

void disk_abort(dev::BlockDevice& device, dev::BlockRequest& request)
{
    auto& disk = *static_cast<Disk*>(device.data());
    channel_abort(*disk.target.drive->channel, request);
}

constexpr dev::BlockDevOps disk_ops {
    .driver = "ata",
    .submit = disk_submit,
    .abort = disk_abort,
};

ErrorOr<void> register_one(Disk& disk, Channel const& channel)
{
    dev::BlockGeometry geometry {
        .sector_size = SECTOR_SIZE,
        .sector_count = disk.target.sectors,
        .buffer_alignment = 2,   // the data port moves 16-bit words; PRD addresses are even
    };
    u16 minor = u16(64 * disk.target.drive->unit + disk.partition);
    disk.handle = TRY(dev::register_blockdev(disk.name, MAJORS[channel.index % 4], minor, disk_ops, geometry, &disk));
    return {};
}

ErrorOr<void> read_sector(void* context, u64 lba, Bytes out)
{
    return blockdev::read_sync(*static_cast<dev::BlockDevice*>(context), lba, out);
}

void register_partitions(DiskSet& set, Disk& whole)
{
    auto table = block::read_partitions(whole.target.sectors, { read_sector, whole.handle.device() });
    if (table.is_error()) {
        log_warn("%s: partition table unreadable: %s\n", whole.name, table.error().name());
        return;
    }
    whole.scheme = table.value().scheme;
    for (auto const& partition : table.value().span()) {
        if (set.count == MAX_BLOCK_DEVICES)
            return;
        Disk& disk = set.disks[set.count];
        disk.target = Target { whole.target.drive, partition.start, partition.sectors };
        disk.partition = partition.number;
        disk.scheme = whole.scheme;
        disk.mbr_type = partition.mbr_type;
        kstd::copy_string(disk.label, sizeof(disk.label), StringView(partition.name));
        kstd::snprintf(disk.name, sizeof(disk.name), "%s%u", whole.name, partition.number);
        if (auto registered = register_one(disk, *whole.target.drive->channel); registered.is_error()) {
            log_warn("%s: %s\n", disk.name, registered.error().name());
            continue;
        }
        ++set.count;
    }
    if (table.value().count)
        log_info("%s: %s partition table, %zu partition(s)\n", whole.name, block::scheme_name(whole.scheme),
                 table.value().count);
}

}

ErrorOr<OwnPtr<DiskSet>> register_disks(Controller& controller)
{
    auto set = TRY(kstd::make<DiskSet>());
    for (Channel& channel : controller.channels) {
        for (Drive& drive : channel.drives) {
            if (drive.kind != DriveKind::Ata || set->count == MAX_BLOCK_DEVICES)
                continue;
            Disk& whole = set->disks[set->count];
            whole.target = Target { &drive, 0, drive.identity.sectors };
            kstd::copy_string(whole.name, sizeof(whole.name), StringView(drive.name));
            if (auto registered = register_one(whole, channel); registered.is_error()) {
                log_warn("%s: cannot register: %s\n", drive.name, registered.error().name());
                continue;
            }
            ++set->count;
            register_partitions(*set, whole);
        }
    }
    return set;
}

}
