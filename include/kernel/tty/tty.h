#pragma once
// The TTY class core (kernel/tty): a line discipline between programs and a byte channel, as a
// character device /dev/NAME (docs/architecture.md, "The TTY"; docs/how-a-byte-travels.md walks
// one byte through it).
//
// A driver implements a TtyPort (the 16550 UART for ttyS0..3; tty0's port is kernel/tty's own,
// fed by the PS/2 keyboard and shown by the VGA console) and registers it:
//
//     class Port final : public tty::TtyPort { ... usize write(ReadonlyBytes) override; ... };
//     m_tty = TRY(tty::register_tty("ttyS0", *this));            // /dev/ttyS0, char 4:64
//
// The push model (Linux's flip buffer): input is pushed, never pulled.
//   receive  the driver's top half puts bytes into flip() and calls push(); the TTY's bottom
//            half (a work item on the "tty" workqueue, so it may take the output mutex) runs
//            the line discipline on them: editing, canonical lines or raw bytes, and echo, which
//            goes out through write() at once, whether or not anybody is reading. It wakes
//            readers when a line (raw: a byte) is ready. When the discipline's buffer is full it
//            calls throttle() and leaves the rest in the flip buffer; a reader making room calls
//            unthrottle() through the bottom half. Bytes that still do not fit are counted
//            (flip overflow, the port's own errors), never dropped silently.
//   read     a reader takes what the discipline has, or sleeps on the device's wait queue until
//            data, hang-up or its deadline (one wait, zero wake-ups while nothing arrives).
//   write    output processing (ONLCR), then write() takes what fits in the driver's queue;
//            a writer sleeps until the driver calls write_wakeup(), which it does when its queue
//            has drained below LOW_WATER, not for every byte.
//   poll     Readable (a read would not sleep), Writable (the driver's queue is below
//            LOW_WATER), Error (input was lost since the last read), Hangup (the device is gone).
//
// What a reader of /dev/NAME gets:
//   canonical  one line per read, '\n' included (a longer line comes in pieces); erase (0x7F or
//              0x08), ^U (kill the line), ^W (erase a word); ^D on an empty line reads as end of
//              file (0 bytes), after text it ends the line without a '\n'; CR becomes NL (ICRNL).
//   raw        whatever bytes have arrived, at least one (VMIN = 1, VTIME = 0).
//   both       NonBlock: EAGAIN; the File's timeout: ETIMEDOUT; the device gone: ENODEV.
// Writes get NL -> CR NL (ONLCR). ioctl: TCGETS/TCSETS/TCDRAIN/TCXONC (termios.h), TTY_GET_STATS,
// then the port's ioctl, else ENOTTY. Device numbers follow Linux: tty<N> is char 4:N, ttyS<N>
// char 4:64+N; other names get a dynamic major.
#include <kernel/sched/sync.h>
#include <kernel/tty/flip_buffer.h>
#include <kernel/tty/termios.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace dev { class File; }

namespace tty {

// What a TTY has done since it was registered (counters only grow).
struct TtyStats {
    u64 bytes_received;   // bytes the bottom half took from the flip buffer
    u64 lines;            // lines completed in canonical mode (EOF lines included)
    u64 bytes_read;       // bytes handed to readers
    u64 bytes_written;    // bytes given to write(), before ONLCR
    u64 echoed;           // echo bytes sent to the port
    u64 dropped;          // input the discipline threw away: a line longer than it can edit
    u64 overflow;         // input that did not fit into the flip buffer (the driver's view)
    u64 throttles;        // times the TTY told the port to stop (its buffer was full)
    u64 pushes;           // push() calls by the driver
    u64 flushes;          // bottom-half runs
    u64 reader_sleeps;    // times a reader found nothing and slept
    u64 writer_sleeps;    // times a writer found the queue full and slept
    u64 write_wakeups;    // write_wakeup() calls by the driver (queue below LOW_WATER)
    u64 last_push_ns;     // time::now_ns() of the last push(), for latency measurements
    u64 output_queued;    // the port's chars_in_buffer() when these counters were read
};

// ioctl: a copy of the TTY's counters (argument: TtyStats*). EFAULT for a null pointer.
inline constexpr u32 TTY_GET_STATS = 0x5490;

class Tty;   // kernel/tty: one registered TTY
class TtyHandle;
class TtyPort;
[[nodiscard]] ErrorOr<TtyHandle> register_tty(char const* name, TtyPort& port);

// The driver's side of a TTY (Linux's tty_operations and tty_port together). The driver derives
// from it and overrides what its device does; the TTY core calls the virtual functions and the
// driver calls the non-virtual ones. No void*, no relay functions: the port *is* the driver's
// object.
class TtyPort {
public:
    TtyPort() = default;
    TtyPort(TtyPort const&) = delete;
    TtyPort& operator=(TtyPort const&) = delete;
    virtual ~TtyPort() = default;

