// Purpose-made wrong drivers (wrong_modes.instructor.h): the right driver's pieces, with one
// classic mistake each. Never in a handout.
#include "wrong_modes.instructor.h"
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace ata::wrong {

namespace {

// --- lab 4 -------------------------------------------------------------------------------------

// Waits for the command to end by looking at the status rarely (after 1, 2, 4, ... ms), so the
// number of status reads stays small however long a loaded host keeps BSY set: the self-test
// must show the mistake (no status read before each block), not the host's load.
ErrorOr<void> wait_not_busy_rarely(Channel& channel, u64 deadline_ns)
{
    for (u64 pause_ns = 1'000'000;; pause_ns *= 2) {
        time::busy_wait_ns(pause_ns);
        Status status = channel.ctl.read(regs::alt_status);
        if (!has(status, Status::Bsy))
            return {};
        if (time::now_ns() >= deadline_ns)
            return Error::from_errno(ETIMEDOUT);
    }
}

// Issues the command and moves every block at once: no BSY wait, no DRQ check.
ErrorOr<void> transfer_without_waiting(Channel& channel, Command& command)
{
    TRY(select_drive(channel, *command.drive, command.deadline_ns));
    issue_command(channel, command);
    Bytes data = command.data();
    for (command.done = 0; command.done < command.count; ++command.done) {
        auto* block = reinterpret_cast<u16*>(data.data() + usize(command.done) * SECTOR_SIZE);
        if (command.is_write())
            channel.cmd.write16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
        else
            channel.cmd.read16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
    }
    return wait_not_busy_rarely(channel, command.deadline_ns);
}

// Waits for BSY to clear before each block, then moves it whatever the status says.
ErrorOr<void> transfer_ignoring_drq(Channel& channel, Command& command)
{
    TRY(select_drive(channel, *command.drive, command.deadline_ns));
    issue_command(channel, command);
    settle(channel);
    Bytes data = command.data();
    for (command.done = 0; command.done < command.count; ++command.done) {
        (void)TRY(wait_not_busy(channel, command.deadline_ns));
        auto* block = reinterpret_cast<u16*>(data.data() + usize(command.done) * SECTOR_SIZE);
        if (command.is_write())
            channel.cmd.write16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
        else
            channel.cmd.read16_repeated(regs::data.offset, block, SECTOR_SIZE / 2);
        settle(channel);
    }
    (void)TRY(wait_not_busy(channel, command.deadline_ns));
    return {};
}

ErrorOr<void> flush_or(ErrorOr<void> (*transfer)(Channel&, Command&), Channel& channel, Command& command)
{
    if (command.op != dev::BlockOp::Flush)
        return transfer(channel, command);
    TRY(select_drive(channel, *command.drive, command.deadline_ns));
    issue_command(channel, command);
    settle(channel);
    (void)TRY(wait_not_busy(channel, command.deadline_ns));
    return {};
}

void kick_no_bsy_wait(Channel& channel)
{
    run_polled(channel, [](Channel& c, Command& cmd) { return flush_or(transfer_without_waiting, c, cmd); });
}

void kick_drq_ignored(Channel& channel)
{
    run_polled(channel, [](Channel& c, Command& cmd) { return flush_or(transfer_ignoring_drq, c, cmd); });
}

// --- lab 5 -------------------------------------------------------------------------------------

// "irq" mode that runs the polled loop with INTRQ enabled: the top half only acknowledges,
// the data moves by polling. Its interrupt counts look right; its CPU never sleeps.
void kick_polling(Channel& channel)
{
    run_polled(channel, [](Channel& c, Command& cmd) {
        if (cmd.op == dev::BlockOp::Flush)
            return flush_or(pio_transfer, c, cmd);
        return pio_transfer(c, cmd);
    });
}

irq::IrqReturn acknowledge_only(Channel& channel)
{
    (void)channel.cmd.read(regs::status);
    return irq::IrqReturn::Handled;
}

// --- lab 6 -------------------------------------------------------------------------------------

io::DmaSgOptions const OPTIONS { .max_segment = PRD_BOUNDARY, .max_segments = PRD_ENTRIES, .alignment = 2 };

io::Direction right_direction(Command const& command)
{
    return command.is_write() ? io::Direction::ToDevice : io::Direction::FromDevice;
}

// The right start, with the mapping and the PRD table built the wrong way where asked.
ErrorOr<void> start_with(Channel& channel, Command& command, io::Direction direction, bool end_bit)
{
    if (command.op == dev::BlockOp::Flush)
        return dma_mode_ops.start(channel, command);
    channel.mapping = TRY(io::dma_map_sg(channel.dma_device(), command.data(), direction, OPTIONS));
    TRY(select_drive(channel, *command.drive, start_deadline(command)));
    auto segments = channel.mapping.segments();
    Span<Prd> table = channel.prd_table.span();
    for (usize i = 0; i < segments.size(); ++i) {
        bool last = i + 1 == segments.size();
        table[i] = Prd { u32(segments[i].bus_address), u16(segments[i].length), u16(last && end_bit ? PRD_END_OF_TABLE : 0) };
    }
    dma_program_and_start(channel, command, segments.size());
    return {};
}

ErrorOr<void> start_no_eot(Channel& channel, Command& command)
{
    return start_with(channel, command, right_direction(command), false);
}

// The right mapping and table, without the reference driver's own check of the 64 KiB rule.
ErrorOr<void> start_unchecked(Channel& channel, Command& command)
{
    return start_with(channel, command, right_direction(command), true);
}

ErrorOr<void> start_wrong_direction(Channel& channel, Command& command)
{
    auto opposite = command.is_write() ? io::Direction::FromDevice : io::Direction::ToDevice;
    return start_with(channel, command, opposite, true);
}

ErrorOr<void> start_then_unmap(Channel& channel, Command& command)
{
    TRY(dma_mode_ops.start(channel, command));
    if (channel.mapping.is_mapped())
        (void)io::dma_unmap(channel.dma_device(), channel.mapping);   // "done with it"
    return {};
}

// The DMA API is never told the device's 64 KiB boundary, so segments cross it.
ErrorOr<void> attach_without_boundary(Channel& channel)
{
    TRY(dma_mode_ops.attach(channel));
    channel.dma_device().set_dma_boundary(0);
    return {};
}

ErrorOr<void> attach_without_bus_master(Channel& channel)
{
    TRY(dma_mode_ops.attach(channel));
    channel.controller->set_bus_master(false);
    return {};
}

AtaModeOps dma_with(ErrorOr<void> (*attach)(Channel&), ErrorOr<void> (*start)(Channel&, Command&))
{
    AtaModeOps ops = dma_mode_ops;
    ops.attach = attach;
    ops.start = start;
    return ops;
}

}

constexpr AtaModeOps no_bsy_wait { .name = "pio", .interrupts = false, .dma = false, .max_sectors = LBA48_MAX_COUNT,
    .attach = nullptr, .detach = nullptr, .kick = kick_no_bsy_wait, .start = nullptr, .interrupt = nullptr, .stop = nullptr };
constexpr AtaModeOps drq_ignored { .name = "pio", .interrupts = false, .dma = false, .max_sectors = LBA48_MAX_COUNT,
    .attach = nullptr, .detach = nullptr, .kick = kick_drq_ignored, .start = nullptr, .interrupt = nullptr, .stop = nullptr };
constexpr AtaModeOps irq_polls { .name = "irq", .interrupts = true, .dma = false, .max_sectors = LBA48_MAX_COUNT,
    .attach = nullptr, .detach = nullptr, .kick = kick_polling, .start = nullptr, .interrupt = acknowledge_only,
    .stop = nullptr };
AtaModeOps const prd_no_eot = dma_with(dma_mode_ops.attach, start_no_eot);
AtaModeOps const prd_cross_64k = dma_with(attach_without_boundary, start_unchecked);
AtaModeOps const no_bus_master = dma_with(attach_without_bus_master, dma_mode_ops.start);
AtaModeOps const unmap_early = dma_with(dma_mode_ops.attach, start_then_unmap);
AtaModeOps const wrong_direction = dma_with(dma_mode_ops.attach, start_wrong_direction);

AtaModeOps const* by_name(StringView name)
{
    struct Entry {
        char const* name;
        AtaModeOps const* ops;
    };
    static Entry const table[] = {
        { "ata_no_bsy_wait", &no_bsy_wait }, { "ata_drq_ignored", &drq_ignored }, { "ata_irq_polls", &irq_polls },
        { "ata_prd_no_eot", &prd_no_eot }, { "ata_prd_cross_64k", &prd_cross_64k },
        { "ata_no_bus_master", &no_bus_master }, { "ata_unmap_early", &unmap_early },
        { "ata_wrong_direction", &wrong_direction },
    };
    for (auto const& entry : table) {
        if (name == StringView(entry.name))
            return entry.ops;
    }
    return nullptr;
}

}
