#pragma once
// The terminal emulator behind the VGA text console: a grid of 80x25 character cells (VGA's own
// format: character low byte, attribute high byte), a cursor, and a parser for the escape
// sequences listed in include/drivers/vgacon.h. Portable and host-tested
// (tests/unit/tty_vgacon_terminal_test.cpp): it only changes memory and remembers which cells
// changed; the driver (vgacon.cpp) copies those to video memory.
#include <drivers/vgacon.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace vgacon {

class Terminal {
public:
    Terminal() { reset(); }

    void write(kstd::Span<u8 const> bytes);
    void write(char const* text);
    // Clear screen, home, default colours, cursor shown (ESC c).
    void reset();
    // Takes over a screen someone else drew (GRUB's), with the cursor where they left it.
    void load(kstd::Span<u16 const> cells, u32 row, u32 column);

    u16 cell(u32 row, u32 column) const { return m_cells[row * COLUMNS + column]; }
    char character(u32 row, u32 column) const { return char(cell(row, column) & 0xFF); }
    u8 attribute_at(u32 row, u32 column) const { return u8(cell(row, column) >> 8); }
    u32 row() const { return m_row; }
    u32 column() const { return m_column; }
    bool cursor_visible() const { return m_cursor_visible; }
    u8 attribute() const { return m_attribute; }
    u64 scrolls() const { return m_scrolls; }

    // Changed cells of `row` since the last clear_dirty(): [first, end) columns; false if none.
    bool dirty(u32 row, u32* first, u32* end) const;
    void clear_dirty();

private:
    enum class State : u8 { Normal, Escape, EscapeIntermediate, Csi };
    static constexpr usize MAX_PARAMS = 8;

    void feed(u8 byte);
    void control(u8 byte);
    void escape(u8 byte);
    void csi(u8 byte);
    void dispatch_csi(u8 final_byte);
    void select_graphic_rendition();
    u32 param(usize index, u32 fallback) const;

    void put(u8 byte);
    void line_feed();
    void reverse_line_feed();
    void scroll_up();
    void scroll_down();
    void move_to(u32 row, u32 column);
    void erase(u32 from, u32 to);   // cells [from, to) in screen order
    void erase_display(u32 mode);
    void erase_line(u32 mode);
    void mark(u32 row, u32 first, u32 end);
    void mark_all();
    void update_attribute();
    u16 blank() const { return u16(' ' | (u16(m_attribute) << 8)); }

    u16 m_cells[ROWS * COLUMNS];
    u32 m_row { 0 };
    u32 m_column { 0 };
    bool m_wrap_pending { false };
    bool m_cursor_visible { true };

    // Colours as ANSI asked for them; m_attribute is the VGA byte they give.
    u8 m_foreground { 7 };   // VGA colour 0-15
    u8 m_background { 0 };   // VGA colour 0-7
    bool m_bold { false };
    bool m_blink { false };
    bool m_reverse { false };
    u8 m_attribute { DEFAULT_ATTRIBUTE };

    struct Saved {
        u32 row, column;
        u8 foreground, background;
        bool bold, blink, reverse;
    } m_saved { 0, 0, 7, 0, false, false, false };

    State m_state { State::Normal };
    u32 m_params[MAX_PARAMS] {};
    usize m_param_count { 0 };
    bool m_param_started { false };
    bool m_private { false };   // CSI ? ...

    u8 m_dirty_first[ROWS];
    u8 m_dirty_end[ROWS];
    u64 m_scrolls { 0 };
};

}
