// The PIIX IDE channel model (piix_ide.h): ports, the task file, interrupts, the PIO data
// phases and reset. Command decoding is in piix_ide_commands.cpp; the bus-master half
// (registers, PRD walk, DMA) in piix_bus_master.cpp.
#include <kstd/error.h>
#include "piix_ide.h"
#include "clock.h"
#include <cstdio>

namespace models {

namespace {

// Device control register (ATA/ATAPI-6, 7.9).
constexpr u8 CONTROL_NIEN = 0x02, CONTROL_SRST = 0x04, CONTROL_HOB = 0x80;
constexpr u8 DEVICE_DEV = 0x10;
constexpr u64 MIN_SRST_NS = 5'000;

char const* const REGISTER_NAMES[] = { "data", "features", "sector count", "LBA low", "LBA mid", "LBA high",
    "device", "command" };

std::string hex(u64 value)
{
    char text[24];
    std::snprintf(text, sizeof(text), "%#llx", static_cast<unsigned long long>(value));
    return text;
}

}

PiixIdeChannel::PiixIdeChannel(PiixIdeController& controller, unsigned index, InterruptLine& intrq)
    : m_controller(controller), m_index(index), m_intrq(intrq)
{
}

void PiixIdeChannel::attach(u16 command_base, u16 control_port, u16 bus_master_base)
{
    m_command_base = command_base;
    m_control_port = control_port;
    m_bm_base = bus_master_base;
    char const* names[] = { "ide command block", "ide control block", "ide bus master" };
    port_bus().attach(command_base, 8, *this, names[0]);
    port_bus().attach(control_port, 1, *this, names[1]);
    port_bus().attach(bus_master_base, 8, *this, names[2]);
    // After power-on the devices are ready, with their signatures loaded.
    for (unsigned i = 0; i < 2; ++i) {
        m_drive[i] = DriveState {};
        if (devices[i].kind == IdeKind::Disk)
            m_drive[i].status = ide_status::DRDY | ide_status::DSC;
    }
    if (devices[0].kind != IdeKind::Absent)
        set_signature(devices[0]);
}

bool PiixIdeChannel::has_violation(std::string const& text) const
{
    for (auto const& v : violations) {
        if (v.find(text) != std::string::npos)
            return true;
    }
    return false;
}

std::string PiixIdeChannel::violations_text() const
{
    std::string out;
    for (auto const& v : violations)
        out += "  " + v + "\n";
    return out.empty() ? "  (none)\n" : out;
}

void PiixIdeChannel::violation(std::string text)
{
    char prefix[32];
    std::snprintf(prefix, sizeof(prefix), "ide%u: ", m_index);
    violations.push_back(prefix + text);
}

// ---- ports ---------------------------------------------------------------------------------

u32 PiixIdeChannel::port_read(u16 port, u8 width)
{
    if (port == m_control_port)
        return read_status(false);
    if (port >= m_bm_base && port < m_bm_base + 8)
        return read_bus_master(port - m_bm_base, width);
    return read_command_block(port - m_command_base, width);
}

void PiixIdeChannel::port_write(u16 port, u8 width, u32 value)
{
    if (port == m_control_port)
        write_control(u8(value));
    else if (port >= m_bm_base && port < m_bm_base + 8)
        write_bus_master(port - m_bm_base, width, value);
    else
        write_command_block(port - m_command_base, width, value);
}

u32 PiixIdeChannel::read_command_block(unsigned reg, u8 width)
{
    if (reg == 0) {
        u32 value = read_data();
        if (width == 4)
            value |= u32(read_data()) << 16;
        return value;
    }
    // An absent device does not drive the bus; the PIIX reads 0 (QEMU does the same).
    if (devices[m_selected].kind == IdeKind::Absent)
        return 0;
    switch (reg) {
    case 1: return m_drive[m_selected].error;
    case 6: return m_device_reg;
    case 7: return read_status(true);
    default: return task_register(reg);
    }
}

void PiixIdeChannel::write_command_block(unsigned reg, u8 width, u32 value)
{
    if (reg == 0) {
        write_data(u16(value));
        if (width == 4)
            write_data(u16(value >> 16));
        return;
    }
    DriveState const& drive = m_drive[m_selected];
    bool locked = drive.status & (ide_status::BSY | ide_status::DRQ);
    if (reg == 7) {
        if (devices[m_selected].kind == IdeKind::Absent)
            return;
        if (locked) {
            violation(std::string("command ") + hex(value) + " written while the device is " +
                (drive.status & ide_status::BSY ? "BSY" : "presenting data (DRQ)") +
                ": a new command must wait until BSY and DRQ are clear");
            return;
        }
        start_command(u8(value));
        return;
    }
    if (locked) {
        violation(std::string(REGISTER_NAMES[reg]) + " register written while " +
            (drive.status & ide_status::BSY ? "BSY" : "DRQ") + " is set (ignored by the device)");
        return;
    }
    m_control &= u8(~CONTROL_HOB);   // any command-block write clears HOB
    if (reg == 6) {
        m_device_reg = u8(value);
        m_selected = value & DEVICE_DEV ? 1 : 0;
        update_intrq();
        return;
    }
    write_task_register(reg, u8(value));
}

void PiixIdeChannel::write_task_register(unsigned reg, u8 value)
{
    m_task[reg][1] = m_task[reg][0];
    m_task[reg][0] = value;
}

u8 PiixIdeChannel::task_register(unsigned reg) const
{
    return m_task[reg][(m_control & CONTROL_HOB) ? 1 : 0];
}

u8 PiixIdeChannel::read_status(bool acknowledge)
{
    if (acknowledge)
        ++counters.status_reads;
    else
        ++counters.alt_status_reads;
    DriveState& drive = m_drive[m_selected];
    if (devices[m_selected].kind == IdeKind::Absent)
        return 0;
    // In the first 400 ns after a command the device may not have updated its status yet.
    u8 status = clock().now() - m_command_time < timing.settle_ns ? m_status_before : drive.status;
    if (acknowledge && drive.intrq_pending) {
        drive.intrq_pending = false;
        update_intrq();
    }
    return status;
}

u16 PiixIdeChannel::read_data()
{
    DriveState& drive = m_drive[m_selected];
    bool presenting = m_phase == Phase::PioIn && m_cmd.drive == m_selected && (drive.status & ide_status::DRQ);
    if (!presenting || clock().now() - m_command_time < timing.settle_ns) {
        if (drive.status & ide_status::BSY)
            violation("data register read while BSY: the driver did not wait for BSY to clear");
        else
            violation("data register read without DRQ: the device is not presenting data (check DRQ and ERR "
                      "before reading a block)");
        return 0xFFFF;
    }
    ++counters.data_words_in;
    u16 word;
    if (m_identify_phase)
        word = m_identify[m_buffer_pos / 2];
    else
        word = u16(m_buffer[m_buffer_pos] | m_buffer[m_buffer_pos + 1] << 8);
    m_buffer_pos += 2;
    if (m_buffer_pos == IdeDevice::SECTOR)
        pio_in_block_done();
    return word;
}

void PiixIdeChannel::write_data(u16 word)
{
    DriveState& drive = m_drive[m_selected];
    if (m_phase != Phase::PioOut || m_cmd.drive != m_selected || !(drive.status & ide_status::DRQ)) {
        violation(drive.status & ide_status::BSY
                ? "data register written while BSY: the driver did not wait for BSY to clear"
                : "data register written without DRQ: wait for the device to ask for the block");
        return;
    }
    ++counters.data_words_out;
    m_buffer[m_buffer_pos] = u8(word);
    m_buffer[m_buffer_pos + 1] = u8(word >> 8);
    m_buffer_pos += 2;
    if (m_buffer_pos == IdeDevice::SECTOR)
        pio_out_block_done();
}

void PiixIdeChannel::write_control(u8 value)
{
    bool was_reset = m_control & CONTROL_SRST;
    bool reset = value & CONTROL_SRST;
    m_control = value;
    if (!was_reset && reset) {
        // Both devices stop whatever they were doing and go busy (ATA/ATAPI-6, 9.2).
        m_srst_time = clock().now();
        cancel_pending();
        m_phase = Phase::Reset;
        for (auto& drive : m_drive) {
            drive.status = ide_status::BSY;
            drive.intrq_pending = false;
        }
        for (auto& device : devices)
            device.hang_next_command = false;
        ++counters.resets;
    } else if (was_reset && !reset) {
        if (clock().now() - m_srst_time < MIN_SRST_NS)
            violation("SRST held for less than 5 us: the devices may not see the reset");
        after(timing.reset_ns, &PiixIdeChannel::finish_reset);
    }
    update_intrq();
}

// ---- interrupts ----------------------------------------------------------------------------

// INTRQ is driven by the selected device: its pending interrupt, unless nIEN masks it.
void PiixIdeChannel::update_intrq()
{
    bool level = m_drive[m_selected].intrq_pending && !(m_control & CONTROL_NIEN)
        && devices[m_selected].kind != IdeKind::Absent;
    if (level && !m_intrq.is_high())
        ++counters.interrupts;
    m_intrq.set_level(level);
}

void PiixIdeChannel::raise_interrupt(DriveState& drive)
{
    drive.intrq_pending = true;
    update_intrq();
}

void PiixIdeChannel::after(u64 delay_ns, void (PiixIdeChannel::*step)())
{
    cancel_pending();
    m_pending_event = clock().schedule_in(delay_ns, [this, step] {
        m_pending_event = 0;
        (this->*step)();
    });
}

void PiixIdeChannel::cancel_pending()
{
    if (m_pending_event)
        clock().cancel(m_pending_event);
    m_pending_event = 0;
}

void PiixIdeChannel::pio_in_next_block()
{
    u64 lba = m_cmd.lba + m_cmd.done;
    if (u8 error = current_device().take_fault(lba, false))
        return finish_with_fault(lba, error);
    current_device().read_sector(lba, m_buffer.data());
    ++current_device().sectors_read;
    m_buffer_pos = 0;
    m_phase = Phase::PioIn;
    current().status = ide_status::DRDY | ide_status::DSC | ide_status::DRQ;
    raise_interrupt(current());
}

void PiixIdeChannel::pio_in_block_done()
{
    ++m_cmd.done;
    if (m_identify_phase || m_cmd.done == m_cmd.count) {
        m_identify_phase = false;
        m_phase = Phase::Idle;
        current().status = ide_status::DRDY | ide_status::DSC;   // no interrupt after the last block
        return;
    }
    current().status = ide_status::BSY | ide_status::DRDY;
    after(timing.block_ns, &PiixIdeChannel::pio_in_next_block);
}

// PIO out: the device asks for the first block without an interrupt (ATA/ATAPI-6, 9.8).
void PiixIdeChannel::pio_out_first_block()
{
    m_buffer_pos = 0;
    m_phase = Phase::PioOut;
    current().status = ide_status::DRDY | ide_status::DSC | ide_status::DRQ;
}

void PiixIdeChannel::pio_out_block_done()
{
    current().status = ide_status::BSY | ide_status::DRDY;
    after(timing.block_ns, &PiixIdeChannel::pio_out_store_block);
}

// The block reached the medium (or failed); the device asks for the next one, or says it is
// done, with an interrupt either way.
void PiixIdeChannel::pio_out_store_block()
{
    u64 lba = m_cmd.lba + m_cmd.done;
    if (u8 error = current_device().take_fault(lba, true))
        return finish_with_fault(lba, error);
    current_device().write_sector(lba, m_buffer.data());
    ++current_device().sectors_written;
    ++current_device().unflushed_writes;
    if (++m_cmd.done == m_cmd.count)
        return finish(ide_status::DRDY | ide_status::DSC, 0);
    m_buffer_pos = 0;
    current().status = ide_status::DRDY | ide_status::DSC | ide_status::DRQ;
    raise_interrupt(current());
}

void PiixIdeChannel::finish(u8 status_bits, u8 error)
{
    m_phase = Phase::Idle;
    m_identify_phase = false;
    current().error = error;
    current().status = u8(status_bits | (error ? ide_status::ERR : 0));
    raise_interrupt(current());
}

// The failing sector goes into the LBA registers, as the standard asks of commands that stop
// on an error (ATA/ATAPI-6, "Error outputs" of READ SECTORS and READ DMA).
void PiixIdeChannel::finish_with_fault(u64 lba, u8 error)
{
    for (unsigned i = 0; i < 3; ++i) {
        m_task[3 + i][0] = u8(lba >> (8 * i));
        m_task[3 + i][1] = u8(lba >> (24 + 8 * i));
    }
    m_device_reg = u8((m_device_reg & 0xF0) | ((lba >> 24) & 0x0F));
    finish(ide_status::DRDY | ide_status::DSC, error);
}

// Signatures (ATA/ATAPI-6, 9.12): count 1, LBA low 1; LBA mid/high 00h/00h for an ATA device,
// 14h/EBh for a packet device.
void PiixIdeChannel::set_signature(IdeDevice const& device)
{
    bool atapi = device.kind == IdeKind::Atapi;
    m_task[2] = { 1, 1 };
    m_task[3] = { 1, 1 };
    m_task[4] = { u8(atapi ? 0x14 : 0), u8(atapi ? 0x14 : 0) };
    m_task[5] = { u8(atapi ? 0xEB : 0), u8(atapi ? 0xEB : 0) };
}

void PiixIdeChannel::finish_reset()
{
    m_phase = Phase::Idle;
    m_selected = 0;
    m_device_reg = 0;
    for (unsigned i = 0; i < 2; ++i) {
        m_drive[i].error = 0x01;   // diagnostic code: no error
        m_drive[i].status = devices[i].kind == IdeKind::Disk ? ide_status::DRDY | ide_status::DSC : 0;
    }
    if (devices[0].kind != IdeKind::Absent)
        set_signature(devices[0]);
    update_intrq();
}

}
