#pragma once
// Block devices: fixed-size sectors addressed by number (a disk, a RAM disk). The unit of work is
// a BlockRequest: "read `count` sectors starting at `sector` into `buffer`, then call me back".
//
// Between the callers and the driver sits the disk's request queue (kernel/block, and
// docs/block-devices.md): submit() checks a request and queues it; adjacent requests are merged
// into one command (up to the driver's limits); the disk's dispatcher thread hands the driver one
// command at a time (or queue_depth at a time), in the order the disk's I/O scheduler chooses.
// The driver fills a BlockDevOps table whose one required entry is submit(). submit() starts
// the command and returns; the driver reports the end with blockdev::complete(request, status),
// later (from its interrupt path: labs 5-6) or before submit returns (polled PIO: lab 4; the RAM
// disk). Callers never see the difference:
//
//     blockdev::submit(disk, request);          // asynchronous: request.on_complete runs later
//     blockdev::read_sync(disk, 8, buffer);     // synchronous: submit, then sleep until done
//
// The core checks every request before the driver sees it: sectors inside the device, buffers of
// exactly count * sector_size bytes and suitably aligned, no writes to a read-only device.
// A driver can therefore trust the numbers it is handed. A command may carry several buffers
// (segments: scatter-gather) when the driver says it can take them (max_segments); a driver that
// says nothing gets one contiguous `buffer`, as before.
//
// Through devfs a block device is a file of capacity() bytes: reads and writes at any byte
// offset and length, turned into sector requests (partial sectors by read-modify-write). A read
// at the end returns 0; a write at the end fails with ENOSPC, one that crosses it is cut short.
#include <kernel/block/queue_entry.h>
#include <kernel/dev/file.h>
#include <kernel/dev/node.h>
#include <kstd/error.h>
#include <kstd/function.h>
#include <kstd/intrusive_list.h>
#include <kstd/span.h>
#include <kstd/string.h>

namespace block {
struct DispatchSlot;
class RequestQueue;
}

namespace dev {

class BlockDevice;

enum class BlockOp : u8 {
    Read,    // device -> buffer
    Write,   // buffer -> device
    Flush,   // make earlier completed writes durable (sector and count are 0, no buffer)
};
char const* op_name(BlockOp op);   // "read", "write", "flush"

// One buffer of a scatter-gather request: a whole number of sectors at a kernel address.
struct BlockSegment {
    u8* data { nullptr };
    u32 length { 0 };   // bytes, a multiple of the sector size
};

struct BlockRequest {
    // --- Filled by the submitter -------------------------------------------------------------
    BlockOp op { BlockOp::Read };
    u64 sector { 0 };   // first sector, in units of the device's sector size
    u32 count { 0 };    // number of sectors
    // Exactly count * sector_size bytes. The device writes it on Read and reads it on Write;
    // it belongs to the device from submit() until on_complete runs.
    Bytes buffer {};
    // Or several buffers, filled in order (then `buffer` stays empty): their lengths add up to
    // count * sector_size. The array and the buffers belong to the device until on_complete.
    Span<BlockSegment const> segments {};
    // Runs exactly once when the request is done, possibly before submit() returns. Context:
    // any, often a top half: it must not sleep (up a Semaphore, queue a WorkItem, set a flag).
    kstd::Function<void(BlockRequest&)> on_complete {};

    // --- For the driver between submit() and complete() --------------------------------------
    IntrusiveListNode queue_link {};   // for the driver's own queue of pending requests
    void* driver_data { nullptr };     // anything the driver wants to remember per request

    // The buffers, whichever way they were given: `buffer` is segment 0 of a one-buffer
    // request. A Flush has none. A driver whose max_segments is 1 (the default) only ever
    // gets one, so it may keep using `buffer`.
    usize segment_count() const;
    BlockSegment segment(usize index) const;

    // The outcome: success or the errno the driver completed it with. Valid once complete.
    [[nodiscard]] ErrorOr<void> result() const;
    bool is_complete() const { return core.state == State::Complete; }

    // --- Bookkeeping of the block core and the request queue: leave it alone -----------------
    enum class State : u8 { Idle, Submitted, Complete };
    struct {
        State state { State::Idle };
        int status { 0 };
        BlockDevice* device { nullptr };
        u64 submitted_ns { 0 };
        block::QueueEntry entry {};            // while queued, if this request starts an entry
        BlockRequest* merged_next { nullptr };  // the next request of the same entry
        // A command the queue built for the driver: the slot it belongs to. For a caller's
        // request that was dispatched: the command that carries it.
        block::DispatchSlot* slot { nullptr };
        bool is_command { false };
    } core {};
};

struct BlockGeometry {
    u32 sector_size { 512 };        // a power of two, 512 to 4096
    u64 sector_count { 0 };         // capacity in sectors
    u32 buffer_alignment { 1 };     // buffers must start at a multiple of this (power of two)
    u32 max_sectors { 0 };          // per request and per command; 0 = no limit (LBA28 says 256)
    bool read_only { false };       // writes fail with EROFS

