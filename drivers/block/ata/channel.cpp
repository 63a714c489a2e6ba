// A channel's request queue (see ata.h): requests wait in order, the command in flight is a
// piece of the one at the front (a request larger than one command is split), and finished
// requests are completed once the lock is dropped. Mode-independent: the modes plug in through
// AtaModeOps (start a command, take an interrupt) and call back command_finished_locked().
#include "ata.h"
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kstd/format.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

// A finished request carries its errno in driver_data until deliver_completions().
void finish_request_locked(Channel& channel, dev::BlockRequest& request, int code)
{
    request.driver_data = reinterpret_cast<void*>(uptr(code));
    channel.done.push_back(request);
}

bool should_isolate(Channel const& channel, Command const& command, ErrorOr<void> const& result)
{
    return result.is_error() && result.error().code() == EIO && command.count > 1 && !channel.isolate_end
        && command.op != dev::BlockOp::Flush;
}

}

Channel::Channel() : dma_done(dma_tasklet, this, "ata dma") {}

dev::Device& Channel::dma_device()
{
    VERIFY(controller && controller->device);
    return *controller->device;
}

void channel_init(Channel& channel, Controller& controller, u8 index)
{
    channel.controller = &controller;
    channel.index = index;
    kstd::snprintf(channel.name, sizeof(channel.name), "ata%u", index);
    for (u8 unit = 0; unit < 2; ++unit) {
        channel.drives[unit].channel = &channel;
        channel.drives[unit].unit = unit;
        kstd::snprintf(channel.drives[unit].name, sizeof(channel.drives[unit].name), "hd%c", 'a' + 2 * index + unit);
    }
}

u32 max_command_sectors(Channel const& channel, Drive const& drive)
{
    if (channel.isolate_end)
        return 1;
    u32 limit = drive.identity.lba48 ? LBA48_MAX_COUNT : LBA28_MAX_COUNT;
    return kstd::min(limit, channel.ops->max_sectors);
}

ErrorOr<void> channel_submit(Channel& channel, Target const& target, dev::BlockRequest& request)
{
    if (target.drive->kind != DriveKind::Ata)
        return Error::from_errno(ENODEV);
    request.driver_data = const_cast<Target*>(&target);
    {
        sched::SpinlockGuard guard(channel.lock);
        channel.queue.push_back(request);
    }
    channel.ops->kick(channel);
    return {};
}

bool next_command_locked(Channel& channel)
{
    dev::BlockRequest* request = channel.current.request;   // still set: more of it to do
    if (!request) {
        request = channel.queue.pop_front();
        if (!request)
            return false;
        channel.request_done = 0;
    }
    auto const& target = *static_cast<Target const*>(request->driver_data);
    Drive& drive = *target.drive;
    Command& command = channel.current;
    command = Command {
        .request = request,
        .drive = &drive,
        .op = request->op,
        .lba = target.start + request->sector + channel.request_done,
        .count = kstd::min(request->count - channel.request_done, max_command_sectors(channel, drive)),
        .buffer_sector = channel.request_done,
        .deadline_ns = sched::deadline_after(channel.timeout_ns),
        .generation = ++channel.generation,
    };
    if (command.op == dev::BlockOp::Flush)
        command.lba = command.count = 0;
    choose_opcode(command, channel.ops->dma);
    ++channel.stats.commands;
    ++drive.stats.commands;
    return true;
}

void command_finished_locked(Channel& channel, ErrorOr<void> result)
{
    Command& command = channel.current;
    dev::BlockRequest* request = command.request;
    if (!request)
        return;
    Drive& drive = *command.drive;
    if (should_isolate(channel, command, result)) {
        // A multi-sector command failed. Which sector? Devices (and QEMU's DMA) may only say
        // roughly; retry from where it said, one sector at a time, so the error names the
        // sector, and a transient error costs nothing.
        u64 from = kstd::max(command.lba, kstd::min(drive.last_error.sector, command.lba + command.count - 1));
        channel.request_done += u32(from - command.lba);
        channel.isolate_end = command.lba + command.count;
        return;
    }
    if (channel.isolate_end && (result.is_error() || command.lba + command.count >= channel.isolate_end))
        channel.isolate_end = 0;
    if (!result.is_error()) {
        if (command.op == dev::BlockOp::Read)
            drive.stats.sectors_read += command.count;
        else if (command.op == dev::BlockOp::Write)
            drive.stats.sectors_written += command.count;
        else
            ++drive.stats.flushes;
        channel.request_done += command.count;
        if (command.op != dev::BlockOp::Flush && channel.request_done < request->count)
            return;   // the next command continues this request
    }
    command.request = nullptr;
    channel.isolate_end = 0;
    finish_request_locked(channel, *request, result.is_error() ? result.error().code() : 0);
}

void start_next_locked(Channel& channel)
{
    while (!channel.recovering && next_command_locked(channel)) {
        channel.busy = true;
        auto started = channel.ops->start(channel, channel.current);
        if (started.is_error() && started.error().code() == ETIMEDOUT) {
            // The device is stuck: leave the command in flight, already late, for the error
            // handler to reset the channel (nothing here may sleep or wait that long).
            channel.current.deadline_ns = 0;
            channel.eh_wait.wake_one();
            return;
        }
        if (!started.is_error()) {
            // The error handler needs waking only for a deadline before the one it sleeps for
            // (after an idle spell, or a shorter timeout): a stream of commands costs it nothing.
            if (channel.current.deadline_ns < channel.eh_sleeps_until)
                channel.eh_wait.wake_one();
            return;
        }
        log_warn("%s: %s: could not start a %s at sector %lu: %s\n", channel.name, channel.current.drive->name,
                 dev::op_name(channel.current.op), channel.current.lba, started.error().name());
        command_finished_locked(channel, started.release_error());
    }
    channel.busy = false;
}

void deliver_completions(Channel& channel)
{
    for (;;) {
        dev::BlockRequest* request;
        {
            sched::SpinlockGuard guard(channel.lock);
            request = channel.done.pop_front();
        }
        if (!request)
            return;
        int code = int(reinterpret_cast<uptr>(request->driver_data));
        request->driver_data = nullptr;
        if (code)
            blockdev::complete(*request, Error::from_errno(code));
        else
            blockdev::complete(*request, {});
    }
}

void kick_interrupt_driven(Channel& channel)
{
    {
        sched::SpinlockGuard guard(channel.lock);
        if (!channel.busy && !channel.recovering)
            start_next_locked(channel);
    }
    deliver_completions(channel);
}

irq::IrqReturn channel_interrupt(void* context)
{
    auto& channel = *static_cast<Channel*>(context);
    irq::IrqReturn result = irq::IrqReturn::None;
    {
        sched::SpinlockGuard guard(channel.lock);
        if (channel.ops->interrupt)
            result = channel.ops->interrupt(channel);
        if (result == irq::IrqReturn::None)
            ++channel.stats.unclaimed;
        else
            ++channel.stats.interrupts;
    }
    deliver_completions(channel);
    return result;
}

void channel_abort(Channel& channel, dev::BlockRequest& request)
{
    bool in_flight = false;
    {
        sched::SpinlockGuard guard(channel.lock);
        if (channel.queue.contains(request)) {
            channel.queue.remove(request);
            finish_request_locked(channel, request, ETIMEDOUT);
        } else if (channel.current.request == &request && channel.ops->interrupt && !channel.recovering) {
            channel.recovering = true;   // ours to recover (the error handler keeps out)
            in_flight = true;
        }
    }
    if (in_flight)
        recover_and_restart(channel, "was given up by the block layer");
    deliver_completions(channel);
}

}
