"""The VGA text screen at 0xb8000: 80x25 cells of (character, attribute), decoded into lines.

A cell is a little-endian 16-bit word: the low byte is the character in code page 437, the
high byte the attribute (bits 0-3 foreground, 4-6 background, 7 blink). The grader reads the
4000 bytes through QMP `pmemsave` (or, as a fallback, HMP `xp /2000hx 0xb8000`), writes the
raw bytes to vga-N.bin and the text to vga-N.txt, and the newest snapshot to vga.txt.
"""
from __future__ import annotations

import re

COLUMNS, ROWS = 80, 25
BASE = 0xB8000
SIZE = COLUMNS * ROWS * 2

# CP437 glyphs for 0x01-0x1F and 0x7F (Python's cp437 codec maps those to control characters).
_LOW_GLYPHS = "☺☻♥♦♣♠•◘○◙♂♀♪♫☼►◄↕‼¶§▬↨↑↓→←∟↔▲▼"
_TABLE = [" "] + list(_LOW_GLYPHS) + [bytes([b]).decode("cp437") for b in range(0x20, 0x100)]
_TABLE[0x7F] = "⌂"

XP_LINE_RE = re.compile(r"^\s*([0-9a-fA-F]+):((?:\s+0x[0-9a-fA-F]{1,4})+)\s*$")


def cells(data: bytes) -> list[tuple[int, int]]:
    """(character byte, attribute byte) for each of the 2000 cells; missing bytes read as 0."""
    data = bytes(data[:SIZE]).ljust(SIZE, b"\0")
    return [(data[i], data[i + 1]) for i in range(0, SIZE, 2)]


def screen_lines(data: bytes) -> list[str]:
    """25 lines of text, trailing blanks removed, so `^Hello$` matches a line that says Hello.
    A NUL cell (never written) reads as a space."""
    chars = [_TABLE[c] for c, _ in cells(data)]
    return ["".join(chars[r * COLUMNS:(r + 1) * COLUMNS]).rstrip() for r in range(ROWS)]


def screen_text(data: bytes) -> str:
    return "\n".join(screen_lines(data)) + "\n"


def attribute_lines(data: bytes) -> list[str]:
    """The attributes as 25 lines of 80 two-digit hex numbers, for vga-N.attr.txt."""
    attrs = [a for _, a in cells(data)]
    return [" ".join(f"{a:02x}" for a in attrs[r * COLUMNS:(r + 1) * COLUMNS]) for r in range(ROWS)]


def parse_xp(text: str, base: int = BASE) -> bytes:
    """Bytes from HMP `xp /Nhx ADDR` output ("00000000000b8000: 0x0720 0x0741 ...").

    Raises ValueError on a line that is not a dump line or on a gap in the addresses."""
    out = bytearray()
    for line in text.splitlines():
        if not line.strip():
            continue
        match = XP_LINE_RE.match(line)
        if not match:
            raise ValueError(f"not an xp dump line: {line.strip()[:80]!r}")
        if int(match.group(1), 16) != base + len(out):
            raise ValueError(f"xp output skips to address {match.group(1)}")
        for word in match.group(2).split():
            out += int(word, 16).to_bytes(2, "little")
    return bytes(out)


def check_screen(text: str, expect: list[str], reject: list[str], label: str) -> list[str]:
    """The rubric's expect_vga/reject_vga regexes (multi-line mode) over one snapshot."""
    problems = []
    for pattern in expect:
        if not re.search(pattern, text, re.MULTILINE):
            problems.append(f"the VGA screen ({label}) has no line matching /{pattern}/; "
                            f"it shows: {_summary(text)}")
    for pattern in reject:
        match = re.search(pattern, text, re.MULTILINE)
        if match:
            line = text[text.rfind("\n", 0, match.start()) + 1:].split("\n", 1)[0]
            problems.append(f"the VGA screen ({label}) must not match /{pattern}/, but shows "
                            f"'{line.strip()[:100]}'")
    return problems


def _summary(text: str, limit: int = 4) -> str:
    """The last few non-empty lines, quoted: enough for a one-line reason."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return "(a blank screen)"
    shown = " | ".join(f"'{line[:60]}'" for line in lines[-limit:])
    return shown if len(lines) <= limit else f"... {shown}"
