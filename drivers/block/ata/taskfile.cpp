// The task file (lab 4): selecting a device, the 400 ns settle, waiting for BSY and DRQ, the
// LBA28 and LBA48 register setup, and turning the status and error registers into an errno and
// a log line. Every mode builds on these; the polled commands of the driver's own (IDENTIFY,
// SET FEATURES) are here too.
//
// The protocol in one paragraph (ATA/ATAPI-6 section 9): the host may write the task file only
// while BSY and DRQ are clear. It writes the registers, then the command; the device sets BSY
// within 400 ns (so status read sooner may still be the old one) and clears it when it has
// something to say: DRQ for "take (or give me) a block of data", ERR for "it failed, see the
// error register", neither for "done".
#include "ata.h"
#include <arch/platform.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

constexpr u64 SETTLE_NS = 400;
constexpr Status FLOATING_BUS = Status(0xFF);   // no device drives the bus

// "UNC (uncorrectable data)", ... for a log line.
[[maybe_unused]] void describe_error(ErrorReg error, Status status, char* out, usize capacity)
{
    struct Bit {
        ErrorReg bit;
        char const* text;
    };
    static constexpr Bit bits[] = {
        { ErrorReg::Unc, "UNC (uncorrectable data)" },
        { ErrorReg::Idnf, "IDNF (sector not found)" },
        { ErrorReg::Abrt, "ABRT (command aborted)" },
        { ErrorReg::Amnf, "AMNF (address mark not found)" },
        { ErrorReg::Icrc, "ICRC (interface CRC error)" },
    };
    usize used = 0;
    out[0] = '\0';
    if (has(status, Status::Df))
        used += kstd::snprintf(out + used, capacity - used, "DF (device fault) ");
    for (auto const& b : bits) {
        if (has(error, b.bit) && used < capacity)
            used += kstd::snprintf(out + used, capacity - used, "%s ", b.text);
    }
    if (used == 0)
        kstd::snprintf(out, capacity, "%s", has(status, Status::Err) ? "ERR with no error bit" : "no DRQ");
    else
        out[used - 1] = '\0';
}

// The LBA the device reported for a failed command (the task file holds it afterwards).
[[maybe_unused]] u64 reported_lba(Channel& channel, bool lba48)
{
    auto const& cmd = channel.cmd;
    u64 lba = u64(cmd.read(regs::lba_low)) | u64(cmd.read(regs::lba_mid)) << 8 | u64(cmd.read(regs::lba_high)) << 16;
    if (!lba48)
        return lba | u64(cmd.read(regs::device) & 0x0F) << 24;
    write_device_control(channel, Control::Hob);
    lba |= u64(cmd.read(regs::lba_low)) << 24 | u64(cmd.read(regs::lba_mid)) << 32 | u64(cmd.read(regs::lba_high)) << 40;
    write_device_control(channel);
    return lba;
}

}

Bytes Command::data() const
{
    VERIFY(request);
    return request->buffer.subspan(usize(buffer_sector) * SECTOR_SIZE, usize(count) * SECTOR_SIZE);
}

void write_device_control(Channel& channel, Control extra)
{
    Control value = Control::Obsolete | extra;
    if (!channel.ops->interrupts || channel.polled_command)
        value = value | Control::Nien;
    channel.ctl.write(regs::device_control, value);
}

void settle(Channel& channel)
{
    // BEGIN LAB 4
    (void)channel.ctl.read(regs::alt_status);   // the write has reached the device
    time::busy_wait_ns(SETTLE_NS);
    // END LAB 4
    // STUB LAB 4: (void)channel;   // lab 4: give the device 400 ns to show BSY
}

ErrorOr<Status> wait_not_busy(Channel& channel, u64 deadline_ns)
{
    // BEGIN LAB 4
    for (;;) {
        Status status = channel.ctl.read(regs::alt_status);
        if (status == FLOATING_BUS)
            return Error::from_errno(ENODEV);
        if (!has(status, Status::Bsy))
            return status;
        if (time::now_ns() >= deadline_ns)
            return Error::from_errno(ETIMEDOUT);
        arch::cpu_relax();
    }
    // END LAB 4
    // STUB LAB 4: (void)channel, (void)deadline_ns;
    // STUB LAB 4: return Error::from_errno(ENOSYS);   // lab 4: poll alternate status until BSY clears
}

ErrorOr<void> wait_for_data(Channel& channel, Command& command)
{
    // BEGIN LAB 4
    Status status = TRY(wait_not_busy(channel, command.deadline_ns));
    if (has_any(status, Status::Err | Status::Df) || !has(status, Status::Drq))
        return command_error(channel, command, status);
    return {};
    // END LAB 4
    // STUB LAB 4: (void)channel, (void)command;
    // STUB LAB 4: return Error::from_errno(ENOSYS);   // lab 4: BSY clear, then DRQ (or ERR)
}

ErrorOr<void> select_drive(Channel& channel, Drive& drive, u64 deadline_ns)
{
    // BEGIN LAB 4
    Status status = TRY(wait_not_busy(channel, deadline_ns));
    if (has(status, Status::Drq))
        return Error::from_errno(EBUSY);   // a transfer is still open: a protocol bug above us
    channel.cmd.write(regs::device, u8(DEVICE_OBSOLETE | (drive.unit ? DEVICE_DEV1 : 0)));
    settle(channel);
    return {};
    // END LAB 4
    // STUB LAB 4: (void)channel, (void)drive, (void)deadline_ns;
    // STUB LAB 4: return Error::from_errno(ENOSYS);   // lab 4: wait for the channel, write the device register
}

