// Finding the devices on a channel, software reset, and recovering from a command that never
// finished. All polled, in thread context: this is error handling, not the data path.
//
// Probing (ATA/ATAPI-6 9.12, and what Linux's libata does before it trusts a channel): a
// device that exists keeps what is written to its sector count and LBA low registers; a reset
// (SRST) leaves a signature in the task file (LBA mid/high 00h/00h for a disk, 14h/EBh for a
// packet device); IDENTIFY then says what it is. A channel without devices reads 00h or FFh.
#include "ata.h"
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

constexpr u64 SRST_PULSE_NS = 5'000;          // SRST held for at least 5 us
constexpr u64 RESET_SETTLE_NS = 2'000'000;    // then wait at least 2 ms before polling BSY
constexpr char const* UNIT_NAMES[] = { "master", "slave" };

// Do the registers of device `unit` hold what we write (ATA's own presence test)?
bool registers_respond(Channel& channel, u8 unit)
{
    channel.cmd.write(regs::device, u8(DEVICE_OBSOLETE | (unit ? DEVICE_DEV1 : 0)));
    settle(channel);
    channel.cmd.write(regs::sector_count, 0x55);
    channel.cmd.write(regs::lba_low, 0xAA);
    channel.cmd.write(regs::sector_count, 0xAA);
    channel.cmd.write(regs::lba_low, 0x55);
    channel.cmd.write(regs::sector_count, 0x55);
    channel.cmd.write(regs::lba_low, 0xAA);
    return channel.cmd.read(regs::sector_count) == 0x55 && channel.cmd.read(regs::lba_low) == 0xAA;
}

void log_drive(Channel& channel, Drive& drive)
{
    Identity const& id = drive.identity;
    if (drive.kind == DriveKind::Atapi) {
        log_info("%s: %s: %s (ATAPI packet device): not a disk, left alone\n", channel.name, UNIT_NAMES[drive.unit],
                 id.model[0] ? id.model : "unnamed");
        return;
    }
    log_info("%s: %s: %s \"%s\", serial %s, %lu sectors (%lu MiB), %s, MWDMA %#x, UDMA %#x, write cache %s\n",
             channel.name, UNIT_NAMES[drive.unit], drive.name, id.model, id.serial, id.sectors,
             id.sectors / 2048, id.lba48 ? "LBA48" : "LBA28", id.mwdma_modes, id.udma_modes,
             id.write_cache ? "on" : "off");
}

}

char const* drive_kind_name(DriveKind kind)
{
    switch (kind) {
    case DriveKind::None: return "none";
    case DriveKind::Ata: return "disk";
    case DriveKind::Atapi: return "atapi";
    }
    return "?";
}

AtaModeOps const* mode_by_name(StringView name)
{
    for (AtaModeOps const* ops : { &pio_mode_ops, &irq_mode_ops, &dma_mode_ops }) {
        if (name == StringView(ops->name))
            return ops;
    }
    return nullptr;
}

ErrorOr<void> software_reset(Channel& channel)
{
    // Device 0 selected first: its status is the one to watch afterwards. (A device ignores
    // register writes while it is busy, so selecting after SRST may not take; and the status
    // of an absent device 1 reads 0, "not busy", while device 0 is still resetting.)
    if (!has_any(channel.ctl.read(regs::alt_status), Status::Bsy | Status::Drq)) {
        channel.cmd.write(regs::device, DEVICE_OBSOLETE);
        settle(channel);
    }
    channel.polled_command = true;
    write_device_control(channel, Control::Srst);
    time::busy_wait_ns(SRST_PULSE_NS);
    write_device_control(channel);
    time::busy_wait_ns(RESET_SETTLE_NS);
    u64 deadline = sched::deadline_after(channel.timeout_ns);
    auto result = [&]() -> ErrorOr<void> {
        // First the device selected before the reset (device 0, unless it was the one that
        // hung): nothing may be written to the task file while it is busy.
        if (auto status = wait_not_busy(channel, deadline); status.is_error() && status.error().code() != ENODEV)
            return status.release_error();
        for (Drive& drive : channel.drives) {
            if (drive.kind == DriveKind::None && drive.unit == 1)
                continue;
            channel.cmd.write(regs::device, u8(DEVICE_OBSOLETE | (drive.unit ? DEVICE_DEV1 : 0)));
            settle(channel);
            auto status = wait_not_busy(channel, deadline);
            if (status.is_error() && status.error().code() != ENODEV)
                return status.release_error();
        }
        return {};
    }();
    ++channel.stats.resets;
    channel.polled_command = false;
    write_device_control(channel);
    return result;
}

