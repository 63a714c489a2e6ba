// Mode `dma` (lab 6): bus-master DMA. The CPU no longer moves the data: it describes the buffer
// to the controller and the controller moves it between the disk and memory by itself, then
// interrupts once for the whole command.
//
//   1. map the buffer for the device (streaming DMA: scatter-gather, one segment per physically
//      contiguous piece, none crossing 64 KiB; bounced when the device cannot reach it)
//   2. write one physical region descriptor (PRD) per segment, the last with the end bit, into
//      the PRD table (coherent memory), and give the controller the table's address
//   3. set the direction, clear the status, issue READ/WRITE DMA, start the engine
//   4. interrupt: is it ours (bus-master status has Interrupt)? stop the engine, read the
//      device status (acknowledging it), clear the bus-master status; the rest in a tasklet
//   5. tasklet: unmap (a bounced read is copied back here), check both statuses, complete,
//      start the next command
// Mapping allocates, which a top half must not do: that is why step 5 is a tasklet.
//
// Sources: SFF-8038i (bus master, PRD table), ATA/ATAPI-6 9.10 (DMA protocol).
#include "ata.h"
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

io::DmaSgOptions const SG_OPTIONS {
    .max_segment = PRD_BOUNDARY,   // a PRD's byte count is 16 bits (0 = 64 KiB)
    .max_segments = PRD_ENTRIES,
    .alignment = 2,                // PRD addresses are even
};

ErrorOr<void> dma_attach(Channel& channel)
{
    if (channel.bm.length() == 0)
        return Error::from_errno(ENODEV);   // no bus-master registers (no BAR4)
    // BEGIN LAB 6
    channel.prd_table = TRY(io::dma_alloc_coherent<Prd[]>(channel.dma_device(), PRD_ENTRIES));
    channel.controller->set_bus_master(true);   // SeaBIOS leaves it off
    channel.bm.write(bm_regs::command, BmCommand::Stop);
    channel.bm.write(bm_regs::status, channel.bm.read(bm_regs::status));   // clear Interrupt and Error
    return {};
    // END LAB 6
    // STUB LAB 6: return Error::from_errno(ENOSYS);   // lab 6: PRD table, bus mastering, engine stopped
}

void dma_detach(Channel& channel)
{
    if (channel.bm.length() != 0)
        channel.bm.write(bm_regs::command, BmCommand::Stop);
    channel.prd_table.release();
}

}

// One PRD per segment; the mapping already split the buffer at every 64 KiB line. Returns the
// number of entries. Lock held.
usize build_prd_table(Span<Prd> table, Span<io::DmaSegment const> segments)
{
    // BEGIN LAB 6
    VERIFY(!segments.empty() && segments.size() <= table.size());
    for (usize i = 0; i < segments.size(); ++i) {
        io::DmaSegment const& segment = segments[i];
        VERIFY(segment.bus_address + segment.length <= 0x100000000ull);
        VERIFY(segment.bus_address / PRD_BOUNDARY == (segment.bus_address + segment.length - 1) / PRD_BOUNDARY);
        table[i] = Prd {
            .address = u32(segment.bus_address),
            .byte_count = u16(segment.length),   // 65536 is written as 0
            .flags = u16(i + 1 == segments.size() ? PRD_END_OF_TABLE : 0),
        };
    }
    io::dma_wmb();   // the table is complete before the controller is told about it
    return segments.size();
    // END LAB 6
    // STUB LAB 6: (void)table, (void)segments;
    // STUB LAB 6: return 0;   // lab 6: one PRD per segment, end bit on the last
}

void dma_program_and_start(Channel& channel, Command& command, usize entries)
{
    // BEGIN LAB 6
    BmCommand to_memory = command.is_write() ? BmCommand::Stop : BmCommand::ToMemory;
    channel.bm.write(bm_regs::prd_table, u32(channel.prd_table.bus_address()));
    channel.bm.write(bm_regs::command, to_memory);                            // direction, engine stopped
    channel.bm.write(bm_regs::status, channel.bm.read(bm_regs::status));     // clear Interrupt and Error
    write_device_control(channel);
    issue_command(channel, command);
    channel.bm.write(bm_regs::command, to_memory | BmCommand::Start);
    // END LAB 6
    // STUB LAB 6: (void)channel, (void)command;   // lab 6: table address, direction, status, command, start
    ++channel.stats.dma_commands;
    channel.stats.prd_entries += entries;
    if (channel.mapping.is_bounced())
        ++channel.stats.bounced_commands;
}

