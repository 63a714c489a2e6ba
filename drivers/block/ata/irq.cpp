// Mode `irq` (lab 5): the same READ/WRITE SECTORS commands, driven by the device's interrupt.
// submit() only starts the command and returns; the thread that wants the data sleeps (in
// blockdev::read_sync, on a semaphore) instead of polling. Each time the device has a block
// ready (a read) or has taken one (a write) it raises INTRQ; the top half reads the status
// register, which acknowledges the interrupt, moves one sector through the data port and
// returns. On the last sector it completes the request, which wakes the sleeper, and starts the
// next command. The CPU is free between interrupts: that is the whole point.
//
//   read:  command ... IRQ [status, 256 words] ... IRQ [status, 256 words] ... (done)
//   write: command, DRQ [256 words] ... IRQ [status, 256 words] ... IRQ [status] (done)
//
// A write's first block is asked for with DRQ but without an interrupt (ATA/ATAPI-6 9.8), so
// start() waits for that DRQ: a few microseconds, once per command.
#include "ata.h"
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

// Moves one sector of `command` through the data port, in the direction of the command.
void move_block(Channel& channel, Command& command)
{
    auto* block = reinterpret_cast<u16*>(command.data().data() + usize(command.done) * SECTOR_SIZE);
    if (command.is_write())
        channel.cmd.write16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
    else
        channel.cmd.read16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
    ++command.done;
    ++channel.stats.data_blocks;
}

// Lock held, interrupts off.
ErrorOr<void> irq_start(Channel& channel, Command& command)
{
    // BEGIN LAB 5
    TRY(select_drive(channel, *command.drive, start_deadline(command)));
    write_device_control(channel);   // nIEN clear: this mode wants INTRQ
    issue_command(channel, command);
    command.done = 0;
    if (command.is_write()) {
        settle(channel);
        Status status = TRY(wait_not_busy(channel, start_deadline(command)));
        if (has_any(status, Status::Err | Status::Df) || !has(status, Status::Drq))
            return command_error(channel, command, status);
        move_block(channel, command);
    }
    return {};
    // END LAB 5
    // STUB LAB 5: (void)channel, (void)command, (void)move_block;
    // STUB LAB 5: return Error::from_errno(ENOSYS);   // lab 5: select, nIEN clear, issue; a write's first block
}

// What this interrupt means for the command in flight: an error, more to do, or done.
// EINPROGRESS means "not finished yet".
ErrorOr<void> irq_step(Channel& channel, Command& command, Status status)
{
    // BEGIN LAB 5
    if (has_any(status, Status::Err | Status::Df))
        return command_error(channel, command, status);
    if (command.op == dev::BlockOp::Flush)
        return {};
    if (command.is_write() && command.done == command.count)
        return {};                           // the last block reached the medium
    if (!has(status, Status::Drq))
        return command_error(channel, command, status);
    move_block(channel, command);
    if (!command.is_write() && command.done == command.count)
        return {};                           // a read ends with its last block: no more interrupts
    return Error::from_errno(EINPROGRESS);
    // END LAB 5
    // STUB LAB 5: (void)channel, (void)command, (void)status;
    // STUB LAB 5: return Error::from_errno(ENOSYS);   // lab 5: ERR? move one block; last one?
}

// The top half. Lock held (channel_interrupt takes it), interrupts off.
irq::IrqReturn irq_interrupt(Channel& channel)
{
    // BEGIN LAB 5
    Status status = channel.cmd.read(regs::status);   // acknowledges the device's INTRQ
    if (!channel.busy || !channel.current.request || channel.recovering)
        return irq::IrqReturn::None;     // nothing in flight: not ours (or a stray edge)
    if (has(status, Status::Bsy))
        return irq::IrqReturn::Handled;  // not ready yet: wait for the next one
    auto result = irq_step(channel, channel.current, status);
    if (result.is_error() && result.error().code() == EINPROGRESS)
        return irq::IrqReturn::Handled;
    command_finished_locked(channel, result);
    start_next_locked(channel);
    return irq::IrqReturn::Handled;
    // END LAB 5
    // STUB LAB 5: (void)channel, (void)irq_step;
    // STUB LAB 5: return irq::IrqReturn::None;   // lab 5: acknowledge, step the command, finish it
}

}

constexpr AtaModeOps irq_mode_ops {
    .name = "irq",
    .interrupts = true,
    .dma = false,
    .max_sectors = LBA48_MAX_COUNT,
    .attach = nullptr,
    .detach = nullptr,
    .kick = kick_interrupt_driven,
    .start = irq_start,
    .interrupt = irq_interrupt,
    .stop = nullptr,
};

}
