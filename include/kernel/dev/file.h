#pragma once
// File: one open device (Linux's `struct file`, Unix's open file description). devfs::open()
// makes one; its read/write/llseek/ioctl/poll calls go through the device's ops table (a
// CharDevOps; for a block device, the block core's own table that turns byte offsets into
// sector requests). The File keeps what belongs to one open and not to the device: the position,
// the open flags, a timeout for blocking calls, and a slot for the driver's per-open state.
//
//     auto zero = TRY(devfs::open("/dev/zero", OpenFlags::Read));
//     u8 buffer[64];
//     usize n = TRY(zero->read(buffer));          // 64 zero bytes
//     TRY(zero->close());                         // or let the OwnPtr go: it closes too
//
// What the core guarantees around every call, so drivers need not:
//   * a closed File answers EBADF; a File opened without Read (Write) answers EBADF to read (write);
//   * the position advances by what read/write return (drivers get it as `offset`, never update it);
//   * a device that is unregistered while the File is open does not vanish: its object lives on
//     until the last File closes, the driver's release() runs once for every open File at
//     unregister time, and later calls answer ENODEV (BSD's revoke()). close() still succeeds.
//
// Context: thread (calls may sleep). Locking: a File is used by one thread at a time, like a
// stdio FILE without locks; drivers lock their own device state.
#include <kernel/dev/object.h>
#include <kernel/mm/paging.h>
#include <kstd/bitmask.h>
#include <kstd/intrusive_list.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace dev {

class Node;

enum class OpenFlags : u32 {
    None = 0,
    Read = 1 << 0,
    Write = 1 << 1,
    ReadWrite = (1 << 0) | (1 << 1),
    NonBlock = 1 << 2,   // a call that would sleep fails with EAGAIN instead (O_NONBLOCK)
};
ENUM_BITMASK(OpenFlags)

// Where llseek counts from (SEEK_SET, SEEK_CUR, SEEK_END).
enum class Whence : u8 { Set, Current, End };

// What poll() reports (POLLIN, POLLOUT, POLLERR, POLLHUP).
enum class PollMask : u8 {
    None = 0,
    Readable = 1 << 0,   // read() would not sleep
    Writable = 1 << 1,   // write() would not sleep
    Error = 1 << 2,      // the device reports an error condition
    Hangup = 1 << 3,     // the other end is gone (a modem hung up, a peer closed)
};
ENUM_BITMASK(PollMask)

inline constexpr u64 NO_TIMEOUT = ~u64(0);

// ioctl request numbers: a letter per subsystem and a number ('b' is the block class). These
// take a plain number (or a kernel pointer, from kernel callers); requests whose argument user
// programs pass by pointer encode its size and direction (include/uapi/ioctl.h).
constexpr u32 ioctl_code(char type, u8 number) { return u32(u8(type)) << 8 | number; }

// Physical memory a device lets a process map (mmap), with the memory type to use.
struct MmapRegion {
    u64 phys;
    u64 length;
    mm::CachePolicy policy;
};

class File {
public:
    // A File that is not open: every call answers EBADF. devfs::open() returns open ones.
    File() = default;
    // Closes the file if it is still open (errors are dropped; call close() to see them).
    ~File();
    File(File const&) = delete;
    File& operator=(File const&) = delete;

    // --- For the user of the file -----------------------------------------------------------

    // Reads up to buffer.size() bytes at the position and advances it. 0 means end of file.
    // Errors: EBADF, ENODEV, EAGAIN (NonBlock and nothing there), ETIMEDOUT, or the driver's.
    [[nodiscard]] ErrorOr<usize> read(Bytes buffer);
    // Writes up to data.size() bytes at the position and advances it; returns how many.
    [[nodiscard]] ErrorOr<usize> write(ReadonlyBytes data);
    // Moves the position and returns the new one. ESPIPE for devices without a position.
    [[nodiscard]] ErrorOr<u64> llseek(i64 offset, Whence whence);
    // A device-specific request. ENOTTY when the device does not know it.
    [[nodiscard]] ErrorOr<u64> ioctl(u32 request, uptr argument = 0);
    // What the device is ready for right now (never sleeps).
    [[nodiscard]] ErrorOr<PollMask> poll();
    // Sleeps until the device is ready for something in `interest` (Error and Hangup always
    // count) and returns poll()'s answer. EAGAIN (NonBlock), ETIMEDOUT (timeout_ns()), ENODEV.
    [[nodiscard]] ErrorOr<PollMask> wait(PollMask interest);
    // The device memory behind [offset, offset + length) of the file, for mmap(). ENODEV for a
    // device that cannot be mapped, or the driver's error.
    [[nodiscard]] ErrorOr<MmapRegion> mmap_region(u64 offset, u64 length);
    // Runs the driver's release() and detaches from the device. EBADF if already closed.
    [[nodiscard]] ErrorOr<void> close();

    bool is_open() const { return bool(m_node); }
    u64 position() const { return m_position; }
    OpenFlags flags() const { return m_flags; }
    bool can_read() const { return has(m_flags, OpenFlags::Read); }
    bool can_write() const { return has(m_flags, OpenFlags::Write); }
    bool is_nonblocking() const { return has(m_flags, OpenFlags::NonBlock); }
    void set_nonblocking(bool on);
    // Longest time one blocking call may sleep (ETIMEDOUT after it); NO_TIMEOUT by default.
    // Tests set one so that a broken driver fails a test instead of hanging it.
    u64 timeout_ns() const { return m_timeout_ns; }
    void set_timeout_ns(u64 timeout_ns) { m_timeout_ns = timeout_ns; }

    // --- For the driver behind it -------------------------------------------------------------

    // The `data` pointer given to register_chardev()/register_blockdev(): your device object.
    void* device_data() const;
    // Per-open state: set it in open(), free it in release().
    void* private_data() const { return m_private_data; }
    void set_private_data(void* data) { m_private_data = data; }
    // The device node (name, number, statistics). VERIFY-fails on a closed File.
    Node& node() const;
    // "/dev" name of the device ("" when closed).
    char const* name() const;

private:
    friend class Node;   // attaches, detaches and revokes Files

    Ref<Node> m_node;   // null when closed
    u64 m_position { 0 };
    OpenFlags m_flags { OpenFlags::None };
    u64 m_timeout_ns { NO_TIMEOUT };
    void* m_private_data { nullptr };
    bool m_revoked { false };   // the device was unregistered and release() already ran
    IntrusiveListNode m_open_link;   // on Node's list of open files; Guarded by its m_files_lock
};

}