namespace {

// Lock held, interrupts off.
ErrorOr<void> dma_start(Channel& channel, Command& command)
{
    // BEGIN LAB 6
    if (command.op == dev::BlockOp::Flush) {
        TRY(select_drive(channel, *command.drive, start_deadline(command)));
        write_device_control(channel);
        issue_command(channel, command);
        return {};
    }
    auto direction = command.is_write() ? io::Direction::ToDevice : io::Direction::FromDevice;
    channel.mapping = TRY(io::dma_map_sg(channel.dma_device(), command.data(), direction, SG_OPTIONS));
    if (auto selected = select_drive(channel, *command.drive, start_deadline(command)); selected.is_error()) {
        (void)io::dma_unmap(channel.dma_device(), channel.mapping);
        return selected.release_error();
    }
    dma_program_and_start(channel, command, build_prd_table(channel.prd_table.span(), channel.mapping.segments()));
    return {};
    // END LAB 6
    // STUB LAB 6: (void)channel, (void)command, (void)SG_OPTIONS;
    // STUB LAB 6: return Error::from_errno(ENOSYS);   // lab 6: map, PRD table, direction, command, start
}

// The top half. Lock held, interrupts off.
irq::IrqReturn dma_interrupt(Channel& channel)
{
    // BEGIN LAB 6
    BmStatus bm = channel.bm.read(bm_regs::status);
    if (!has(bm, BmStatus::Interrupt))
        return irq::IrqReturn::None;                              // not this channel's device
    channel.bm.write(bm_regs::command, BmCommand::Stop);         // stop the engine
    Status status = channel.cmd.read(regs::status);              // acknowledges INTRQ
    channel.bm.write(bm_regs::status, bm);                        // write 1 to clear Interrupt/Error
    if (!channel.busy || channel.recovering || has(status, Status::Bsy))
        return irq::IrqReturn::Handled;
    channel.bm_seen = bm;
    channel.status_seen = status;
    channel.dma_done.schedule();
    return irq::IrqReturn::Handled;
    // END LAB 6
    // STUB LAB 6: (void)channel;
    // STUB LAB 6: return irq::IrqReturn::None;   // lab 6: ours? stop the engine, acknowledge, tasklet
}

// Both the controller and the device have their say. Lock held.
ErrorOr<void> dma_result(Channel& channel, Command& command)
{
    // BEGIN LAB 6
    if (has_any(channel.status_seen, Status::Err | Status::Df))
        return command_error(channel, command, channel.status_seen);
    if (command.op == dev::BlockOp::Flush)
        return {};
    if (has(channel.bm_seen, BmStatus::Error)) {
        log_error("%s: %s: bus-master error during a %s at sector %lu\n", channel.name, command.drive->name,
                  dev::op_name(command.op), command.lba);
        return Error::from_errno(EIO);
    }
    if (has(channel.bm_seen, BmStatus::Active)) {
        // The device stopped before the table ended, without saying why: a short transfer.
        return command_error(channel, command, channel.status_seen);
    }
    return {};
    // END LAB 6
    // STUB LAB 6: (void)channel, (void)command;
    // STUB LAB 6: return Error::from_errno(EIO);   // lab 6: device ERR/DF, bus-master Error, Active
}

void dma_stop(Channel& channel)
{
    channel.bm.write(bm_regs::command, BmCommand::Stop);
    channel.bm.write(bm_regs::status, channel.bm.read(bm_regs::status));
    if (channel.mapping.is_mapped())
        (void)io::dma_unmap(channel.dma_device(), channel.mapping);
}

}

void dma_tasklet(void* context)
{
    auto& channel = *static_cast<Channel*>(context);
    {
        sched::SpinlockGuard guard(channel.lock);
        if (!channel.busy || channel.recovering || !channel.current.request)
            return;
        // BEGIN LAB 6
        if (channel.mapping.is_mapped())
            (void)io::dma_unmap(channel.dma_device(), channel.mapping);   // a bounced read is copied back here
        // END LAB 6
        auto result = dma_result(channel, channel.current);
        command_finished_locked(channel, result);
        start_next_locked(channel);
    }
    deliver_completions(channel);
}

constexpr AtaModeOps dma_mode_ops {
    .name = "dma",
    .interrupts = true,
    .dma = true,
    .max_sectors = 2048,   // 1 MiB per command: one interrupt per MiB
    .attach = dma_attach,
    .detach = dma_detach,
    .kick = kick_interrupt_driven,
    .start = dma_start,
    .interrupt = dma_interrupt,
    .stop = dma_stop,
};

}
