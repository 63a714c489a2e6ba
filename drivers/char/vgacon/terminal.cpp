// The text-mode terminal emulator (terminal.h). Portable: also compiled into the host tests.
//
// Parsing follows ECMA-48 / the VT100 as far as the subset goes: ESC starts an escape sequence,
// ESC [ a control sequence (CSI) made of parameter bytes (digits, ';', and '?' for private
// modes), then one final byte 0x40-0x7E. C0 controls inside a CSI are executed on the spot; CAN
// and SUB abort it. Unknown sequences are swallowed whole, never printed.
#include "terminal.h"
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace vgacon {

namespace {

constexpr u8 ESC = 0x1B;
constexpr u8 CAN = 0x18;
constexpr u8 SUB = 0x1A;
constexpr u32 TAB_WIDTH = 8;
constexpr u32 MAX_PARAM = 9999;

// ANSI colour numbers (black red green yellow blue magenta cyan white) as VGA palette indices
// (VGA counts black blue green cyan red magenta brown grey: the bits are B, G, R).
constexpr u8 ANSI_TO_VGA[8] = { 0, 4, 2, 6, 1, 5, 3, 7 };

}

void Terminal::reset()
{
    m_foreground = 7;
    m_background = 0;
    m_bold = m_blink = m_reverse = false;
    update_attribute();
    for (auto& c : m_cells)
        c = blank();
    m_row = m_column = 0;
    m_wrap_pending = false;
    m_cursor_visible = true;
    m_saved = { 0, 0, 7, 0, false, false, false };
    m_state = State::Normal;
    mark_all();
}

void Terminal::load(kstd::Span<u16 const> cells, u32 row, u32 column)
{
    usize const count = kstd::min(cells.size(), usize(ROWS * COLUMNS));
    for (usize i = 0; i < count; ++i)
        m_cells[i] = cells[i];
    move_to(row, column);
    clear_dirty();   // what is on the screen already
}

void Terminal::write(kstd::Span<u8 const> bytes)
{
    for (u8 byte : bytes)
        feed(byte);
}

void Terminal::write(char const* text)
{
    write(kstd::Span<u8 const>(reinterpret_cast<u8 const*>(text), strlen(text)));
}

void Terminal::feed(u8 byte)
{
    if (byte == ESC) {   // also restarts a sequence that was cut short
        m_state = State::Escape;
        return;
    }
    switch (m_state) {
    case State::Normal:
        if (byte < 0x20 || byte == 0x7F)
            control(byte);
        else
            put(byte);
        return;
    case State::Escape:
        escape(byte);
        return;
    case State::EscapeIntermediate:   // ESC ( B and friends (character sets): swallowed
        if (byte >= 0x30 && byte <= 0x7E)
            m_state = State::Normal;
        else if (byte < 0x20)
            control(byte);
        return;
    case State::Csi:
        csi(byte);
        return;
    }
}

void Terminal::control(u8 byte)
{
    switch (byte) {
    case '\r':
        move_to(m_row, 0);
        break;
    case '\n':
    case 0x0B:   // VT
    case 0x0C:   // FF
        m_wrap_pending = false;
        line_feed();
        break;
    case '\b':
        move_to(m_row, m_column > 0 ? m_column - 1 : 0);
        break;
    case '\t':
        move_to(m_row, kstd::min((m_column / TAB_WIDTH + 1) * TAB_WIDTH, COLUMNS - 1));
        break;
    default:   // BEL, NUL, DEL and the rest: nothing to show
        break;
    }
}

void Terminal::escape(u8 byte)
{
    m_state = State::Normal;
    if (byte >= 0x20 && byte <= 0x2F) {
        m_state = State::EscapeIntermediate;
        return;
    }
    switch (byte) {
    case '[':
        m_state = State::Csi;
        m_param_count = 0;
        m_param_started = false;
        m_private = false;
        for (auto& p : m_params)
            p = 0;
        break;
    case 'c':
        reset();
        break;
    case 'D':
        line_feed();
        break;
    case 'M':
        reverse_line_feed();
        break;
    case 'E':
        move_to(m_row, 0);
        line_feed();
        break;
    case '7':
        m_saved = { m_row, m_column, m_foreground, m_background, m_bold, m_blink, m_reverse };
        break;
    case '8':
        m_foreground = m_saved.foreground;
        m_background = m_saved.background;
        m_bold = m_saved.bold;
        m_blink = m_saved.blink;
        m_reverse = m_saved.reverse;
        update_attribute();
        move_to(m_saved.row, m_saved.column);
        break;
    default:
        break;
    }
}

void Terminal::csi(u8 byte)
{
    if (byte >= '0' && byte <= '9') {
        if (m_param_count == 0)
            m_param_count = 1;
        if (m_param_count <= MAX_PARAMS) {
            u32& p = m_params[m_param_count - 1];
            p = kstd::min(p * 10 + (byte - '0'), MAX_PARAM);
        }
        m_param_started = true;
        return;
    }
    if (byte == ';') {
        if (m_param_count == 0)
            m_param_count = 1;   // ";5H": an empty first parameter
        ++m_param_count;
        return;
    }
    if (byte == '?') {
        m_private = true;
        return;
    }
    if (byte == CAN || byte == SUB) {
        m_state = State::Normal;
        return;
    }
    if (byte < 0x20) {
        control(byte);
        return;
    }
    if (byte >= 0x40 && byte <= 0x7E) {
        m_state = State::Normal;
        dispatch_csi(byte);
    }
    // 0x20-0x2F (intermediates) and other parameter bytes: ignored.
}

u32 Terminal::param(usize index, u32 fallback) const
{
    if (index >= m_param_count || index >= MAX_PARAMS || m_params[index] == 0)
        return fallback;
    return m_params[index];
}

void Terminal::dispatch_csi(u8 final_byte)
{
    if (m_private) {
        if (param(0, 0) == 25 && (final_byte == 'h' || final_byte == 'l'))
            m_cursor_visible = final_byte == 'h';
        return;
    }
    u32 const n = param(0, 1);
    switch (final_byte) {
    case 'A': move_to(m_row > n ? m_row - n : 0, m_column); break;
    case 'B': move_to(kstd::min(m_row + n, ROWS - 1), m_column); break;
    case 'C': move_to(m_row, kstd::min(m_column + n, COLUMNS - 1)); break;
    case 'D': move_to(m_row, m_column > n ? m_column - n : 0); break;
    case 'E': move_to(kstd::min(m_row + n, ROWS - 1), 0); break;
    case 'F': move_to(m_row > n ? m_row - n : 0, 0); break;
    case 'G': move_to(m_row, kstd::min(n, COLUMNS) - 1); break;
    case 'd': move_to(kstd::min(n, ROWS) - 1, m_column); break;
    case 'H':
    case 'f': move_to(kstd::min(param(0, 1), ROWS) - 1, kstd::min(param(1, 1), COLUMNS) - 1); break;
    case 'J': erase_display(param(0, 0)); break;
    case 'K': erase_line(param(0, 0)); break;
    case 'm': select_graphic_rendition(); break;
    case 's': m_saved.row = m_row; m_saved.column = m_column; break;
    case 'u': move_to(m_saved.row, m_saved.column); break;
    default: break;
    }
}

void Terminal::select_graphic_rendition()
{
    usize const count = kstd::max<usize>(m_param_count, 1);   // "CSI m" is "CSI 0 m"
    for (usize i = 0; i < count && i < MAX_PARAMS; ++i) {
        u32 const p = i < m_param_count ? m_params[i] : 0;
        if (p == 0) {
            m_foreground = 7;
            m_background = 0;
            m_bold = m_blink = m_reverse = false;
        } else if (p == 1) {
            m_bold = true;
        } else if (p == 5) {
            m_blink = true;
        } else if (p == 7) {
            m_reverse = true;
        } else if (p == 22) {
            m_bold = false;
        } else if (p == 25) {
            m_blink = false;
        } else if (p == 27) {
            m_reverse = false;
        } else if (p >= 30 && p <= 37) {
            m_foreground = ANSI_TO_VGA[p - 30];
        } else if (p == 39) {
            m_foreground = 7;
        } else if (p >= 40 && p <= 47) {
            m_background = ANSI_TO_VGA[p - 40];
        } else if (p == 49) {
            m_background = 0;
        } else if (p >= 90 && p <= 97) {
            m_foreground = u8(ANSI_TO_VGA[p - 90] | 8);
        }
        // Others (underline, 256 colours, ...) have no VGA text equivalent: ignored.
    }
    update_attribute();
}

void Terminal::update_attribute()
{
    u8 foreground = m_bold ? u8(m_foreground | 8) : m_foreground;
    u8 background = m_background & 7;
    if (m_reverse) {
        u8 const old_foreground = foreground;
        foreground = u8(background | (m_bold ? 8 : 0));
        background = old_foreground & 7;
    }
    // Bit 7 is blink in the VGA's default attribute mode (bright backgrounds would need the
    // attribute controller's mode register changed: not done).
    m_attribute = u8((m_blink ? 0x80 : 0) | (background << 4) | foreground);
}

void Terminal::put(u8 byte)
{
    if (m_wrap_pending) {
        m_wrap_pending = false;
        m_column = 0;
        line_feed();
    }
    m_cells[m_row * COLUMNS + m_column] = u16(byte | (u16(m_attribute) << 8));
    mark(m_row, m_column, m_column + 1);
    if (m_column == COLUMNS - 1)
        m_wrap_pending = true;
    else
        ++m_column;
}

void Terminal::line_feed()
{
    if (m_row == ROWS - 1)
        scroll_up();
    else
        ++m_row;
}

void Terminal::reverse_line_feed()
{
    m_wrap_pending = false;
    if (m_row == 0)
        scroll_down();
    else
        --m_row;
}

void Terminal::scroll_up()
{
    memmove(m_cells, m_cells + COLUMNS, (ROWS - 1) * COLUMNS * sizeof(u16));
    for (u32 c = 0; c < COLUMNS; ++c)
        m_cells[(ROWS - 1) * COLUMNS + c] = blank();
    ++m_scrolls;
    mark_all();
}

void Terminal::scroll_down()
{
    memmove(m_cells + COLUMNS, m_cells, (ROWS - 1) * COLUMNS * sizeof(u16));
    for (u32 c = 0; c < COLUMNS; ++c)
        m_cells[c] = blank();
    ++m_scrolls;
    mark_all();
}

void Terminal::move_to(u32 row, u32 column)
{
    m_row = kstd::min(row, ROWS - 1);
    m_column = kstd::min(column, COLUMNS - 1);
    m_wrap_pending = false;
}

void Terminal::erase(u32 from, u32 to)
{
    for (u32 i = from; i < to; ++i)
        m_cells[i] = blank();
    for (u32 row = from / COLUMNS; row < ROWS && row * COLUMNS < to; ++row) {
        u32 const first = row * COLUMNS < from ? from - row * COLUMNS : 0;
        u32 const end = kstd::min(to - row * COLUMNS, COLUMNS);
        mark(row, first, end);
    }
}

void Terminal::erase_display(u32 mode)
{
    u32 const here = m_row * COLUMNS + m_column;
    if (mode == 0)
        erase(here, ROWS * COLUMNS);
    else if (mode == 1)
        erase(0, here + 1);
    else if (mode == 2 || mode == 3)
        erase(0, ROWS * COLUMNS);
}

void Terminal::erase_line(u32 mode)
{
    u32 const start = m_row * COLUMNS;
    if (mode == 0)
        erase(start + m_column, start + COLUMNS);
    else if (mode == 1)
        erase(start, start + m_column + 1);
    else if (mode == 2)
        erase(start, start + COLUMNS);
}

void Terminal::mark(u32 row, u32 first, u32 end)
{
    if (m_dirty_first[row] >= m_dirty_end[row]) {
        m_dirty_first[row] = u8(first);
        m_dirty_end[row] = u8(end);
        return;
    }
    m_dirty_first[row] = u8(kstd::min<u32>(m_dirty_first[row], first));
    m_dirty_end[row] = u8(kstd::max<u32>(m_dirty_end[row], end));
}

void Terminal::mark_all()
{
    for (u32 row = 0; row < ROWS; ++row) {
        m_dirty_first[row] = 0;
        m_dirty_end[row] = u8(COLUMNS);
    }
}

bool Terminal::dirty(u32 row, u32* first, u32* end) const
{
    if (m_dirty_first[row] >= m_dirty_end[row])
        return false;
    *first = m_dirty_first[row];
    *end = m_dirty_end[row];
    return true;
}

void Terminal::clear_dirty()
{
    for (u32 row = 0; row < ROWS; ++row)
        m_dirty_first[row] = m_dirty_end[row] = 0;
}

}
