// The driver's public interface (include/drivers/ata.h): what tests, benchmarks and the
// monitor may know about disks and channels (kernel only).
#include "disks.h"
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

Drive* find_drive(StringView name)
{
    if (name.starts_with(StringView("/dev/")))
        name = name.substring(5, name.length() - 5);
    for (usize c = 0; c < MAX_CONTROLLERS; ++c) {
        Controller* controller = controller_at(c);
        if (!controller)
            continue;
        for (Channel& channel : controller->channels) {
            for (Drive& drive : channel.drives) {
                if (drive.kind == DriveKind::Ata && name == StringView(drive.name))
                    return &drive;
            }
        }
    }
    return nullptr;
}

Channel* channel_by_index(unsigned index)
{
    Controller* controller = controller_at(index / 2);
    return controller ? &controller->channels[index % 2] : nullptr;
}

}

ErrorOr<DiskInfo> disk_info(StringView name)
{
    Drive* drive = find_drive(name);
    if (!drive)
        return Error::from_errno(ENOENT);
    Channel& channel = *drive->channel;
    DiskInfo info {};
    kstd::copy_string(info.name, sizeof(info.name), StringView(drive->name));
    kstd::copy_string(info.model, sizeof(info.model), StringView(drive->identity.model));
    kstd::copy_string(info.serial, sizeof(info.serial), StringView(drive->identity.serial));
    info.channel = channel.index;
    info.unit = drive->unit;
    info.sectors = drive->identity.sectors;
    info.lba48 = drive->identity.lba48;
    info.write_cache = drive->identity.write_cache;
    info.mode = channel.ops->name;
    sched::SpinlockGuard guard(channel.lock);
    info.stats = drive->stats;
    info.last_error = drive->last_error;
    return info;
}

ErrorOr<ChannelInfo> channel_info(unsigned index)
{
    Channel* channel = channel_by_index(index);
    if (!channel)
        return Error::from_errno(ENOENT);
    ChannelInfo info {};
    kstd::copy_string(info.name, sizeof(info.name), StringView(channel->name));
    bool in_use = channel->drives[0].kind == DriveKind::Ata || channel->drives[1].kind == DriveKind::Ata;
    info.mode = in_use ? channel->ops->name : "unused";
    info.command_base = channel->cmd.base();
    info.control_port = channel->ctl.base();
    info.bus_master_base = channel->bm.length() ? channel->bm.base() : 0;
    info.irq = channel_irq_line(*channel);
    info.timeout_ns = channel->timeout_ns;
    sched::SpinlockGuard guard(channel->lock);
    info.stats = channel->stats;
    return info;
}

void set_command_timeout(u64 timeout_ns)
{
    for (unsigned index = 0; index < 2 * MAX_CONTROLLERS; ++index) {
        if (Channel* channel = channel_by_index(index))
            channel->timeout_ns = timeout_ns;
    }
}

char const* active_mode()
{
    Channel* channel = channel_by_index(0);
    return channel ? channel->ops->name : nullptr;
}

}
