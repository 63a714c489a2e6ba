#pragma once
// The ATA/IDE driver's internals, shared by its files (not a public interface; the driver's
// only public face is the block class: hda, hdb, ... and their partitions).
//
//   ata_regs.h     the registers (task file, device control, bus master, PRD)
//   taskfile.cpp   lab 4: selecting a device, the 400 ns settle, waiting for BSY/DRQ, LBA28/48
//                  register setup, status and error decoding, polled commands of the driver's own
//   identify.cpp   lab 4: IDENTIFY (DEVICE and PACKET DEVICE) and what its 256 words say
//   pio.cpp        lab 4: mode `pio`, polled READ/WRITE SECTORS with rep insw/outsw
//   irq.cpp        lab 5: mode `irq`, a top half that moves one sector per DRQ interrupt
//   dma.cpp        lab 6: mode `dma`, the PRD table, streaming DMA, the bus master, the tasklet
//   channel.cpp    the request queue, splitting requests into commands, completion
//   reset.cpp      software reset, probing a channel, recovery after a timeout
//   piix.cpp       the PCI driver (kernel only): ID table, ports, IRQs, modes, the error handler
//   disk.cpp       block devices and partitions (kernel only); monitor.cpp: monitor commands
//
// Concurrency: one command at a time per channel (the two devices share the task file). A
// channel's Spinlock guards its queue and the command in flight; the top half takes it too.
// Block requests complete outside the lock (their callbacks may submit again).
#include "ata_regs.h"
#include <drivers/ata.h>
#include <kernel/dev/blockdev.h>
#include <kernel/dev/device.h>
#include <kernel/io/dma.h>
#include <kernel/irq/irq.h>
#include <kernel/irq/tasklet.h>
#include <kernel/sched/sync.h>
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/span.h>
#include <kstd/string.h>

namespace ata {

inline constexpr u32 SECTOR_SIZE = 512;
inline constexpr u64 LBA28_LIMIT = 1ull << 28;         // sectors an LBA28 command can reach
inline constexpr u32 LBA28_MAX_COUNT = 256;            // sector count 0 means 256
inline constexpr u32 LBA48_MAX_COUNT = 65536;          // sector count 0 means 65536
inline constexpr u64 DEFAULT_TIMEOUT_NS = 5'000'000'000;   // per command (`ata.timeout_ms`)
inline constexpr usize PRD_ENTRIES = 512;              // one 4 KiB page of descriptors
// irq/dma start a command with interrupts off: how long they may wait for an idle device (and
// a write's first DRQ). Longer means something is wrong; the error handler resets the channel.
inline constexpr u64 START_BUDGET_NS = 1'000'000;

class Channel;
struct Controller;

enum class DriveKind : u8 { None, Ata, Atapi };

// What IDENTIFY (PACKET) DEVICE said (ATA/ATAPI-6 8.15.8 / 8.16.8).
struct Identity {
    char model[41];          // words 27-46, spaces trimmed
    char serial[21];         // words 10-19
    char firmware[9];        // words 23-26
    u64 sectors;             // words 100-103 with LBA48, else 60-61
    bool lba;                // word 49 bit 9
    bool lba48;              // word 83 bit 10 (and enabled: word 86 bit 10)
    bool dma;                // word 49 bit 8
    u8 mwdma_modes;          // word 63 bits 0-2
    u8 udma_modes;           // word 88 bits 0-7 (valid when word 53 bit 2)
    bool write_cache;        // supported (82.5) and enabled (85.5)
    bool flush_ext;          // FLUSH CACHE EXT (83.13)
};

struct Drive {
    Channel* channel { nullptr };
    u8 unit { 0 };                       // 0 master, 1 slave
    DriveKind kind { DriveKind::None };
    Identity identity {};
    char name[8] {};                     // "hda" (disks only)
    DriveStats stats {};                 // Guarded by the channel lock
    LastError last_error {};             // Guarded by the channel lock
};

// Where a block device's sectors are on a drive: the whole disk, or one partition.
struct Target {
    Drive* drive;
    u64 start;                           // first sector of the device on the drive
    u64 sectors;
};

// One ATA command: a piece of a block request (requests larger than one command are split),
// a flush, or a command of the driver's own (request == nullptr).
struct Command {
    dev::BlockRequest* request { nullptr };
    Drive* drive { nullptr };
    dev::BlockOp op { dev::BlockOp::Read };
    u8 opcode { 0 };
    bool lba48 { false };
    u64 lba { 0 };                       // first sector on the drive
    u32 count { 0 };                     // sectors
    u32 done { 0 };                      // sectors moved so far (PIO)
    u32 buffer_sector { 0 };             // where this command's data starts in the request buffer
    u64 deadline_ns { 0 };
    u64 generation { 0 };                // which command this is, for the error handler

