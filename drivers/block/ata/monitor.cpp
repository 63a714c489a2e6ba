// Monitor commands of the ATA driver (kernel only): `disks`, `partitions`, `ata` (channels,
// modes and counters) and `sector NAME LBA` (a hex dump of one sector).
#include "disks.h"
#include <kernel/mm/heap.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

char const* const UNIT_NAMES[] = { "master", "slave" };

template<typename Fn>
void for_each_disk(Fn fn)
{
    for (usize c = 0; c < MAX_CONTROLLERS; ++c) {
        if (DiskSet* set = disks_at(c)) {
            for (usize i = 0; i < set->count; ++i)
                fn(set->disks[i]);
        }
    }
}

void print_drive(Channel& channel, Drive& drive)
{
    if (drive.kind == DriveKind::None) {
        kprint("%-5s %s %-6s  -\n", "", channel.name, UNIT_NAMES[drive.unit]);
        return;
    }
    if (drive.kind == DriveKind::Atapi) {
        kprint("%-5s %s %-6s  atapi  %s (left alone)\n", "", channel.name, UNIT_NAMES[drive.unit], drive.identity.model);
        return;
    }
    auto info = disk_info(StringView(drive.name));
    if (info.is_error())
        return;
    DiskInfo const& d = info.value();
    kprint("%-5s %s %-6s  disk   %-20s %10lu sectors %6lu MiB  %s  %s\n", d.name, channel.name, UNIT_NAMES[d.unit],
           d.model, d.sectors, d.sectors / 2048, d.lba48 ? "LBA48" : "LBA28", d.mode);
    kprint("      commands %lu, sectors read %lu, written %lu, flushes %lu, errors %lu, timeouts %lu\n", d.stats.commands,
           d.stats.sectors_read, d.stats.sectors_written, d.stats.flushes, d.stats.errors, d.stats.timeouts);
    if (d.last_error.valid)
        kprint("      last error: %s at sector %lu: %s (status %#x, error %#x)\n", dev::op_name(d.last_error.op),
               d.last_error.sector, kstd::errno_name(d.last_error.code), d.last_error.status, d.last_error.error);
}

// "NAME LBA": the block device and the sector.
ErrorOr<dev::Ref<dev::BlockDevice>> parse_sector_args(StringView args, u64& lba)
{
    auto name = args.next_word();
    auto number = args.next_word();
    if (!name.has_value() || !number.has_value())
        return Error::from_errno(EINVAL);
    lba = TRY(kstd::parse_u64(*number));
    return blockdev::find(*name);
}

}

MONITOR_COMMAND(disks, "disks", "ATA drives: model, size, mode, counters, last error")
{
    bool any = false;
    for (usize c = 0; c < MAX_CONTROLLERS; ++c) {
        Controller* controller = controller_at(c);
        if (!controller)
            continue;
        any = true;
        for (Channel& channel : controller->channels) {
            for (Drive& drive : channel.drives)
                print_drive(channel, drive);
        }
    }
    if (!any)
        kprint("no IDE controller (the machine needs -device piix3-ide or piix4-ide)\n");
}

MONITOR_COMMAND(partitions, "partitions", "ATA disks and their partitions: start, size, type")
{
    kprint("%-8s %-5s %12s %12s %8s  %s\n", "name", "table", "start", "sectors", "MiB", "type");
    for_each_disk([](Disk const& disk) {
        char type[48];
        if (disk.partition == 0)
            kstd::snprintf(type, sizeof(type), "whole disk");
        else if (disk.scheme == block::Scheme::Gpt)
            kstd::snprintf(type, sizeof(type), "\"%s\"", disk.label);
        else
            kstd::snprintf(type, sizeof(type), "%#04x", disk.mbr_type);
        kprint("%-8s %-5s %12lu %12lu %8lu  %s\n", disk.name, block::scheme_name(disk.scheme), disk.target.start,
               disk.target.sectors, disk.target.sectors / 2048, type);
    });
}

MONITOR_COMMAND(ata, "ata", "IDE channels: mode, ports, IRQ, commands, interrupts, DMA, errors")
{
    for (unsigned index = 0;; ++index) {
        auto info = channel_info(index);
        if (info.is_error())
            break;
        ChannelInfo const& c = info.value();
        ChannelStats const& s = c.stats;
        char irq[16];
        kstd::snprintf(irq, sizeof(irq), c.irq == ~0u ? "none" : "%u", c.irq);
        kprint("%s: mode %s, ports %#x/%#x, bus master %#x, irq %s, timeout %lu ms\n", c.name, c.mode, c.command_base,
               c.control_port, c.bus_master_base, irq, c.timeout_ns / 1'000'000);
        kprint("  commands %lu, interrupts %lu (unclaimed %lu), PIO blocks %lu, DMA commands %lu (PRD entries %lu, "
               "bounced %lu), errors %lu, timeouts %lu, resets %lu\n", s.commands, s.interrupts, s.unclaimed,
               s.data_blocks, s.dma_commands, s.prd_entries, s.bounced_commands, s.errors, s.timeouts, s.resets);
    }
}

MONITOR_COMMAND(sector, "sector", "sector NAME LBA: hex dump of one 512-byte sector of a disk or partition")
{
    u64 lba = 0;
    auto device = parse_sector_args(args, lba);
    if (device.is_error()) {
        kprint("usage: sector NAME LBA (e.g. sector hda 0): %s\n", device.error().name());
        return;
    }
    auto* buffer = static_cast<u8*>(mm::kmalloc(SECTOR_SIZE, 16));
    if (!buffer) {
        kprint("sector: out of memory\n");
        return;
    }
    if (auto read = blockdev::read_sync(*device.value(), lba, Bytes(buffer, SECTOR_SIZE)); read.is_error())
        kprint("sector: %s sector %lu: %s\n", device.value()->name(), lba, read.error().name());
    else
        kstd::hexdump(ReadonlyBytes(buffer, SECTOR_SIZE), lba * SECTOR_SIZE, [](StringView line) {
            kprint("%.*s\n", int(line.length()), line.characters());
        });
    mm::kfree(buffer);
}

}
