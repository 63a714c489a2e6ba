// US keyboard layout for scan code set 1 (IBM PC AT Technical Reference, "Keyboard", scan code
// tables; the 0x56 key is the extra one of 102-key keyboards, typed as on Linux's US map).
// Index: make code. 0: the key types nothing by itself.
#include "ps2kbd.h"
#include <kstd/enforce.h>

namespace ps2kbd {

// clang-format off
char const keymap_plain[KEYMAP_SIZE] = {
    /* 00 */ 0,    0x1B, '1',  '2',  '3',  '4',  '5',  '6',  '7',  '8',  '9',  '0',  '-',  '=',  0x7F, '\t',
    /* 10 */ 'q',  'w',  'e',  'r',  't',  'y',  'u',  'i',  'o',  'p',  '[',  ']',  '\r', 0,    'a',  's',
    /* 20 */ 'd',  'f',  'g',  'h',  'j',  'k',  'l',  ';',  '\'', '`',  0,    '\\', 'z',  'x',  'c',  'v',
    /* 30 */ 'b',  'n',  'm',  ',',  '.',  '/',  0,    '*',  0,    ' ',  0,    0,    0,    0,    0,    0,
    /* 40 */ 0,    0,    0,    0,    0,    0,    0,    '7',  '8',  '9',  '-',  '4',  '5',  '6',  '+',  '1',
    /* 50 */ '2',  '3',  '0',  '.',  0,    0,    '\\', 0,    0,
};

char const keymap_shifted[KEYMAP_SIZE] = {
    /* 00 */ 0,    0x1B, '!',  '@',  '#',  '$',  '%',  '^',  '&',  '*',  '(',  ')',  '_',  '+',  0x7F, '\t',
    /* 10 */ 'Q',  'W',  'E',  'R',  'T',  'Y',  'U',  'I',  'O',  'P',  '{',  '}',  '\r', 0,    'A',  'S',
    /* 20 */ 'D',  'F',  'G',  'H',  'J',  'K',  'L',  ':',  '"',  '~',  0,    '|',  'Z',  'X',  'C',  'V',
    /* 30 */ 'B',  'N',  'M',  '<',  '>',  '?',  0,    '*',  0,    ' ',  0,    0,    0,    0,    0,    0,
    /* 40 */ 0,    0,    0,    0,    0,    0,    0,    '7',  '8',  '9',  '-',  '4',  '5',  '6',  '+',  '1',
    /* 50 */ '2',  '3',  '0',  '.',  0,    0,    '|',  0,    0,
};
// clang-format on

char const* extended_sequence(u8 key)
{
    switch (key) {
    case set1::ENTER: return "\r";    // keypad Enter
    case 0x35: return "/";            // keypad /
    case set1::UP: return "\x1b[A";
    case set1::DOWN: return "\x1b[B";
    case set1::RIGHT: return "\x1b[C";
    case set1::LEFT: return "\x1b[D";
    case set1::HOME: return "\x1b[H";
    case set1::END: return "\x1b[F";
    case set1::INSERT: return "\x1b[2~";
    case set1::DELETE: return "\x1b[3~";
    case set1::PAGE_UP: return "\x1b[5~";
    case set1::PAGE_DOWN: return "\x1b[6~";
    default: return nullptr;          // right Ctrl/Alt (state, not text), fake shifts, ...
    }
}

}
