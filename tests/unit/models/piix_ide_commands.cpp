// The PIIX IDE channel model's command decoding (piix_ide.h): which protocol each command runs,
// its address and count from the task file, IDENTIFY, and aborts. The data phases are in
// piix_ide.cpp, DMA in piix_bus_master.cpp.
#include <kstd/error.h>
#include "piix_ide.h"
#include "clock.h"
#include <cstdio>

namespace models {

namespace {

// Command codes (ATA/ATAPI-6, section 8).
namespace op {
constexpr u8 READ_SECTORS = 0x20, READ_SECTORS_EXT = 0x24, READ_DMA_EXT = 0x25;
constexpr u8 WRITE_SECTORS = 0x30, WRITE_SECTORS_EXT = 0x34, WRITE_DMA_EXT = 0x35;
constexpr u8 IDENTIFY_PACKET = 0xA1, READ_DMA = 0xC8, WRITE_DMA = 0xCA;
constexpr u8 FLUSH_CACHE = 0xE7, FLUSH_CACHE_EXT = 0xEA, IDENTIFY = 0xEC, SET_FEATURES = 0xEF;
}

constexpr u8 DEVICE_LBA = 0x40;

std::string hex(u64 value)
{
    char text[24];
    std::snprintf(text, sizeof(text), "%#llx", static_cast<unsigned long long>(value));
    return text;
}

}

void PiixIdeChannel::start_command(u8 opcode)
{
    ++counters.commands;
    ++counters.by_opcode[opcode];
    m_cmd = Command { .opcode = opcode, .drive = m_selected };
    DriveState& drive = current();
    m_status_before = drive.status;
    m_command_time = clock().now();
    drive.status = ide_status::BSY | (drive.status & ide_status::DRDY);
    drive.error = 0;
    drive.intrq_pending = false;
    m_identify_phase = false;
    m_phase = Phase::Busy;
    update_intrq();
    IdeDevice& device = current_device();
    if (device.hang_next_command) {
        device.hang_next_command = false;   // BSY for ever, until a reset
        return;
    }
    switch (opcode) {
    case op::IDENTIFY: return run_identify(false);
    case op::IDENTIFY_PACKET: return run_identify(true);
    case op::READ_SECTORS: case op::READ_SECTORS_EXT:
        if (decode_rw(opcode, false, false, opcode == op::READ_SECTORS_EXT))
            after(timing.command_ns, &PiixIdeChannel::pio_in_next_block);
        return;
    case op::WRITE_SECTORS: case op::WRITE_SECTORS_EXT:
        if (decode_rw(opcode, true, false, opcode == op::WRITE_SECTORS_EXT))
            after(timing.first_write_ns, &PiixIdeChannel::pio_out_first_block);
        return;
    case op::READ_DMA: case op::READ_DMA_EXT: case op::WRITE_DMA: case op::WRITE_DMA_EXT: {
        bool is_write = opcode == op::WRITE_DMA || opcode == op::WRITE_DMA_EXT;
        if (decode_rw(opcode, is_write, true, opcode == op::READ_DMA_EXT || opcode == op::WRITE_DMA_EXT)) {
            m_phase = Phase::DmaPending;
            try_start_dma();
        }
        return;
    }
    case op::FLUSH_CACHE: case op::FLUSH_CACHE_EXT:
        if (device.kind != IdeKind::Disk || (opcode == op::FLUSH_CACHE_EXT && !device.lba48))
            return abort_command();
        ++device.flushes;
        device.unflushed_writes = 0;
        break;
    case op::SET_FEATURES:
        if (m_task[1][0] == 0x03)   // set transfer mode: the mode is in the sector count
            device.transfer_mode = m_task[2][0];
        else if (m_task[1][0] == 0x02 || m_task[1][0] == 0x82)
            device.write_cache = m_task[1][0] == 0x02;
        else
            return abort_command();
        break;
    default:
        return abort_command();
    }
    // Non-data commands that succeed: done after the command time.
    m_pending_event = clock().schedule_in(timing.command_ns, [this] {
        m_pending_event = 0;
        finish(ide_status::DRDY | ide_status::DSC, 0);
    });
}

// READ/WRITE SECTORS (EXT) and READ/WRITE DMA (EXT): the address and count from the task file.
// LBA28: LBA 27:24 in the device register, count 0 means 256. LBA48: the "previous" bytes are
// bits 47:24 and count 15:8, count 0 means 65536 (ATA/ATAPI-6, 6.20 48-bit Address feature set).
bool PiixIdeChannel::decode_rw(u8 opcode, bool is_write, bool is_dma, bool ext)
{
    IdeDevice& device = current_device();
    if (device.kind != IdeKind::Disk || (ext && !device.lba48)) {
        abort_command();
        return false;
    }
    if (!(m_device_reg & DEVICE_LBA)) {
        violation("command " + hex(opcode) + " without the LBA bit (0x40) in the device register: the "
                  "device takes the registers as cylinder/head/sector");
        abort_command();
        return false;
    }
    m_cmd.is_write = is_write;
    m_cmd.is_dma = is_dma;
    if (ext) {
        m_cmd.lba = u64(m_task[3][0]) | u64(m_task[4][0]) << 8 | u64(m_task[5][0]) << 16 | u64(m_task[3][1]) << 24
            | u64(m_task[4][1]) << 32 | u64(m_task[5][1]) << 40;
        m_cmd.count = u32(m_task[2][0]) | u32(m_task[2][1]) << 8;
        if (m_cmd.count == 0)
            m_cmd.count = 65536;
    } else {
        m_cmd.lba = u64(m_task[3][0]) | u64(m_task[4][0]) << 8 | u64(m_task[5][0]) << 16 | u64(m_device_reg & 0x0F) << 24;
        m_cmd.count = m_task[2][0] ? m_task[2][0] : 256;
    }
    if (m_cmd.lba + m_cmd.count > device.sectors) {
        u64 lba = m_cmd.lba;
        m_pending_event = clock().schedule_in(timing.command_ns, [this, lba] {
            m_pending_event = 0;
            finish_with_fault(lba, ide_error::IDNF | ide_error::ABRT);
        });
        return false;
    }
    return true;
}

void PiixIdeChannel::run_identify(bool packet)
{
    IdeDevice& device = current_device();
    bool matches = packet ? device.kind == IdeKind::Atapi : device.kind == IdeKind::Disk;
    if (!matches)
        return abort_command();
    m_identify = packet ? device.identify_packet() : device.identify();
    m_identify_phase = true;
    m_cmd.count = 1;
    m_pending_event = clock().schedule_in(timing.command_ns, [this] {
        m_pending_event = 0;
        m_phase = Phase::PioIn;
        m_buffer_pos = 0;
        current().status = ide_status::DRDY | ide_status::DSC | ide_status::DRQ;
        raise_interrupt(current());
    });
}

// An ATAPI device aborts ATA commands and shows its signature, so that a driver that sent
// IDENTIFY DEVICE to a CD-ROM learns what it is talking to (ATA/ATAPI-6, 8.15.7).
void PiixIdeChannel::abort_command()
{
    m_pending_event = clock().schedule_in(timing.command_ns, [this] {
        m_pending_event = 0;
        if (current_device().kind == IdeKind::Atapi) {
            set_signature(current_device());
            finish(0, ide_error::ABRT);
            current().status = ide_status::ERR;   // an ATAPI device never says DRDY here
            return;
        }
        finish(ide_status::DRDY | ide_status::DSC, ide_error::ABRT);
    });
}

}