    bool is_write() const { return op == dev::BlockOp::Write; }
    // The part of the request buffer this command moves.
    Bytes data() const;
};

// A channel mode: pio, irq or dma (CONTRACTS.md section 4: each its own table and file).
struct AtaModeOps {
    char const* name;
    bool interrupts;         // the device's INTRQ is enabled (nIEN clear) while commands run
    bool dma;                // commands are READ/WRITE DMA (else READ/WRITE SECTORS)
    u32 max_sectors;         // per command; the drive's own limit (LBA28/48) also applies
    // The mode's own resources (dma: bus mastering, the PRD table). May be null.
    ErrorOr<void> (*attach)(Channel& channel);
    void (*detach)(Channel& channel);
    // The queue has work. pio: run it now, polled, in the caller. irq/dma: start the first
    // command if the channel is idle. Context: thread or any submitting context. Lock not held.
    void (*kick)(Channel& channel);
    // Programs and starts one command. Lock held, interrupts off. irq/dma only. ETIMEDOUT: the
    // device did not get ready within START_BUDGET_NS (the error handler then resets it).
    ErrorOr<void> (*start)(Channel& channel, Command& command);
    // The top half. Null: this mode takes no interrupts. Context: IRQ.
    irq::IrqReturn (*interrupt)(Channel& channel);
    // Quiesces the command in flight before a reset (dma: stop the engine, unmap). May be null.
    // Lock held.
    void (*stop)(Channel& channel);
};

extern AtaModeOps const pio_mode_ops;   // pio.cpp
extern AtaModeOps const irq_mode_ops;   // irq.cpp
extern AtaModeOps const dma_mode_ops;   // dma.cpp
// The dma mode's bottom half: unmaps, checks the outcome, starts the next command (dma.cpp).
void dma_tasklet(void* channel);

class Channel {
public:
    Channel();
    Channel(Channel const&) = delete;
    Channel& operator=(Channel const&) = delete;

    Controller* controller { nullptr };
    u8 index { 0 };                      // 0 primary, 1 secondary
    char name[8] {};                     // "ata0"
    io::PortWindow cmd;                  // command block
    io::PortWindow ctl;                  // control block
    io::PortWindow bm;                   // bus-master block (length 0 without BAR4)
    Drive drives[2];
    AtaModeOps const* ops { &pio_mode_ops };
    u64 timeout_ns { DEFAULT_TIMEOUT_NS };

    sched::Spinlock lock { "ata channel" };
    // Submitted requests waiting for the channel, in order (BlockRequest::queue_link).
    IntrusiveList<dev::BlockRequest, &dev::BlockRequest::queue_link> queue;   // Guarded by lock
    // Finished requests to complete once the lock is dropped.
    IntrusiveList<dev::BlockRequest, &dev::BlockRequest::queue_link> done;    // Guarded by lock
    Command current;                     // Guarded by lock: valid while busy
    u32 request_done { 0 };              // Guarded by lock: sectors of current.request finished
    u64 isolate_end { 0 };               // Guarded by lock: retrying one sector at a time up to here
    bool busy { false };                 // Guarded by lock: a command (or the pio loop) owns the channel
    bool recovering { false };           // Guarded by lock: reset in progress, start nothing
    bool polled_command { false };       // a polled command of the driver's own masks INTRQ
    u64 generation { 0 };                // Guarded by lock
    ChannelStats stats {};               // Guarded by lock
    sched::WaitQueue eh_wait;            // the error handler sleeps here (piix.cpp)
    u64 eh_sleeps_until { ~0ull };       // Guarded by lock: its deadline (NO_DEADLINE: idle)