    // --- Queue limits: what one command of the driver can carry (docs/block-devices.md) -------
    // Buffers per command. 0 or 1: one contiguous buffer (adjacent requests are merged only
    // when their buffers happen to be adjacent in memory). An ATA DMA driver says how many PRD
    // entries its table holds.
    u32 max_segments { 0 };
    u32 max_segment_size { 0 };     // bytes per buffer; 0 = no limit
    // No buffer the queue joins crosses a multiple of this many bytes (a power of two: PRD
    // entries must not cross 64 KiB); 0 = none. Buffers the caller gave are passed as they are.
    u32 segment_boundary { 0 };
    // Commands the driver takes at once. 0 or 1: one at a time (an ATA channel).
    u32 queue_depth { 0 };
};

// Every entry runs with the request already checked. Entries run in thread context unless noted.
struct BlockDevOps {
    // Who implements this table, for `lsdev` (defaults to the device name).
    char const* driver = nullptr;

    // REQUIRED. Starts `request` and returns. The driver owns the request until it calls
    // blockdev::complete(request, status) -- exactly once, before or after returning. Return an
    // error only if the request was not started at all (then do not complete it: the core
    // reports the error to the request queue, which fails every request the command carried).
    // Context: the disk's dispatcher thread (docs/block-devices.md, "The request queue"),
    // interrupts on, no lock held: a polled driver may do the whole transfer here and may sleep.
    ErrorOr<void> (*submit)(BlockDevice& device, BlockRequest& request) = nullptr;

    // A synchronous request did not complete within its timeout: stop the device working on
    // it (reset the channel, drop it from the queue) and complete it, typically with ETIMEDOUT,
    // before returning. Default: nothing -- the core then keeps waiting, because the buffer
    // still belongs to the device, and says so on the console. Context: the waiting thread.
    void (*abort)(BlockDevice& device, BlockRequest& request) = nullptr;

    // A device-specific request through a File (the generic blockdev::IOCTL_* are answered by
    // the core first). Default: ENOTTY.
    ErrorOr<u64> (*ioctl)(BlockDevice& device, u32 request, uptr argument) = nullptr;
};

struct BlockStats {
    u64 reads, writes, flushes;               // completed requests
    u64 sectors_read, sectors_written;
    u64 errors;                               // requests completed with an error
    u64 rejected;                             // refused before reaching the driver
    u32 in_flight;                            // submitted and not yet complete
};

class BlockDevice final : public Node {
public:
    BlockGeometry const& geometry() const { return m_geometry; }
    block::RequestQueue& queue() const { return *m_queue; }
    u32 sector_size() const { return m_geometry.sector_size; }
    u64 sector_count() const { return m_geometry.sector_count; }
    u64 capacity() const { return m_geometry.sector_count * m_geometry.sector_size; }
    BlockDevOps const& block_ops() const { return m_ops; }
    BlockStats block_stats() const;

    // --- Used by the block core --------------------------------------------------------------
    BlockDevice(StringView name, BlockDevOps const& ops, BlockGeometry const& geometry, void* data, u8* bounce);
    ~BlockDevice() override;
    void set_queue(block::RequestQueue* queue) { m_queue = queue; }
    u8* bounce() const { return m_bounce; }   // one sector, for partial-sector file I/O
    sched::Mutex& byte_io_lock() { return m_byte_io_lock; }
    void count_submitted() { __atomic_add_fetch(&m_in_flight, 1, __ATOMIC_RELAXED); }
    void count_rejected() { m_rejected.add(); }
    void count_completion(BlockRequest const& request);

private:
    BlockDevOps m_ops;
    BlockGeometry m_geometry;
    u8* m_bounce;
    block::RequestQueue* m_queue { nullptr };   // owned; created at registration
    sched::Mutex m_byte_io_lock { "blockdev-byte-io" };   // serializes read-modify-write
    Counter m_reads, m_writes, m_flushes, m_sectors_read, m_sectors_written, m_errors, m_rejected;
    u32 m_in_flight { 0 };   // atomic: submitted and not yet complete
};

// Owns a registration, like CharDevHandle: unregister() removes /dev/NAME, refuses new requests
// (ENODEV), waits until the driver has completed every request it holds, and revokes open Files.
class BlockDevHandle {
public:
    BlockDevHandle() = default;
    explicit BlockDevHandle(BlockDevice& device);
    BlockDevHandle(BlockDevHandle&& other);
    BlockDevHandle& operator=(BlockDevHandle&& other);
    BlockDevHandle(BlockDevHandle const&) = delete;
    BlockDevHandle& operator=(BlockDevHandle const&) = delete;
    ~BlockDevHandle() { unregister(); }

