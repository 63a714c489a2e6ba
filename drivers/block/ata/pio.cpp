// Mode `pio` (lab 4): programmed I/O by polling, the way a first disk driver works. The CPU
// writes the command, then for each 512-byte sector waits until the device clears BSY and sets
// DRQ, and moves the 256 words itself through the data register (`rep insw` / `rep outsw`).
// The device's interrupt stays masked (nIEN): the CPU learns everything by reading status.
//
// Requests run in the thread that submits them: submit() returns after the request has
// completed, like the RAM disk's. A second thread submitting meanwhile only queues; the thread
// that owns the channel drains the queue before it lets go.
#include "ata.h"
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace ata {

ErrorOr<void> pio_transfer(Channel& channel, Command& command)
{
    TRY(select_drive(channel, *command.drive, command.deadline_ns));
    issue_command(channel, command);
    settle(channel);
    Bytes data = command.data();
    // BEGIN LAB 4
    for (command.done = 0; command.done < command.count;) {
        TRY(wait_for_data(channel, command));
        auto* block = reinterpret_cast<u16*>(data.data() + usize(command.done) * SECTOR_SIZE);
        if (command.is_write())
            channel.cmd.write16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
        else
            channel.cmd.read16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
        ++command.done;
        ++channel.stats.data_blocks;
        settle(channel);   // the device shows BSY for the next block (or the write) within 400 ns
    }
    // After the last block: a write still has to reach the medium, and may fail there.
    Status status = TRY(wait_not_busy(channel, command.deadline_ns));
    if (has_any(status, Status::Err | Status::Df))
        return command_error(channel, command, status);
    return {};
    // END LAB 4
    // STUB LAB 4: (void)data;
    // STUB LAB 4: return Error::from_errno(ENOSYS);   // lab 4: for each sector: BSY clear, DRQ set, 256 words
}

namespace {

// A flush has no data: wait for the device to say it is done.
ErrorOr<void> pio_flush(Channel& channel, Command& command)
{
    TRY(select_drive(channel, *command.drive, command.deadline_ns));
    issue_command(channel, command);
    settle(channel);
    Status status = TRY(wait_not_busy(channel, command.deadline_ns));
    if (has_any(status, Status::Err | Status::Df))
        return command_error(channel, command, status);
    return {};
}

ErrorOr<void> pio_command(Channel& channel, Command& command)
{
    return command.op == dev::BlockOp::Flush ? pio_flush(channel, command) : pio_transfer(channel, command);
}

void pio_kick(Channel& channel) { run_polled(channel, pio_command); }

}

void run_polled(Channel& channel, ErrorOr<void> (*run)(Channel&, Command&))
{
    {
        sched::SpinlockGuard guard(channel.lock);
        if (channel.busy || channel.recovering)
            return;   // the owner will get to our request
        channel.busy = true;
    }
    for (;;) {
        {
            sched::SpinlockGuard guard(channel.lock);
            if (!next_command_locked(channel)) {
                channel.busy = false;
                break;
            }
        }
        Command& command = channel.current;   // ours alone while busy
        auto result = run(channel, command);
        (void)channel.cmd.read(regs::status);   // leave no interrupt pending
        if (result.is_error() && result.error().code() == ETIMEDOUT) {
            recover(channel, "timed out");
        } else {
            sched::SpinlockGuard guard(channel.lock);
            command_finished_locked(channel, result);
        }
        deliver_completions(channel);
    }
    deliver_completions(channel);
}

constexpr AtaModeOps pio_mode_ops {
    .name = "pio",
    .interrupts = false,
    .dma = false,
    .max_sectors = LBA48_MAX_COUNT,
    .attach = nullptr,
    .detach = nullptr,
    .kick = pio_kick,
    .start = nullptr,
    .interrupt = nullptr,
    .stop = nullptr,
};

}
