#pragma once
// The line discipline: the part of a TTY that edits input and decides what a reader gets.
// A pure state machine, portable and host-tested (tests/unit/tty_ldisc_test.cpp): bytes go in
// with receive() (the TTY's bottom half, while accepting()), echo comes out of peek_echo() and
// consume_echo() (or take_echo()), readers take data with read(). No locks, no sleeping, no
// hardware: the TTY (kernel/tty) serialises calls and moves the bytes.
//
// One buffer holds, in order, the cooked bytes a reader may take (whole lines in canonical mode,
// everything in raw mode) and, in canonical mode, the line still being edited:
//
//     [ cooked: line 1\n line 2\n ... ][ edit line ]            free
//     0                                m_cooked      m_used      BUFFER_CAPACITY
//
// Completed lines are remembered by their end offsets, so that a line ended by ^D (no '\n') and
// an empty ^D line (end of file) are told apart from ordinary text.
//
// Echo and output share one column counter (for erasing tabs) and the same output processing:
// with ONLCR an echoed or written '\n' goes out as "\r\n".
#include <kernel/tty/termios.h>
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace tty {

class LineDiscipline {
public:
    static constexpr usize BUFFER_CAPACITY = 1024;   // cooked bytes + the edit line
    static constexpr usize LINE_CAPACITY = 255;      // characters of one edited line, '\n' not counted
    static constexpr usize MAX_LINES = 32;           // completed lines waiting for a reader
    static constexpr usize ECHO_CAPACITY = 2048;     // echo bytes waiting to be sent

    struct Stats {
        u64 received;   // bytes given to receive()
        u64 lines;      // lines completed (EOF lines included)
        u64 dropped;    // bytes thrown away: line or buffer full
        u64 echo_dropped;
    };

    LineDiscipline() = default;

    Termios const& termios() const { return m_termios; }
    // Canonical -> raw: the line being edited becomes readable as it is. Raw -> canonical:
    // bytes already received are readable as one piece, editing starts with the next byte.
    void set_termios(Termios const& termios);

    // One byte from the device. Echo (if enabled) is appended to the echo queue.
    void receive(u8 byte);
    // How many more bytes receive() can store without dropping any.
    usize room() const;
    // Whether the TTY should give receive() more bytes, or throttle its port: false when readers
    // have fallen behind (raw: the buffer is full; canonical: MAX_LINES lines wait, or the lines
    // waiting leave no room for a whole edit line). A long edit line never stops input: the
    // newline that ends it must still get in, so characters past LINE_CAPACITY are dropped and
    // counted instead.
    bool accepting() const;

    // Whether read() would return something now.
    bool readable() const;
    // Canonical: at most one line, '\n' included (the rest of a longer line stays for the next
    // read); 0 for an end-of-file line. Raw: up to out.size() bytes. Nothing: no complete line
    // (raw: no byte) yet. `out` must not be empty.
    Optional<usize> read(Span<u8> out);

    // Moves up to out.size() echo bytes (already output-processed) into `out`; returns how many.
    usize take_echo(Span<u8> out);
    bool has_echo() const { return m_echo_length > 0; }
    // The same in two steps, for a sender that may take fewer bytes than it was offered:
    // copies up to out.size() echo bytes without removing them; then removes `count`.
    usize peek_echo(Span<u8> out) const;
    void consume_echo(usize count);

    // Output processing for bytes a program writes (ONLCR), with column tracking. Consumes
    // input while the result fits into `out` (a "\r\n" pair is never split).
    struct Processed {
        usize consumed;
        usize produced;
    };
    Processed process_output(Span<u8 const> in, Span<u8> out);
    // The output column as the discipline has seen it (0 after a newline).
    u32 column() const { return m_column; }

    Stats stats() const { return m_stats; }

private:
    void receive_canonical(u8 byte);
    void store(u8 byte);
    void complete_line();
    bool erase_one();            // false when the edit line is empty
    void echo_char(u8 byte);     // with ECHOCTL-style "^X" for control characters
    void echo_raw(u8 byte);      // through output processing
    u32 width_of(u8 byte, u32 column) const;
    u32 edit_columns_before(usize index) const;
    void push_echo(u8 byte);
    void consume_front(usize count);
    usize edit_length() const { return m_used - m_cooked; }
    usize last_line_end() const { return m_line_count ? m_line_ends[m_line_count - 1] : 0; }

    Termios m_termios {};
    u8 m_buffer[BUFFER_CAPACITY] {};
    usize m_cooked { 0 };   // readable bytes at the front
    usize m_used { 0 };     // cooked + edit line
    usize m_line_ends[MAX_LINES] {};
    usize m_line_count { 0 };
    u32 m_edit_start_column { 0 };   // the column the edit line's echo started at

    u8 m_echo[ECHO_CAPACITY] {};
    usize m_echo_start { 0 };
    usize m_echo_length { 0 };
    u32 m_column { 0 };

    Stats m_stats {};
};

}