    // Context: thread. Locking: none held (it sleeps).
    void unregister();
    BlockDevice* device() const { return m_device; }
    explicit operator bool() const { return m_device != nullptr; }

private:
    BlockDevice* m_device { nullptr };   // holds one reference
};

// Registers /dev/NAME with the block class. Errors: as register_chardev, plus EINVAL for a null
// submit or an impossible geometry (sector size not a power of two in 512..4096, zero sectors,
// alignment not a power of two). Context: thread. Locking: none held.
[[nodiscard]] ErrorOr<BlockDevHandle> register_blockdev(StringView name, u16 major, u16 minor,
    BlockDevOps const& ops, BlockGeometry const& geometry, void* data = nullptr);

}

namespace blockdev {

using dev::BlockDevice;
using dev::BlockDevOps;
using dev::BlockGeometry;
using dev::BlockOp;
using dev::BlockRequest;

inline constexpr u64 DEFAULT_TIMEOUT_NS = 10'000'000'000;   // 10 s

// ioctls every block File answers (the result is the return value; no argument).
inline constexpr u32 IOCTL_GET_SIZE = dev::ioctl_code('b', 1);          // capacity in bytes
inline constexpr u32 IOCTL_GET_SECTOR_SIZE = dev::ioctl_code('b', 2);   // bytes per sector
inline constexpr u32 IOCTL_FLUSH = dev::ioctl_code('b', 3);             // flush_sync, returns 0

// Checks `request` and queues it for the driver. On success on_complete runs exactly once, maybe
// before submit returns (with the driver's error if the driver refused the command that carried
// it); on error it never runs. Errors: EINVAL (see check_request), EROFS, ENODEV
// (unregistered), EBUSY (the request is already in flight).
// Context: any that does not hold the device's locks; thread in practice. Locking: none.
[[nodiscard]] ErrorOr<void> submit(BlockDevice& device, BlockRequest& request);

// The driver is done with the command `request`: the queue completes every request it carried
// with this status (recording it, counting it and running its on_complete). Completing a command
// twice panics.
// Context: any (top half, tasklet, work item, or inside submit). Locking: none held that
// on_complete might need.
void complete(BlockRequest& request, ErrorOr<void> status);

// Submit and sleep until complete. buffer.size() must be a multiple of the sector size.
// Errors: submit()'s, the driver's status, or ETIMEDOUT when the device did not finish within
// `timeout_ns` (the driver's abort() has then taken the request back).
// Context: thread (might_sleep). Locking: none held.
[[nodiscard]] ErrorOr<void> read_sync(BlockDevice& device, u64 sector, Bytes buffer,
    u64 timeout_ns = DEFAULT_TIMEOUT_NS);
[[nodiscard]] ErrorOr<void> write_sync(BlockDevice& device, u64 sector, ReadonlyBytes data,
    u64 timeout_ns = DEFAULT_TIMEOUT_NS);
[[nodiscard]] ErrorOr<void> flush_sync(BlockDevice& device, u64 timeout_ns = DEFAULT_TIMEOUT_NS);

// A registered block device by name ("ram0" or "/dev/ram0"). Errors: ENOENT (none, or the name
// is a char device). Context: thread.
[[nodiscard]] ErrorOr<dev::Ref<BlockDevice>> find(StringView name);

// --- Portable pieces (host-tested) -----------------------------------------------------------

// Is `request` well-formed for a device of this geometry? Errors, in this order of checks:
// EINVAL for an unknown op, a Flush with sectors or buffers, a Read/Write of 0 sectors, more than
// max_sectors, both `buffer` and `segments` given, more segments than max_segments, a segment
// that is empty, not whole sectors or misaligned, buffers that do not add up to
// count * sector_size, a misaligned buffer, and sectors outside the device (including sector +
// count overflowing); EROFS for a write to a read-only device. Context: any.
[[nodiscard]] ErrorOr<void> check_request(BlockGeometry const& geometry, BlockRequest const& request);
// EINVAL unless sector size, count and alignment are possible.
[[nodiscard]] ErrorOr<void> check_geometry(BlockGeometry const& geometry);

// The table the core dispatches through: `ops` with null entries replaced by the defaults
// (submit stays null: a block device without it is refused at registration).
BlockDevOps with_defaults(BlockDevOps const& ops);
void default_abort(BlockDevice& device, BlockRequest& request);
ErrorOr<u64> default_ioctl(BlockDevice& device, u32 request, uptr argument);

}
