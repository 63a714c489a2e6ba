#pragma once
// The ATA/IDE driver (drivers/block/ata): PIIX3/PIIX4 IDE controllers (PCI 8086:7010,
// 8086:7111), both channels, master and slave. Disks become block devices hda, hdb, hdc, hdd
// (primary master, primary slave, secondary master, secondary slave) with their MBR or GPT
// partitions hda1, hda2, ...; ATAPI devices (CD-ROMs) are recognised and left alone.
//
// Modes (`ata.mode=pio|irq|dma`, default dma; one mode for every channel), each its own ops
// table (labs 4-6):
//   pio  polled READ/WRITE SECTORS: the CPU waits for BSY/DRQ and moves 256 words per sector
//   irq  the same commands; the top half moves one sector per DRQ interrupt, callers sleep
//   dma  READ/WRITE DMA through the bus master: a PRD table, streaming DMA, one interrupt per
//        command
// A mode that cannot start (no bus-master registers, no IRQ) falls back to the next simpler
// one, with a log line. Other boot words: `ata.timeout_ms=` (per command, default 5000).
//
// Errors: a failed sector completes its request with EIO and a log line naming the disk, the
// operation and the sector; a command that never finishes is given up after the timeout: the
// channel is reset, the drives are identified again, the request gets ETIMEDOUT, and the other
// requests carry on. This header is the driver's own interface for tests, benchmarks and the
// monitor (`disks`, `partitions`, `ata`, `sector`); the data path is the block class.
#include <kernel/dev/blockdev.h>
#include <kstd/error.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace ata {

struct DriveStats {
    u64 commands;
    u64 sectors_read;
    u64 sectors_written;
    u64 flushes;
    u64 errors;
    u64 timeouts;
};

// The last command that failed on a drive: what the device said, and where.
struct LastError {
    bool valid;
    dev::BlockOp op;
    u64 sector;              // on the disk: the sector the device reported (or the command's first)
    u8 status;
    u8 error;
    int code;                // the errno the request got
};

struct ChannelStats {
    u64 commands;            // ATA commands issued for block requests
    u64 interrupts;          // taken by the channel's top half and claimed
    u64 unclaimed;           // top-half calls that were not this channel's
    u64 data_blocks;         // 512-byte blocks moved through the data port (PIO)
    u64 dma_commands;
    u64 prd_entries;
    u64 bounced_commands;    // DMA commands whose buffer needed bounce buffers
    u64 errors;
    u64 timeouts;
    u64 resets;
};

struct DiskInfo {
    char name[8];            // "hda"
    u8 channel;              // 0 primary, 1 secondary
    u8 unit;                 // 0 master, 1 slave
    char model[41];
    char serial[21];
    u64 sectors;
    bool lba48;
    bool write_cache;
    char const* mode;        // the channel's mode: "pio", "irq", "dma"
    DriveStats stats;
    LastError last_error;
};

struct ChannelInfo {
    char name[8];            // "ata0"
    char const* mode;        // "pio", "irq", "dma"; "unused" without a disk (no IRQ taken)
    u16 command_base;
    u16 control_port;
    u16 bus_master_base;     // 0 without bus-master registers
    u32 irq;                 // the IRQ line; ~0 in pio mode (none taken)
    u64 timeout_ns;
    ChannelStats stats;
};

// A disk by name ("hda" or "/dev/hda"; partitions are not disks). ENOENT when there is none.
// Context: thread.
[[nodiscard]] ErrorOr<DiskInfo> disk_info(StringView name);
// Channel 0..3 (two per controller). ENOENT past the last. Context: thread.
[[nodiscard]] ErrorOr<ChannelInfo> channel_info(unsigned index);
// The per-command timeout of every channel (tests shorten it). Context: thread.
void set_command_timeout(u64 timeout_ns);
// The mode the driver chose at boot ("pio", "irq", "dma"), or nullptr when no controller.
char const* active_mode();

}
