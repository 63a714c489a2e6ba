#pragma once
// The TTY layer (ARCHITECTURE.md section 6): a line discipline between a program and a byte
// channel. A driver (the 16550 UART for ttyS0..3; the PS/2 keyboard + VGA text console for tty0)
// provides the channel as two blocking calls; the TTY layer registers /dev/NAME as a character
// device and, in canonical mode, edits input lines (backspace, ^U, ^W), echoes, and hands a
// reader whole lines; in raw mode bytes pass through untouched.
//
// The discipline runs in the reading thread ("pull" model): a read in canonical mode pulls raw
// bytes from the channel until a line is complete, echoing as it goes. Nothing is echoed while
// nobody reads — simpler than Linux's push model, and enough for a console.
//
//     constexpr tty::TtyPortOps uart_port_ops { .read = port_read, .write = port_write };
//     m_tty = TRY(tty::register_tty("ttyS0", uart_port_ops, this));   // /dev/ttyS0
//
// What a reader of /dev/NAME gets (the File layer adds EBADF for closed files):
//   canonical  one line per read, '\n' included (a longer line comes in pieces); erase (0x7F or
//              0x08), ^U (kill the line), ^W (erase a word); ^D on an empty line reads as end of
//              file (0 bytes), after text it ends the line without a '\n'; CR becomes NL (ICRNL).
//   raw        whatever bytes have arrived, at least one (VMIN = 1, VTIME = 0).
//   both       NonBlock: EAGAIN when no complete line (raw: no byte) is there; the File's
//              timeout: ETIMEDOUT; the device unregistered meanwhile: ENODEV.
// Writes get NL -> CR NL (ONLCR). ioctl: TCGETS/TCSETS below, then the port's ioctl, else ENOTTY.
//
// Device numbers follow Linux: tty<N> is char 4:N, ttyS<N> char 4:64+N; other names get a
// dynamic major.
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace tty {

struct ReadMode {
    bool nonblock { false };   // EAGAIN instead of waiting
    u64 timeout_ns { 0 };      // 0: wait for ever; else ETIMEDOUT
};

// The byte channel under a TTY. Both calls block (Context: thread).
struct TtyPortOps {
    // At least one byte into `buffer` (EAGAIN / ETIMEDOUT per `mode`); returns the count.
    ErrorOr<usize> (*read)(void* port, kstd::Span<u8> buffer, ReadMode mode) = nullptr;
    // Every byte of `bytes` accepted for output (waits while the driver's queue is full).
    ErrorOr<usize> (*write)(void* port, kstd::Span<u8 const> bytes) = nullptr;
    // Driver-specific ioctls the TTY layer does not handle itself (e.g. statistics); may be null.
    ErrorOr<long> (*ioctl)(void* port, u32 request, uptr argument) = nullptr;
};

// A termios-like subset, read and set with the TCGETS/TCSETS ioctls below.
struct Termios {
    bool canonical { true };    // ICANON: line editing, whole lines to the reader
    bool echo { true };         // ECHO
    bool echo_erase { true };   // ECHOE: erase with "\b \b"
    bool crnl { true };         // ICRNL: a received CR ends a line like LF
    bool onlcr { true };        // ONLCR: output LF as CR LF
    u8 erase { 0x7F };          // VERASE (0x08 is accepted too)
    u8 kill { 0x15 };           // VKILL, ^U: erase the line
    u8 word_erase { 0x17 };     // VWERASE, ^W: erase the last word
    u8 eof { 0x04 };            // VEOF, ^D: end of file on an empty line
};

// The argument is a Termios* (kernel memory). EFAULT for a null pointer.
inline constexpr u32 TCGETS = 0x5401;
inline constexpr u32 TCSETS = 0x5402;

// Raw mode as a program wants it for single keys: no editing, no echo, CR and LF as typed;
// output processing (ONLCR) stays on. (cfmakeraw without the output part.)
constexpr Termios raw_termios()
{
    Termios t;
    t.canonical = false;
    t.echo = false;
    t.crnl = false;
    return t;
}

// What a TTY has done since it was registered (counters only grow).
struct TtyStats {
    u64 bytes_received;   // raw bytes pulled from the port
    u64 lines;            // lines completed in canonical mode (EOF lines included)
    u64 bytes_read;       // bytes handed to readers
    u64 bytes_written;    // bytes given to write(), before ONLCR
    u64 echoed;           // echo bytes sent to the port
    u64 dropped;          // input bytes thrown away: line longer than LINE_CAPACITY, buffer full
};

class Tty;   // drivers/char/tty: one registered TTY

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

    // Removes /dev/NAME. A reader blocked in the port's read notices within READ_SLICE_NS and
    // gets ENODEV; open Files answer ENODEV from then on. Returns when no call is inside the
    // TTY or its port any more; the port is never called again afterwards.
    // Context: thread. Locking: none held (it sleeps).
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

// A blocked read asks the port for data in slices of this length, so that unregister() can
// reach a reader even when the port only wakes it for data.
inline constexpr u64 READ_SLICE_NS = 100 * 1000 * 1000;

// Registers /dev/NAME (a character device) over the channel. `ops.read` and `ops.write` are
// required (EINVAL otherwise). Errors: EBUSY, EEXIST, ENOMEM, EINVAL.
// Context: thread.
[[nodiscard]] ErrorOr<TtyHandle> register_tty(char const* name, TtyPortOps const& ops, void* port);

// --- tty0: the console --------------------------------------------------------------------------
// tty0 is the PC console: its input is a ring of characters the keyboard driver types into, its
// output a display the VGA text console attaches. The TTY layer owns both ends, so the keyboard
// and the display never talk to each other (ARCHITECTURE.md section 1). tty0 exists as soon as
// either side does: without a keyboard it never has input, without a display output is dropped.

// A display for tty0's output. `write` gets bytes after ONLCR and may be called from any thread.
struct ConsoleDisplay {
    void (*write)(void* ctx, kstd::Span<u8 const> bytes) = nullptr;
    void* ctx = nullptr;
};

inline constexpr usize CONSOLE_INPUT_CAPACITY = 256;

// Registers /dev/tty0 (char 4:0) once; later calls do nothing. Drivers of either side call it
// from probe(). Errors: as register_tty. Context: thread.
[[nodiscard]] ErrorOr<void> console_init();
bool console_present();

// The display of tty0 (one at a time: a second attach replaces the first). detach waits until
// no write is using the old one. Context: thread.
void console_attach_display(ConsoleDisplay const& display);
void console_detach_display();

// Keyboard input for tty0: queues `bytes` for the reader and wakes it. Returns how many fit
// (the ring holds CONSOLE_INPUT_CAPACITY bytes; the rest is dropped and counted).
// Context: any (the keyboard's tasklet calls it). Locking: an IRQ-safe spinlock inside.
usize console_receive(kstd::Span<u8 const> bytes);

struct ConsoleStats {
    u64 received;   // bytes queued by console_receive
    u64 dropped;    // bytes that did not fit
    u64 displayed;  // bytes given to the display
};
ConsoleStats console_stats();

}
