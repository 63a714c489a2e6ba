#pragma once
// Character devices: byte streams with no fixed size (a UART, a keyboard, /dev/zero).
//
// A char driver fills one CharDevOps table, `const` and with designated initializers, naming only
// the entry points it has; every entry left null gets the class default listed next to it:
//
//     constexpr dev::CharDevOps uart_ops {
//         .driver = "uart16550",
//         .read = uart_read,
//         .write = uart_write,
//         .poll = uart_poll,
//     };
//     m_handle = TRY(dev::register_chardev("ttyS0", 4, 64, uart_ops, this));
//
// The device is then /dev/ttyS0 until the handle is destroyed (or unregister() is called).
// Inside an entry point, `file.device_data()` is the `this` passed above.
//
// Blocking: a read that has to wait for data calls chardev::wait_until(file, ready), and the
// interrupt path that makes data arrive calls handle.wake_waiters(). wait_until honours the
// file's NonBlock flag (EAGAIN) and timeout (ETIMEDOUT) and wakes up with ENODEV when the device
// is being unregistered, so the driver need not handle any of that itself.
#include <kernel/dev/file.h>
#include <kernel/dev/numbers.h>
#include <kstd/error.h>
#include <kstd/function.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace sched { class WaitQueue; }

namespace dev {

// Every entry runs in thread context and may sleep, except poll (see there). The core has checked
// that the File is open, readable/writable as needed, and that the device is still registered.
struct CharDevOps {
    // Who implements this table, for `lsdev` (defaults to the device name).
    char const* driver = nullptr;

    // A File is being opened: check the flags, allocate per-open state (file.set_private_data).
    // Default: success.
    ErrorOr<void> (*open)(File& file) = nullptr;
    // The last use of an open File: free the per-open state. Runs exactly once per successful
    // open(), either at close() or when the device is unregistered. Default: nothing.
    void (*release)(File& file) = nullptr;

    // Copies up to buffer.size() bytes from the device; returns how many (0 = end of file).
    // `offset` is the file position, for devices that have one. Default: EINVAL.
    ErrorOr<usize> (*read)(File& file, Bytes buffer, u64 offset) = nullptr;
    // Copies up to data.size() bytes to the device; returns how many it took. Default: EINVAL.
    ErrorOr<usize> (*write)(File& file, ReadonlyBytes data, u64 offset) = nullptr;
    // Computes the new position (chardev::compute_seek helps). Default: ESPIPE, "not seekable".
    ErrorOr<u64> (*llseek)(File& file, i64 offset, Whence whence) = nullptr;
    // A device-specific request; the result is returned to the caller. Default: ENOTTY, the
    // traditional "inappropriate ioctl for device".
    ErrorOr<u64> (*ioctl)(File& file, u32 request, uptr argument) = nullptr;

    // What the device is ready for now. Called with interrupts disabled (inside a wait
    // condition): only look at state, never sleep or take a Mutex.
    // Default: Readable | Writable. A device without poll never blocks, so it is always ready
    // (Linux's DEFAULT_POLLMASK makes the same choice).
    PollMask (*poll)(File& file) = nullptr;

    // For mmap() of the device into a process: the physical memory behind [offset, offset +
    // length) of the file and the memory type to map it with (the I/O manager's choice: UC
    // for registers, WC for a frame buffer). The caller reserves and maps it. Default: ENODEV,
    // the traditional "this device cannot be mapped".
    ErrorOr<MmapRegion> (*mmap)(File& file, u64 offset, u64 length) = nullptr;
};

class CharDevice;

// Owns a registration: destroying it, or calling unregister(), removes the device. Move-only.
class CharDevHandle {
public:
    CharDevHandle() = default;
    explicit CharDevHandle(CharDevice& device);   // takes over a registered device's reference
    CharDevHandle(CharDevHandle&& other);
    CharDevHandle& operator=(CharDevHandle&& other);
    CharDevHandle(CharDevHandle const&) = delete;
    CharDevHandle& operator=(CharDevHandle const&) = delete;
    ~CharDevHandle() { unregister(); }

    // Removes /dev/NAME and frees the number; marks open Files gone (release() runs for each,
    // later calls get ENODEV); wakes threads sleeping in wait_until; then waits until no call is
    // inside the driver any more. After it returns the driver is never called again for this
    // device. Context: thread. Locking: none held (it sleeps).
    void unregister();

    // Wakes every thread sleeping in chardev::wait_until or File::wait on this device, so they
    // re-check their condition. Call it when data arrives or room frees up.
    // Context: any (top halves included). Locking: none.
    void wake_waiters() const;

    // The device's wait queue, for class cores that sleep on it themselves (the TTY) rather
    // than through wait_until. The handle must not be empty. Context: any.
    sched::WaitQueue& waiters() const;

    CharDevice* device() const { return m_device; }
    DeviceNumber number() const;
    explicit operator bool() const { return m_device != nullptr; }

private:
    CharDevice* m_device { nullptr };   // holds one reference
};

// Registers /dev/NAME with the char class. major 0 picks a dynamic major (see numbers.h).
// Errors: EINVAL (empty name or one containing '/'), ENAMETOOLONG (over 31 characters), EEXIST
// (the name is taken in /dev), EBUSY (the number is taken), ENOSPC, ENOMEM.
// Context: thread. Locking: none held.
[[nodiscard]] ErrorOr<CharDevHandle> register_chardev(StringView name, u16 major, u16 minor,
    CharDevOps const& ops, void* data = nullptr);

}

namespace chardev {

using dev::CharDevOps;
using dev::File;
using dev::PollMask;
using dev::Whence;

// The table the core dispatches through: `ops` with each null entry replaced by its default.
// Portable (host-tested). Context: any.
CharDevOps with_defaults(CharDevOps const& ops);

// The defaults themselves; a driver may also name one explicitly in its table.
ErrorOr<void> default_open(File& file);
void default_release(File& file);
ErrorOr<usize> default_read(File& file, Bytes buffer, u64 offset);
ErrorOr<usize> default_write(File& file, ReadonlyBytes data, u64 offset);
ErrorOr<u64> default_llseek(File& file, i64 offset, Whence whence);
ErrorOr<u64> default_ioctl(File& file, u32 request, uptr argument);
PollMask default_poll(File& file);
ErrorOr<dev::MmapRegion> default_mmap(File& file, u64 offset, u64 length);

// The arithmetic of lseek(2) for a device whose data ends at `end`: the new position for
// (offset, whence) given the current `position`. Errors: EINVAL when the result would be
// negative or overflow. Seeking past the end is allowed, as for files. Portable. Context: any.
ErrorOr<u64> compute_seek(u64 position, i64 offset, Whence whence, u64 end);

// Sleeps until ready() returns true. ready() runs with interrupts disabled, so an interrupt
// cannot deliver its wake-up between the check and the sleep: keep it to a few loads.
// Errors: EAGAIN at once when the file is NonBlock and not ready; ETIMEDOUT after
// file.timeout_ns(); ENODEV when the device is being unregistered meanwhile; EINTR when the
// calling thread is interrupted (sched::interrupt: a user process being killed).
// Context: thread, from inside an entry point of `file`'s device. Locking: none held.
[[nodiscard]] ErrorOr<void> wait_until(File& file, kstd::Function<bool()> const& ready);

}
