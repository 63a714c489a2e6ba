// The VGA console's terminal emulator (drivers/char/vgacon/terminal.cpp): text and cursor,
// wrapping and scrolling, the ANSI subset (cursor moves, positioning, erase, colours), tab and
// backspace, sequences it does not know, and the dirty-cell tracking the driver relies on.
#include "support.h"
#include "../../drivers/char/vgacon/terminal.h"
#include <memory>
#include <string>

namespace {

using vgacon::COLUMNS;
using vgacon::ROWS;
using vgacon::Terminal;

std::string row_text(Terminal const& t, u32 row)
{
    std::string s;
    for (u32 c = 0; c < COLUMNS; ++c)
        s += t.character(row, c);
    while (!s.empty() && s.back() == ' ')
        s.pop_back();
    return s;
}

void write(Terminal& t, std::string const& text)
{
    t.write(Span<u8 const>(reinterpret_cast<u8 const*>(text.data()), text.size()));
}

std::unique_ptr<Terminal> fresh() { return std::make_unique<Terminal>(); }

}

TEST_CASE("text appears at the cursor in the default colours", "[vgacon]")
{
    auto t = fresh();
    CHECK(row_text(*t, 0).empty());
    write(*t, "Hello");
    CHECK(row_text(*t, 0) == "Hello");
    CHECK(t->row() == 0);
    CHECK(t->column() == 5);
    CHECK(t->attribute_at(0, 0) == vgacon::DEFAULT_ATTRIBUTE);
    CHECK(t->cell(0, 0) == u16('H' | 0x0700));
    write(*t, "\r\nWorld");
    CHECK(row_text(*t, 1) == "World");
    write(*t, "\nX");   // LF alone keeps the column
    CHECK(t->row() == 2);
    CHECK(t->character(2, 5) == 'X');
}

TEST_CASE("the last column leaves a wrap pending", "[vgacon]")
{
    auto t = fresh();
    write(*t, std::string(COLUMNS, 'a'));
    CHECK(t->row() == 0);
    CHECK(t->column() == COLUMNS - 1);
    write(*t, "\r\nb");   // no empty line in between
    CHECK(row_text(*t, 1) == "b");
    write(*t, "\r" + std::string(COLUMNS, 'c') + "d");
    CHECK(row_text(*t, 2) == "d");
}

TEST_CASE("writing past the bottom scrolls the screen up", "[vgacon]")
{
    auto t = fresh();
    for (int i = 0; i < 30; ++i)
        write(*t, "line " + std::to_string(i) + "\r\n");
    CHECK(t->scrolls() == 6);
    CHECK(row_text(*t, 0) == "line 6");
    CHECK(row_text(*t, ROWS - 2) == "line 29");
    CHECK(row_text(*t, ROWS - 1).empty());
    CHECK(t->row() == ROWS - 1);
    write(*t, "\x1b[H\x1bM");   // reverse index at the top scrolls down
    CHECK(row_text(*t, 0).empty());
    CHECK(row_text(*t, 1) == "line 6");
}

TEST_CASE("CSI H positions the cursor, counting from 1 and clamping", "[vgacon]")
{
    auto t = fresh();
    write(*t, "\x1b[5;10Hx");
    CHECK(t->character(4, 9) == 'x');
    write(*t, "\x1b[99;99H");
    CHECK(t->row() == ROWS - 1);
    CHECK(t->column() == COLUMNS - 1);
    write(*t, "\x1b[H");
    CHECK(t->row() == 0);
    CHECK(t->column() == 0);
    write(*t, "\x1b[;7H");   // empty row parameter: 1
    CHECK(t->row() == 0);
    CHECK(t->column() == 6);
    write(*t, "\x1b[3d\x1b[20G");
    CHECK(t->row() == 2);
    CHECK(t->column() == 19);
}

TEST_CASE("CSI A B C D move and stop at the edges", "[vgacon]")
{
    auto t = fresh();
    write(*t, "\x1b[10;10H\x1b[3A");
    CHECK(t->row() == 6);
    write(*t, "\x1b[B");
    CHECK(t->row() == 7);
    write(*t, "\x1b[5C");
    CHECK(t->column() == 14);
    write(*t, "\x1b[2D");
    CHECK(t->column() == 12);
    write(*t, "\x1b[100A\x1b[100D");
    CHECK(t->row() == 0);
    CHECK(t->column() == 0);
    write(*t, "\x1b[100B\x1b[100C");
    CHECK(t->row() == ROWS - 1);
    CHECK(t->column() == COLUMNS - 1);
    write(*t, "\x1b[2F");
    CHECK(t->row() == ROWS - 3);
    CHECK(t->column() == 0);
}

TEST_CASE("CSI J and CSI K erase screen and line", "[vgacon]")
{
    auto t = fresh();
    for (u32 r = 0; r < 3; ++r)
        write(*t, "0123456789\r\n");
    write(*t, "\x1b[2;5H\x1b[K");
    CHECK(row_text(*t, 1) == "0123");
    write(*t, "\x1b[1K");
    CHECK(row_text(*t, 1).empty());
    write(*t, "\x1b[1;4H\x1b[2K");
    CHECK(row_text(*t, 0).empty());
    CHECK(row_text(*t, 2) == "0123456789");
    write(*t, "\x1b[3;3H\x1b[1J");
    CHECK(row_text(*t, 2) == "   3456789");
    write(*t, "\x1b[3;6H\x1b[J");
    CHECK(row_text(*t, 2) == "   34");
    write(*t, "\x1b[H" "abc\x1b[2J");
    for (u32 r = 0; r < ROWS; ++r)
        CHECK(row_text(*t, r).empty());
    CHECK(t->column() == 3);   // 2J leaves the cursor where it was
}

