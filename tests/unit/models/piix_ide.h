#pragma once
// A register-level model of the Intel PIIX3/PIIX4 IDE controller in compatibility mode, with
// its devices (host unit tests). Facts from the ATA/ATAPI-6 standard (task file, protocols,
// IDENTIFY, software reset, signatures), SFF-8038i (the bus-master registers and the physical
// region descriptor table) and the PIIX datasheets (two channels, legacy ports and IRQs 14/15,
// bus-master registers in BAR4: primary at +0, secondary at +8).
//
// It runs the protocols with time in them (models::clock()): after a command the device is BSY
// for timing.command_ns, the status register still shows the old status for the first 400 ns,
// PIO data comes one 512-byte block per DRQ, DMA moves the data through the PRD table when the
// bus master is started and raises one interrupt at the end. INTRQ follows the selected
// device's pending interrupt and nIEN, and is cleared by reading the status register.
//
// What the standards forbid is recorded in `violations`, in words a student can act on
// (a data-port read while BSY, a PRD entry crossing 64 KiB, a DMA with bus mastering off, a
// buffer the device writes that is mapped to-device or no longer mapped ...). Tests of correct
// drivers require it to stay empty; tests of wrong drivers require the violation that names
// their bug.
#include "ide_device.h"
#include "interrupt_line.h"
#include "port_bus.h"
#include <kstd/types.h>
#include <array>
#include <map>
#include <string>
#include <vector>

namespace models {

namespace ide_status {
inline constexpr u8 ERR = 0x01, DRQ = 0x08, DSC = 0x10, DF = 0x20, DRDY = 0x40, BSY = 0x80;
}

struct IdeTiming {
    u64 command_ns { 20'000 };     // command written -> first block ready / command done
    u64 first_write_ns { 1'000 };  // PIO out: command -> DRQ for the first block
    u64 block_ns { 2'000 };        // between PIO blocks
    u64 dma_sector_ns { 100 };     // DMA: per sector, after command_ns
    u64 reset_ns { 1'000'000 };    // SRST released -> BSY clear
    u64 settle_ns { 400 };         // status is stale this long after a command (ATA's 400 ns)
};

class PiixIdeController;

class PiixIdeChannel final : public PortDevice {
public:
    PiixIdeChannel(PiixIdeController& controller, unsigned index, InterruptLine& intrq);

    IdeDevice devices[2];          // master, slave
    IdeTiming timing;
    std::vector<std::string> violations;

    struct Counters {
        u64 commands { 0 };
        u64 status_reads { 0 };        // the status register (acknowledges INTRQ)
        u64 alt_status_reads { 0 };
        u64 data_words_in { 0 };       // words the host read from the data port
        u64 data_words_out { 0 };
        u64 interrupts { 0 };          // times INTRQ was asserted
        u64 resets { 0 };
        u64 dma_transfers { 0 };
        u64 prd_entries { 0 };
        std::map<u8, u64> by_opcode;
    } counters;

    // Claims the three port ranges of this channel on the port bus.
    void attach(u16 command_base, u16 control_port, u16 bus_master_base);
    bool has_violation(std::string const& text) const;
    std::string violations_text() const;
    unsigned selected() const { return m_selected; }
    bool busy() const { return m_drive[m_selected].status & ide_status::BSY; }
    u8 bus_master_status() const { return m_bm_status; }

    u32 port_read(u16 port, u8 width) override;
    void port_write(u16 port, u8 width, u32 value) override;

private:
    enum class Phase : u8 { Idle, Busy, PioIn, PioOut, DmaPending, DmaRunning, Reset };
    struct Command {
        u8 opcode { 0 };
        unsigned drive { 0 };
        u64 lba { 0 };
        u32 count { 0 };
        u32 done { 0 };        // sectors transferred
        bool is_write { false };
        bool is_dma { false };
    };
    struct DriveState {
        u8 status { 0 };
        u8 error { 0 };
        bool intrq_pending { false };
    };

    // Register access, by block.
    u32 read_command_block(unsigned reg, u8 width);
    void write_command_block(unsigned reg, u8 width, u32 value);
    u8 read_status(bool acknowledge);
    u16 read_data();
    void write_data(u16 word);
    void write_control(u8 value);
    void write_task_register(unsigned reg, u8 value);
    u8 task_register(unsigned reg) const;

    // The protocol.
    void start_command(u8 opcode);
    bool decode_rw(u8 opcode, bool is_write, bool is_dma, bool ext);
    void run_identify(bool packet);
    void abort_command();
    void pio_in_next_block();
    void pio_in_block_done();
    void pio_out_first_block();
    void pio_out_block_done();
    void pio_out_store_block();
    void finish(u8 status_bits, u8 error);
    void finish_with_fault(u64 lba, u8 error);
    void set_signature(IdeDevice const& device);
    void finish_reset();
    void raise_interrupt(DriveState& drive);
    void update_intrq();
    void after(u64 delay_ns, void (PiixIdeChannel::*step)());
    void cancel_pending();
    DriveState& current() { return m_drive[m_cmd.drive]; }
    IdeDevice& current_device() { return devices[m_cmd.drive]; }
    void violation(std::string text);

    PiixIdeController& m_controller;
    unsigned m_index;
    InterruptLine& m_intrq;
    u16 m_command_base { 0 };
    u16 m_control_port { 0 };
    u16 m_bm_base { 0 };

    // Task file: [0] the last value written, [1] the one before (LBA48's "previous" byte).
    std::array<std::array<u8, 2>, 6> m_task {};   // features, count, lba low, mid, high (index 1-5)
    u8 m_device_reg { 0 };
    u8 m_control { 0 };
    unsigned m_selected { 0 };
    DriveState m_drive[2];

    Phase m_phase { Phase::Idle };
    Command m_cmd;
    std::array<u8, IdeDevice::SECTOR> m_buffer {};
    u32 m_buffer_pos { 0 };
    std::array<u16, 256> m_identify {};
    bool m_identify_phase { false };
    u64 m_command_time { 0 };
    u8 m_status_before { 0 };
    u64 m_srst_time { 0 };
    u64 m_pending_event { 0 };

    // Bus master (piix_bus_master.cpp).
    u8 m_bm_command { 0 };
    u8 m_bm_status { 0 };
    u32 m_prd_pointer { 0 };
    u32 read_bus_master(unsigned reg, u8 width);
    void write_bus_master(unsigned reg, u8 width, u32 value);
    void try_start_dma();
    void complete_dma();
};

class PiixIdeController {
public:
    // Compatibility mode: primary 0x1F0-0x1F7 / 0x3F6 / IRQ 14, secondary 0x170-0x177 / 0x376 /
    // IRQ 15; the bus-master block (BAR4, 16 ports) at `bus_master_base`.
    explicit PiixIdeController(u16 bus_master_base = 0xC040);
    PiixIdeController(PiixIdeController const&) = delete;
    PiixIdeController& operator=(PiixIdeController const&) = delete;

    InterruptLine irq14 { "irq14", Trigger::Edge };
    InterruptLine irq15 { "irq15", Trigger::Edge };
    PiixIdeChannel primary { *this, 0, irq14 };
    PiixIdeChannel secondary { *this, 1, irq15 };
    // The PCI command register's Bus Master Enable bit (SeaBIOS leaves it off).
    bool bus_master_enabled { false };
    u16 bus_master_base;

    void attach();
    bool clean() const { return primary.violations.empty() && secondary.violations.empty(); }
};

}
