// The line discipline state machine (see ldisc.h). Portable: also compiled into the host tests.
#include "ldisc.h"
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace tty {

namespace {

constexpr u8 BACKSPACE = 0x08;
constexpr u8 DEL = 0x7F;

bool is_control(u8 byte) { return byte < 0x20 || byte == DEL; }
bool is_blank(u8 byte) { return byte == ' ' || byte == '\t'; }

}

void LineDiscipline::set_termios(Termios const& termios)
{
    bool const was_canonical = m_termios.canonical;
    m_termios = termios;
    if (was_canonical && !termios.canonical) {
        // Raw mode has no lines: the half-edited line becomes data as it stands.
        m_cooked = m_used;
        m_line_count = 0;
    } else if (!was_canonical && termios.canonical) {
        // Bytes that arrived raw are handed out as one piece, not held back until a newline.
        m_line_count = 0;
        if (m_cooked > 0)
            m_line_ends[m_line_count++] = m_cooked;
    }
}

void LineDiscipline::receive(u8 byte)
{
    ++m_stats.received;
    if (m_termios.crnl && byte == '\r')
        byte = '\n';
    if (m_termios.canonical) {
        receive_canonical(byte);
        return;
    }
    if (m_used == BUFFER_CAPACITY) {
        ++m_stats.dropped;
        return;
    }
    m_buffer[m_used++] = byte;
    m_cooked = m_used;
    if (m_termios.echo)
        echo_char(byte);
}

void LineDiscipline::receive_canonical(u8 byte)
{
    Termios const& t = m_termios;
    if (byte == t.erase || byte == BACKSPACE) {
        bool const erased = erase_one();
        if (erased && t.echo && !t.echo_erase)
            echo_char(byte);
        return;
    }
    if (byte == t.kill) {
        bool const had_text = edit_length() > 0;
        while (erase_one()) {
        }
        if (had_text && t.echo && !t.echo_erase) {   // ECHOK: show the kill, start afresh
            echo_char(byte);
            echo_raw('\n');
        }
        return;
    }
    if (byte == t.word_erase) {
        while (edit_length() > 0 && is_blank(m_buffer[m_used - 1]))
            erase_one();
        while (edit_length() > 0 && !is_blank(m_buffer[m_used - 1]))
            erase_one();
        return;
    }
    if (m_line_count == MAX_LINES) {   // nobody reads: nothing can be completed any more
        ++m_stats.dropped;
        return;
    }
    if (byte == t.eof) {   // ends the line without a character; on an empty line: end of file
        complete_line();
        return;
    }
    if (byte == '\n') {   // always fits: store() keeps the last slot free for it
        if (t.echo)
            echo_raw('\n');
        store('\n');
        complete_line();
        return;
    }
    if (edit_length() >= LINE_CAPACITY || m_used + 1 >= BUFFER_CAPACITY) {
        ++m_stats.dropped;
        return;
    }
    if (edit_length() == 0)
        m_edit_start_column = m_column;
    store(byte);
    if (t.echo)
        echo_char(byte);
}

void LineDiscipline::store(u8 byte) { m_buffer[m_used++] = byte; }

void LineDiscipline::complete_line()
{
    m_cooked = m_used;
    m_line_ends[m_line_count++] = m_used;
    ++m_stats.lines;
}

bool LineDiscipline::erase_one()
{
    if (edit_length() == 0)
        return false;
    u8 const byte = m_buffer[m_used - 1];
    if (m_termios.echo && m_termios.echo_erase) {
        if (byte == '\t') {
            // A tab took as many columns as it needed to reach the next tab stop: replay the
            // line's widths to find where it started, and back up that far.
            u32 const start = edit_columns_before(edit_length() - 1);
            for (u32 column = m_column; column > start; --column)
                echo_raw(BACKSPACE);
        } else {
            u32 const width = is_control(byte) ? 2 : 1;
            for (u32 i = 0; i < width; ++i) {
                echo_raw(BACKSPACE);
                echo_raw(' ');
                echo_raw(BACKSPACE);
            }
        }
    }
    --m_used;
    return true;
}

u32 LineDiscipline::width_of(u8 byte, u32 column) const
{
    if (byte == '\t')
        return ((column | 7) + 1) - column;
    return is_control(byte) ? 2 : 1;
}

u32 LineDiscipline::edit_columns_before(usize index) const
{
    u32 column = m_edit_start_column;
    for (usize i = 0; i < index; ++i)
        column += width_of(m_buffer[m_cooked + i], column);
    return column;
}

void LineDiscipline::echo_char(u8 byte)
{
    if (is_control(byte) && byte != '\n' && byte != '\t' && byte != '\r') {
        echo_raw('^');   // ECHOCTL: a control character is shown as ^X, ^? for DEL
        echo_raw(byte == DEL ? '?' : u8(byte + 0x40));
        return;
    }
    echo_raw(byte);
}

void LineDiscipline::echo_raw(u8 byte)
{
    u8 processed[2];
    auto result = process_output(Span<u8 const>(&byte, 1), Span<u8>(processed, 2));
    for (usize i = 0; i < result.produced; ++i)
        push_echo(processed[i]);
}

void LineDiscipline::push_echo(u8 byte)
{
    if (m_echo_length == ECHO_CAPACITY) {
        ++m_stats.echo_dropped;
        return;
    }
    m_echo[(m_echo_start + m_echo_length) % ECHO_CAPACITY] = byte;
    ++m_echo_length;
}

usize LineDiscipline::take_echo(Span<u8> out)
{
    usize const count = peek_echo(out);
    consume_echo(count);
    return count;
}

usize LineDiscipline::peek_echo(Span<u8> out) const
{
    usize const count = kstd::min(out.size(), m_echo_length);
    for (usize i = 0; i < count; ++i)
        out[i] = m_echo[(m_echo_start + i) % ECHO_CAPACITY];
    return count;
}

void LineDiscipline::consume_echo(usize count)
{
    count = kstd::min(count, m_echo_length);
    m_echo_start = (m_echo_start + count) % ECHO_CAPACITY;
    m_echo_length -= count;
}

LineDiscipline::Processed LineDiscipline::process_output(Span<u8 const> in, Span<u8> out)
{
    Processed result { 0, 0 };
    for (u8 byte : in) {
        bool const expand = byte == '\n' && m_termios.onlcr;
        if (result.produced + (expand ? 2 : 1) > out.size())
            break;
        if (expand)
            out[result.produced++] = '\r';
        out[result.produced++] = byte;
        ++result.consumed;
        switch (byte) {
        case '\r': m_column = 0; break;
        case '\n': if (expand) m_column = 0; break;
        case BACKSPACE: if (m_column > 0) --m_column; break;
        case '\t': m_column = (m_column | 7) + 1; break;
        default: if (!is_control(byte)) ++m_column; break;
        }
    }
    return result;
}

usize LineDiscipline::room() const
{
    if (m_termios.canonical && m_line_count == MAX_LINES)
        return 0;
    return BUFFER_CAPACITY - m_used;
}

bool LineDiscipline::accepting() const
{
    if (!m_termios.canonical)
        return m_used < BUFFER_CAPACITY;
    return m_line_count < MAX_LINES && BUFFER_CAPACITY - m_cooked >= LINE_CAPACITY + 2;
}

bool LineDiscipline::readable() const { return m_termios.canonical ? m_line_count > 0 : m_cooked > 0; }

Optional<usize> LineDiscipline::read(Span<u8> out)
{
    VERIFY(!out.empty());
    if (!m_termios.canonical) {
        if (m_cooked == 0)
            return kstd::nullopt;
        usize const count = kstd::min(out.size(), m_cooked);
        memcpy(out.data(), m_buffer, count);
        consume_front(count);
        return count;
    }
    if (m_line_count == 0)
        return kstd::nullopt;
    usize const end = m_line_ends[0];
    usize const count = kstd::min(out.size(), end);
    if (count == end) {   // the whole line (or an end-of-file line) goes: forget its end
        memmove(m_line_ends, m_line_ends + 1, (m_line_count - 1) * sizeof(m_line_ends[0]));
        --m_line_count;
    }
    memcpy(out.data(), m_buffer, count);
    consume_front(count);
    return count;
}

void LineDiscipline::consume_front(usize count)
{
    memmove(m_buffer, m_buffer + count, m_used - count);
    m_used -= count;
    m_cooked -= count;
    for (usize i = 0; i < m_line_count; ++i)
        m_line_ends[i] -= count;
}

}