    // --- dma mode (dma.cpp) -----------------------------------------------------------------
    io::DmaCoherent<Prd[]> prd_table;
    io::DmaSgList mapping;               // the data of the command in flight
    BmStatus bm_seen { BmStatus::None }; // what the top half read, for the tasklet
    Status status_seen { Status::None };
    irq::Tasklet dma_done;

    Drive* drive(u8 unit) { return &drives[unit]; }
    dev::Device& dma_device();
};

// The PCI function and its two channels. Kernel: piix.cpp; host tests make their own.
struct Controller {
    dev::Device* device { nullptr };
    Channel channels[2];
    // Bus Master Enable in the PCI command register (piix.cpp; the host tests' model).
    void set_bus_master(bool on);
};

// --- taskfile.cpp (lab 4) -----------------------------------------------------------------

// Reads alternate status once (the register write reached the device) and waits the 400 ns a
// device may take to show BSY after a command or a device selection. Context: any.
void settle(Channel& channel);
// Polls alternate status until BSY clears: the status, or ETIMEDOUT at the deadline.
[[nodiscard]] ErrorOr<Status> wait_not_busy(Channel& channel, u64 deadline_ns);
// For a PIO data block: waits for BSY to clear, then requires DRQ. EIO (logged, naming the
// sector) when the device reports ERR or DF instead, ETIMEDOUT when it never answers.
[[nodiscard]] ErrorOr<void> wait_for_data(Channel& channel, Command& command);
// Selects `drive` (device register) once the channel is idle, then settles.
[[nodiscard]] ErrorOr<void> select_drive(Channel& channel, Drive& drive, u64 deadline_ns);
// Writes the task file for `command` (LBA28 or LBA48 register setup) and the command register.
void issue_command(Channel& channel, Command const& command);
// The errno for a failed command, with a log line naming the device, the operation and the
// sector the device reported; records it as the drive's last error. `status` is the status
// read at the end of the command.
Error command_error(Channel& channel, Command const& command, Status status);
// The deadline for polling while a command starts with interrupts off (START_BUDGET_NS).
u64 start_deadline(Command const& command);
// Fills in opcode and lba48 for a read/write/flush command of `count` sectors at `lba`.
void choose_opcode(Command& command, bool dma);
// Device control from the channel's state: nIEN unless the mode uses interrupts and no polled
// command runs. The one place that writes the register (but for reset's SRST pulse).
void write_device_control(Channel& channel, Control extra = Control::None);

// A command of the driver's own, polled with INTRQ masked: IDENTIFY, SET FEATURES, FLUSH.
struct PolledCommand {
    u8 opcode;
    u8 features { 0 };
    u8 sector_count { 0 };
    Span<u16> data_in {};   // one 256-word block for IDENTIFY, empty for non-data commands
};
[[nodiscard]] ErrorOr<Status> exec_polled(Channel& channel, Drive& drive, PolledCommand const& polled);

// --- identify.cpp (lab 4) -------------------------------------------------------------------

// Decodes IDENTIFY DEVICE data. EINVAL when word 255 carries the A5h signature and the
// checksum does not add up (a damaged transfer). Context: any.
[[nodiscard]] ErrorOr<Identity> parse_identity(Span<u16 const> words);
// Learns what `drive` is: ATA disk (IDENTIFY DEVICE), ATAPI (aborted, with the packet
// signature; then IDENTIFY PACKET DEVICE for its name), or nothing. Polled.
[[nodiscard]] ErrorOr<void> identify_drive(Channel& channel, Drive& drive);

// --- pio.cpp (lab 4) ------------------------------------------------------------------------

// Runs one READ/WRITE SECTORS command, polled, moving 256 words per sector.
[[nodiscard]] ErrorOr<void> pio_transfer(Channel& channel, Command& command);
// The pio mode's queue runner: takes the channel (or leaves the queue to the thread that has
// it), runs each command with `run` in the calling thread, recovers from timeouts, completes.
void run_polled(Channel& channel, ErrorOr<void> (*run)(Channel& channel, Command& command));

// --- dma.cpp (lab 6) ------------------------------------------------------------------------

// One PRD per DMA segment, the end bit on the last; returns the number of entries.
usize build_prd_table(Span<Prd> table, Span<io::DmaSegment const> segments);
// With the data mapped (channel.mapping) and `entries` PRDs in the table: points the bus
// master at the table, sets the direction, clears its status, issues the command and starts
// the engine. Lock held.
void dma_program_and_start(Channel& channel, Command& command, usize entries);

// --- channel.cpp ------------------------------------------------------------------------------

void channel_init(Channel& channel, Controller& controller, u8 index);
// Queues `request` for `target` and kicks the mode. ENODEV when the drive is gone.
// Context: any that may submit. Locking: takes the channel lock.
[[nodiscard]] ErrorOr<void> channel_submit(Channel& channel, Target const& target, dev::BlockRequest& request);
// Sets up channel.current for the next command: the rest of the current request, or the next
// queued one. False when there is nothing to do. Lock held.
bool next_command_locked(Channel& channel);
// The command in flight ended: advance its request or finish it (moved to `done`). Lock held.
void command_finished_locked(Channel& channel, ErrorOr<void> result);
// irq/dma: start commands until one is running or the queue is empty. Lock held.
void start_next_locked(Channel& channel);
// Completes the finished requests. Lock NOT held. Context: any.
void deliver_completions(Channel& channel);
// kick for the interrupt-driven modes (irq and dma share it).
void kick_interrupt_driven(Channel& channel);
// The top half registered for the channel's IRQ line: the mode's interrupt, under the lock.
irq::IrqReturn channel_interrupt(void* channel);
// A request the block core gave up on (abort): recover if it is in flight, else drop it from
// the queue; either way it completes with ETIMEDOUT. Context: thread.
void channel_abort(Channel& channel, dev::BlockRequest& request);
// Sectors one command may move on `drive` in this mode.
u32 max_command_sectors(Channel const& channel, Drive const& drive);

// --- reset.cpp ----------------------------------------------------------------------------------

// SRST pulse, then wait for the devices (polled). Context: thread (busy-waits 2 ms).
[[nodiscard]] ErrorOr<void> software_reset(Channel& channel);
// Finds and identifies the devices on the channel (register check, reset, signatures,
// IDENTIFY) and logs one line per device. Context: thread.
void probe_channel(Channel& channel);
// The command in flight timed out (or was given up): stop it, reset the channel, identify the
// drives again and fail its request with ETIMEDOUT. The caller owns the channel while it runs
// (the pio loop, or `recovering` set) and starts the queue again afterwards. Context: thread.
void recover(Channel& channel, char const* why);
// recover(), then (irq/dma) hand the channel back and start the queue again. The caller has
// set `recovering`. Context: thread.
void recover_and_restart(Channel& channel, char const* why);
// For the error handler: if the command in flight is past its deadline, recover. Returns the
// next deadline to sleep until (NO_DEADLINE when idle). Context: thread.
u64 check_timeout(Channel& channel);

char const* drive_kind_name(DriveKind kind);
// "pio", "irq", "dma" -> the table; nullptr for anything else.
AtaModeOps const* mode_by_name(StringView name);

}
