#pragma once
// Shared by the VGA console and tty0 tests: reading the screen back from video memory.
#include <drivers/vgacon.h>
#include <kstd/string.h>

namespace vga_test {

// Row `row` of video memory as text, trailing blanks removed (valid until the next call).
inline kstd::StringView screen_row(u32 row)
{
    static char text[vgacon::COLUMNS + 1];
    usize length = 0;
    for (u32 c = 0; c < vgacon::COLUMNS; ++c) {
        text[c] = char(vgacon::read_cell(row, c) & 0xFF);
        if (text[c] != ' ')
            length = c + 1;
    }
    return kstd::StringView(text, length);
}

}