void issue_command(Channel& channel, Command const& command)
{
    auto const& cmd = channel.cmd;
    u8 device = u8(DEVICE_OBSOLETE | DEVICE_LBA | (command.drive->unit ? DEVICE_DEV1 : 0));
    // BEGIN LAB 4
    u64 lba = command.lba;
    u32 count = command.count;
    if (command.op == dev::BlockOp::Flush) {
        cmd.write(regs::device, device);
    } else if (command.lba48) {
        // Each register is a two-byte FIFO: the high ("previous") bytes go in first.
        cmd.write(regs::sector_count, u8(count >> 8));   // 65536 is written as 0
        cmd.write(regs::lba_low, u8(lba >> 24));
        cmd.write(regs::lba_mid, u8(lba >> 32));
        cmd.write(regs::lba_high, u8(lba >> 40));
        cmd.write(regs::sector_count, u8(count));
        cmd.write(regs::lba_low, u8(lba));
        cmd.write(regs::lba_mid, u8(lba >> 8));
        cmd.write(regs::lba_high, u8(lba >> 16));
        cmd.write(regs::device, device);
    } else {
        cmd.write(regs::sector_count, u8(count));        // 256 is written as 0
        cmd.write(regs::lba_low, u8(lba));
        cmd.write(regs::lba_mid, u8(lba >> 8));
        cmd.write(regs::lba_high, u8(lba >> 16));
        cmd.write(regs::device, u8(device | ((lba >> 24) & 0x0F)));
    }
    // END LAB 4
    // STUB LAB 4: (void)device;   // lab 4: sector count, LBA registers (LBA28 or LBA48), device
    cmd.write(regs::command, command.opcode);
}

Error command_error(Channel& channel, Command const& command, Status status)
{
    Drive& drive = *command.drive;
    // BEGIN LAB 4
    ErrorReg error = has(status, Status::Err) ? channel.cmd.read(regs::error) : ErrorReg::None;
    // The block in flight: a write's was sent before the device said no.
    u64 sector = command.lba + (command.is_write() && command.done ? command.done - 1 : command.done);
    if (has(status, Status::Err)) {
        u64 reported = reported_lba(channel, command.lba48);   // the device's own account
        if (reported >= command.lba && reported < command.lba + command.count)
            sector = reported;
    }
    char what[96];
    describe_error(error, status, what, sizeof(what));
    if (command.count > 1)
        log_warn("%s: %s error in sectors %lu-%lu (the device reports %lu): %s (status %#x, error %#x); "
                 "retrying them one at a time\n", drive.name, dev::op_name(command.op), command.lba,
                 command.lba + command.count - 1, sector, what, unsigned(status), unsigned(error));
    else
        log_error("%s: %s error at sector %lu: %s (status %#x, error %#x)\n", drive.name, dev::op_name(command.op),
                  sector, what, unsigned(status), unsigned(error));
    drive.last_error = LastError { true, command.op, sector, u8(status), u8(error), EIO };
    ++drive.stats.errors;
    ++channel.stats.errors;
    return Error::from_errno(EIO);
    // END LAB 4
    // STUB LAB 4: (void)channel, (void)command, (void)status, (void)drive;
    // STUB LAB 4: return Error::from_errno(EIO);   // lab 4: decode ERR/DF and the error register, log the sector
}

u64 start_deadline(Command const& command)
{
    return kstd::min(command.deadline_ns, sched::deadline_after(START_BUDGET_NS));
}

void choose_opcode(Command& command, bool dma)
{
    Identity const& id = command.drive->identity;
    if (command.op == dev::BlockOp::Flush) {
        command.lba48 = false;
        command.opcode = id.flush_ext ? command::FLUSH_CACHE_EXT : command::FLUSH_CACHE;
        return;
    }
    // LBA48 only where LBA28 cannot say it: past 2^28 sectors, or more than 256 at once.
    command.lba48 = id.lba48 && (command.lba + command.count > LBA28_LIMIT || command.count > LBA28_MAX_COUNT);
    static constexpr u8 table[2][2][2] = {
        // [dma][lba48][write]
        { { command::READ_SECTORS, command::WRITE_SECTORS }, { command::READ_SECTORS_EXT, command::WRITE_SECTORS_EXT } },
        { { command::READ_DMA, command::WRITE_DMA }, { command::READ_DMA_EXT, command::WRITE_DMA_EXT } },
    };
    command.opcode = table[dma][command.lba48][command.is_write()];
}

ErrorOr<Status> exec_polled(Channel& channel, Drive& drive, PolledCommand const& polled)
{
    u64 deadline = sched::deadline_after(channel.timeout_ns);
    channel.polled_command = true;
    write_device_control(channel);
    auto result = [&]() -> ErrorOr<Status> {
        TRY(select_drive(channel, drive, deadline));
        channel.cmd.write(regs::features, polled.features);
        channel.cmd.write(regs::sector_count, polled.sector_count);
        channel.cmd.write(regs::command, polled.opcode);
        settle(channel);
        Status status = TRY(wait_not_busy(channel, deadline));
        if (polled.data_in.empty() || !has(status, Status::Drq) || has(status, Status::Err))
            return status;
        channel.cmd.read16_repeated(regs::data.offset, polled.data_in.data(), polled.data_in.size());
        return TRY(wait_not_busy(channel, deadline));
    }();
    (void)channel.cmd.read(regs::status);   // acknowledge, in case INTRQ was pending
    channel.polled_command = false;
    write_device_control(channel);
    return result;
}

}