TEST_CASE("SGR sets VGA colours", "[vgacon]")
{
    auto t = fresh();
    write(*t, "\x1b[31mr");
    CHECK(t->attribute_at(0, 0) == 0x04);   // ANSI red = VGA 4
    write(*t, "\x1b[1;32;44mg");
    CHECK(t->attribute_at(0, 1) == 0x1A);   // bright green on blue
    write(*t, "\x1b[0mn");
    CHECK(t->attribute_at(0, 2) == 0x07);
    write(*t, "\x1b[7mv");
    CHECK(t->attribute_at(0, 3) == 0x70);   // reverse video
    write(*t, "\x1b[27;33;46m" "y");
    CHECK(t->attribute_at(0, 4) == 0x36);   // brown/yellow on cyan
    write(*t, "\x1b[39;49m" "d\x1b[94mb\x1b[m" "z\x1b[5mk");
    CHECK(t->attribute_at(0, 5) == 0x07);
    CHECK(t->attribute_at(0, 6) == 0x09);   // bright blue
    CHECK(t->attribute_at(0, 7) == 0x07);   // CSI m = CSI 0 m
    CHECK(t->attribute_at(0, 8) == 0x87);   // blink
    write(*t, "\x1b[0;41m\x1b[2K");
    CHECK(t->attribute_at(0, 0) == 0x47);   // erasing uses the current background
}

TEST_CASE("tab goes to the next multiple of 8, backspace moves back", "[vgacon]")
{
    auto t = fresh();
    write(*t, "a\tb");
    CHECK(t->character(0, 8) == 'b');
    write(*t, "\t\t");
    CHECK(t->column() == 24);
    write(*t, "\b\bxy");
    CHECK(t->character(0, 22) == 'x');
    write(*t, "\r\b\b");
    CHECK(t->column() == 0);
    write(*t, "\x1b[1;79H\t\t");
    CHECK(t->column() == COLUMNS - 1);
}

TEST_CASE("unknown sequences and control characters print nothing", "[vgacon]")
{
    auto t = fresh();
    write(*t, "\x1b[?1049h\x1b[5X\x1b(B\x07\x01\x7f" "ok\x1b[38;5;196m!");
    CHECK(row_text(*t, 0) == "ok!");
    write(*t, "\x1b[12\x18" "c");   // CAN aborts a sequence
    CHECK(row_text(*t, 0) == "ok!c");
    write(*t, "\x1b[1\n;1H");   // a control character inside a CSI is executed
    CHECK(t->row() == 0);
    CHECK(t->column() == 0);
}

TEST_CASE("save and restore the cursor, hide and show it, reset", "[vgacon]")
{
    auto t = fresh();
    write(*t, "\x1b[4;4H\x1b[31m\x1b" "7\x1b[H\x1b[0m\x1b" "8x");
    CHECK(t->character(3, 3) == 'x');
    CHECK(t->attribute_at(3, 3) == 0x04);
    write(*t, "\x1b[10;1H\x1b[s\x1b[H\x1b[uy");
    CHECK(t->character(9, 0) == 'y');
    write(*t, "\x1b[?25l");
    CHECK_FALSE(t->cursor_visible());
    write(*t, "\x1b[?25h");
    CHECK(t->cursor_visible());
    write(*t, "\x1b" "c");
    CHECK(row_text(*t, 3).empty());
    CHECK(t->attribute() == vgacon::DEFAULT_ATTRIBUTE);
    CHECK(t->row() == 0);
}

TEST_CASE("dirty tracking names exactly the changed cells", "[vgacon]")
{
    auto t = fresh();
    u32 first = 0, end = 0;
    CHECK(t->dirty(0, &first, &end));   // a new terminal repaints everything
    t->clear_dirty();
    for (u32 r = 0; r < ROWS; ++r)
        CHECK_FALSE(t->dirty(r, &first, &end));
    write(*t, "\x1b[3;6Hab");
    CHECK(t->dirty(2, &first, &end));
    CHECK(first == 5);
    CHECK(end == 7);
    CHECK_FALSE(t->dirty(0, &first, &end));
    write(*t, "\x1b[3;2Hz");
    CHECK(t->dirty(2, &first, &end));
    CHECK(first == 1);
    CHECK(end == 7);
    t->clear_dirty();
    write(*t, "\x1b[25;1H\n");   // a scroll changes every row
    for (u32 r = 0; r < ROWS; ++r)
        CHECK(t->dirty(r, &first, &end));
}

TEST_CASE("load takes over a screen and cursor without repainting", "[vgacon]")
{
    auto t = fresh();
    std::unique_ptr<u16[]> cells(new u16[ROWS * COLUMNS]);
    for (u32 i = 0; i < ROWS * COLUMNS; ++i)
        cells[i] = u16('g' | 0x1F00);
    t->load(Span<u16 const>(cells.get(), ROWS * COLUMNS), 12, 40);
    u32 first = 0, end = 0;
    CHECK_FALSE(t->dirty(12, &first, &end));
    CHECK(t->row() == 12);
    CHECK(t->column() == 40);
    CHECK(t->cell(0, 0) == u16('g' | 0x1F00));
    write(*t, "!");
    CHECK(t->character(12, 40) == '!');
}
