"""QEMU trace lines, and mechanism checks counted over them.

Debian's QEMU 7.2 has the `log` trace backend. `-trace enable=EVENT` plus `-D FILE` writes one
line per event to FILE, mixed with the `-d` log (cpu_reset dumps):

    serial_read read addr 0x05 val 0x60
    serial_write write addr 0x00 val 0x41
    ide_ioport_read IDE PIO rd @ 0x1f7 (Status); val 0x50; bus 0x55d1 IDEState 0x55d2
    pckbd_kbd_read_data 0x1e
    1234@1700000000.123456:serial_read read addr 0x05 val 0x60     (with -msg timestamp=on)

The text after the event name comes from the event's format string in QEMU's trace-events
files, so fields are found generically: a word followed by a number (`addr 0x05`, `val: 3`,
`stop=1`, `@ 0x1f7`) is a named field, and every number is also a positional field arg0,
arg1, ... in order. A rubric filters on them with `where = { addr = 5 }` or
`where = { arg0 = "0x1e" }`, or with a regex `match` over the text after the event name.
"""
from __future__ import annotations

import re

LINE_RE = re.compile(r"^(?:\d+@\d+\.\d+:)?([A-Za-z0-9_]+) (.*)$")
_NUMBER = r"-?0x[0-9a-fA-F]+|-?\d+"
FIELD_RE = re.compile(r"(?<![\w@])([A-Za-z_@][\w@]*)\s*[:=]?\s*('[^']*'|\"[^\"]*\"|" + _NUMBER + r")(?![\w.])")
NUMBER_RE = re.compile(r"(?<![\w.])(" + _NUMBER + r")(?![\w.])")
EVENT_NAME_RE = re.compile(r"^[A-Za-z0-9_]+$")
EVENT_PATTERN_RE = re.compile(r"^[A-Za-z0-9_*?]+$")

# serial_write payloads, for the COM1 marker lines (see SerialMarks).
SERIAL_WRITE_RE = re.compile(r"addr 0x([0-9a-fA-F]+) val 0x([0-9a-fA-F]+)")
UART_THR, UART_LCR, UART_MCR, UART_SCR = 0, 3, 4, 7


def parse_line(line: str, events: set[str]) -> tuple[str, str] | None:
    """(event, arguments) when the line is a trace line of one of `events`, else None (the
    other lines of the log are QEMU's -d output)."""
    match = LINE_RE.match(line)
    if match is None or match.group(1) not in events:
        return None
    return match.group(1), match.group(2)


def to_number(text: str) -> int | None:
    try:
        return int(text, 0) if text.lstrip("-")[:2].lower() == "0x" else int(text, 10)
    except ValueError:
        return None


def fields(args: str) -> dict[str, str]:
    """Named fields (the first occurrence of a name wins) plus positional arg0, arg1, ..."""
    out: dict[str, str] = {}
    for name, value in FIELD_RE.findall(args):
        out.setdefault(name, value.strip("'\""))
    for index, value in enumerate(NUMBER_RE.findall(args)):
        out[f"arg{index}"] = value
    return out


def value_matches(actual: str, wanted) -> bool:
    """A rubric value (int, numeric string, other string, or a list of those) against a field."""
    if isinstance(wanted, list):
        return any(value_matches(actual, w) for w in wanted)
    if isinstance(wanted, bool):
        return False
    want_num = wanted if isinstance(wanted, int) else to_number(str(wanted))
    have_num = to_number(actual)
    if want_num is not None and have_num is not None:
        return want_num == have_num
    return str(wanted) == actual


class SerialMarks:
    """Rebuilds what the guest wrote to COM1 from `serial_write` events, line by line, so a
    mechanism check can count events between two lines in exactly the order QEMU saw them.

    Two streams: THR writes (the serial output, as on serial.log; not while DLAB is set or in
    loopback) and scratch-register writes (port base+7), which a kernel can use for marks that
    do not change the bytes on the wire. Each completed line goes to `on_line`."""

    def __init__(self, on_line):
        self.on_line = on_line
        self.dlab = False
        self.loopback = False
        self.parts = {UART_THR: [], UART_SCR: []}

    def feed(self, args: str) -> None:
        match = SERIAL_WRITE_RE.search(args)
        if match is None:
            return
        addr, value = int(match.group(1), 16), int(match.group(2), 16)
        if addr == UART_LCR:
            self.dlab = bool(value & 0x80)
        elif addr == UART_MCR:
            self.loopback = bool(value & 0x10)
        elif addr == UART_SCR or (addr == UART_THR and not self.dlab and not self.loopback):
            if value == 0x0A:
                line = "".join(self.parts[addr]).rstrip("\r")
                self.parts[addr] = []
                self.on_line(line)
            elif len(self.parts[addr]) < 4096:
                self.parts[addr].append(chr(value))