    // --- what the driver implements (the TTY core calls these) ----------------------------
    // Queues bytes for output without sleeping; returns how many it took (at most
    // write_room()). Context: thread (the TTY holds its output mutex).
    virtual usize write(kstd::Span<u8 const> bytes) = 0;
    // How many bytes write() would take now. Default: no limit (a synchronous device).
    // Context: any (also with interrupts off, inside poll).
    virtual usize write_room() const { return ~usize(0) >> 1; }
    // Bytes taken by write() and not yet handed to the hardware. Default: 0 (synchronous).
    // Context: any (also with interrupts off).
    virtual usize chars_in_buffer() const { return 0; }
    // First open / last close of /dev/NAME (Linux's activate/shutdown): start and stop taking
    // input. Context: thread.
    virtual ErrorOr<void> activate() { return {}; }
    virtual void shutdown() {}
    // The TTY has no room for more input: stop taking bytes (leave them in the device), and
    // start again. Context: thread (the bottom half).
    virtual void throttle() {}
    virtual void unthrottle() {}
    // Output suspended / resumed (tcflow, TCXONC): keep what is queued, send nothing, take no
    // more (write_room() 0) until start_tx(), which calls write_wakeup(). Default: ignored.
    // Context: thread.
    virtual void stop_tx() {}
    virtual void start_tx() {}
    // Input the device itself lost (FIFO overruns, framing/parity errors), counted since it
    // was bound; it makes poll() report Error. Context: any (also with interrupts off).
    virtual u64 input_errors() const { return 0; }
    // Called by the bottom half after it ran, in thread context: a place to log what the top
    // half could not (overruns). Default: nothing.
    virtual void report_errors() {}
    // Driver-specific ioctls the TTY does not handle itself. Default: ENOTTY. Context: thread.
    virtual ErrorOr<long> ioctl(u32 request, uptr argument);

    // --- what the TTY core provides (the driver calls these) -------------------------------
    // Where received bytes go. One producer: the driver's top half (or tasklet); drivers with
    // several producers use receive() instead.
    FlipBuffer& flip() { return m_flip; }
    // receive(): insert() into the flip buffer under a lock, for drivers (and tests) with more
    // than one producer; returns how many fit (the rest is counted as overflow). Does not push.
    // Context: any.
    usize receive(kstd::Span<u8 const> bytes);
    // Schedules the TTY's bottom half to run the line discipline over the flip buffer. Call it
    // once after a batch of insert()s, not per byte. Context: any (top halves included).
    void push();
    // The driver's output queue has drained below LOW_WATER (or emptied): wakes writers,
    // pollers and tcdrain, and lets pending echo go out. Context: any (top halves included).
    void write_wakeup();
    // Sleeps until chars_in_buffer() is 0 (what TCDRAIN does). ETIMEDOUT at `deadline_ns`,
    // ENODEV when the TTY goes away. Context: thread.
    [[nodiscard]] ErrorOr<void> wait_until_sent(u64 deadline_ns);
    // The TTY's counters (zeros before registration). Context: any.
    TtyStats stats() const;
    bool is_registered() const { return m_tty != nullptr; }

private:
    friend class Tty;
    friend class TtyHandle;
    friend ErrorOr<TtyHandle> register_tty(char const* name, TtyPort& port);
    Tty* volatile m_tty { nullptr };   // set by register_tty, cleared before the Tty goes away
    FlipBuffer m_flip;
    sched::Spinlock m_receive_lock { "tty-receive" };
};

// Owns a registration: destroying it, or calling unregister(), removes /dev/NAME. Move-only.
class TtyHandle {
public:
    TtyHandle() = default;
    explicit TtyHandle(Tty& tty) : m_tty(&tty) {}
    TtyHandle(TtyHandle&& other);
    TtyHandle& operator=(TtyHandle&& other);
    TtyHandle(TtyHandle const&) = delete;
    TtyHandle& operator=(TtyHandle const&) = delete;
    ~TtyHandle() { unregister(); }

    // Hangs the TTY up: sleepers wake (readers and writers get ENODEV, poll Hangup), /dev/NAME
    // goes, and once no call is inside the TTY and its bottom half has finished, the port is
    // never called again. The driver must have stopped calling push() before (its interrupt
    // released). Context: thread. Locking: none held (it sleeps).
    void unregister();

    explicit operator bool() const { return m_tty != nullptr; }
    char const* name() const;     // "" when empty
    TtyStats stats() const;       // Context: any
    // The current settings (what TCGETS returns) / new ones (what TCSETS does). Context: thread.
    Termios termios() const;
    void set_termios(Termios const& termios);

private:
    Tty* m_tty { nullptr };
};

// Registers /dev/NAME (a character device) over `port`, which must outlive the registration.
// Errors: EBUSY, EEXIST, ENOMEM, EINVAL (no name, or the port is registered already).
// Context: thread.
[[nodiscard]] ErrorOr<TtyHandle> register_tty(char const* name, TtyPort& port);

}