void probe_channel(Channel& channel)
{
    bool present[2] = { registers_respond(channel, 0), registers_respond(channel, 1) };
    channel.cmd.write(regs::device, DEVICE_OBSOLETE);   // device 0 selected again
    settle(channel);
    if (!present[0] && !present[1]) {
        log_info("%s: no devices\n", channel.name);
        return;
    }
    // Let reset know which slave to wait for.
    channel.drives[1].kind = present[1] ? DriveKind::Ata : DriveKind::None;
    if (auto reset = software_reset(channel); reset.is_error())
        log_warn("%s: software reset: %s (continuing)\n", channel.name, reset.error().name());
    channel.drives[1].kind = DriveKind::None;
    for (Drive& drive : channel.drives) {
        if (!present[drive.unit]) {
            log_info("%s: %s: none\n", channel.name, UNIT_NAMES[drive.unit]);
            continue;
        }
        if (auto found = identify_drive(channel, drive); found.is_error()) {
            drive.kind = DriveKind::None;
            if (found.error().code() == ENODEV)
                log_info("%s: %s: none\n", channel.name, UNIT_NAMES[drive.unit]);
            else
                log_warn("%s: %s: a device that does not identify itself (%s): ignored\n", channel.name,
                         UNIT_NAMES[drive.unit], found.error().name());
            continue;
        }
        log_drive(channel, drive);
    }
    if (channel.drives[0].kind == DriveKind::None && channel.drives[1].kind != DriveKind::None)
        log_warn("%s: a slave without a master (ATA requires device 0); using the slave anyway\n", channel.name);
}

void recover(Channel& channel, char const* why)
{
    Command command;
    {
        sched::SpinlockGuard guard(channel.lock);
        command = channel.current;
        if (channel.ops->stop)
            channel.ops->stop(channel);
    }
    Drive& drive = *command.drive;
    Status status = channel.ctl.read(regs::alt_status);
    log_error("%s: %s: %s of %u sector(s) at sector %lu %s (status %#x); resetting the channel\n", channel.name,
              drive.name, dev::op_name(command.op), command.count, command.lba, why, unsigned(status));
    auto reset = software_reset(channel);
    if (reset.is_error())
        log_error("%s: the devices did not come back from reset: %s\n", channel.name, reset.error().name());
    for (Drive& each : channel.drives) {
        if (each.kind != DriveKind::Ata)
            continue;
        if (auto again = identify_drive(channel, each); again.is_error()) {
            log_error("%s: %s does not answer IDENTIFY after the reset (%s): taking it offline\n", channel.name,
                      each.name, again.error().name());
            each.kind = DriveKind::None;
        }
    }
    sched::SpinlockGuard guard(channel.lock);
    drive.last_error = LastError { true, command.op, command.lba, u8(status), 0, ETIMEDOUT };
    ++drive.stats.timeouts;
    ++channel.stats.timeouts;
    command_finished_locked(channel, Error::from_errno(ETIMEDOUT));
    log_info("%s: reset done; %s is %s\n", channel.name, drive.name, drive.kind == DriveKind::Ata ? "back" : "gone");
}

void recover_and_restart(Channel& channel, char const* why)
{
    recover(channel, why);
    sched::SpinlockGuard guard(channel.lock);
    channel.recovering = false;
    channel.busy = false;
    start_next_locked(channel);
}

u64 check_timeout(Channel& channel)
{
    {
        sched::SpinlockGuard guard(channel.lock);
        if (!channel.busy || channel.recovering)
            return sched::NO_DEADLINE;
        if (time::now_ns() < channel.current.deadline_ns)
            return channel.current.deadline_ns;
        channel.recovering = true;
    }
    recover_and_restart(channel, "timed out");
    deliver_completions(channel);
    sched::SpinlockGuard guard(channel.lock);
    return channel.busy ? channel.current.deadline_ns : sched::NO_DEADLINE;
}

}
