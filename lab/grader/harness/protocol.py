"""The kernel's result-line protocol on the debug console (port 0xE9).

    @@CONDUIT boot nonce=N
    @@CONDUIT test-begin name=T lab=L nonce=N
    @@CONDUIT test-pass name=T nonce=N
    @@CONDUIT test-fail name=T nonce=N reason=free text to end of line
    @@CONDUIT end passed=P failed=F nonce=N
    @@CONDUIT panic nonce=N msg=free text

Every run gets a fresh random nonce through fw_cfg, and only lines that echo it count. The
nonce is what makes results trustworthy, not the position of the marker, so a marker in the
middle of a line (after a log line that lacked its newline) is still read.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

MARKER = "@@CONDUIT "
KINDS = ("boot", "test-begin", "test-pass", "test-fail", "end", "panic")
# These values are free text and run to the end of the line, so they must come last.
REST_OF_LINE_KEYS = ("reason", "msg")
# Lines that could earn points. One of these without our nonce is a forgery, not noise.
RESULT_KINDS = ("test-pass", "end")

EXIT_PASSED = 33    # isa-debug-exit: (0x10 << 1) | 1
EXIT_FAILED = 35    # (0x11 << 1) | 1
EXIT_PANIC = 37     # (0x12 << 1) | 1
EXIT_NAMES = {EXIT_PASSED: "all tests passed", EXIT_FAILED: "some test failed",
              EXIT_PANIC: "kernel panic", 0: "triple fault or guest power-off",
              1: "QEMU error, or the guest wrote 0 to the exit port"}


@dataclass(frozen=True)
class Event:
    kind: str                    # one of KINDS, or whatever unknown word followed the marker
    fields: dict = field(hash=False, compare=False)
    line: str = ""               # the whole source line, for error messages
    lineno: int = 0              # 1-based line number in the log

    @property
    def nonce(self) -> str | None:
        return self.fields.get("nonce")

    def get(self, key: str, default: str = "") -> str:
        return self.fields.get(key, default)


def new_nonce() -> str:
    """64 random bits: far too many to guess, short enough to read in a log."""
    return secrets.token_hex(8)


def parse_line(line: str, lineno: int = 0) -> Event | None:
    """Returns the event on this line, or None for ordinary log output."""
    start = line.find(MARKER)
    if start < 0:
        return None
    body = line[start + len(MARKER):].rstrip("\r\n")
    kind, _, rest = body.partition(" ")
    fields: dict[str, str] = {}
    while rest:
        rest = rest.lstrip(" ")
        key, eq, value_rest = rest.partition("=")
        if not eq or not key or " " in key:
            # A word without '=' is not part of the protocol; skip it and go on.
            _, _, rest = rest.partition(" ")
            continue
        if key in REST_OF_LINE_KEYS:
            fields.setdefault(key, value_rest)
            break
        value, _, rest = value_rest.partition(" ")
        # First occurrence wins: appending "nonce=<right one>" after a wrong one earns nothing.
        fields.setdefault(key, value)
    return Event(kind=kind, fields=fields, line=line.rstrip("\r\n"), lineno=lineno)


def parse_log(text: str) -> list[Event]:
    events = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        event = parse_line(line, lineno)
        if event is not None:
            events.append(event)
    return events


@dataclass
class Transcript:
    """The events of one run, split by whether they carry this run's nonce."""
    nonce: str
    events: list[Event]

    @property
    def genuine(self) -> list[Event]:
        return [e for e in self.events if e.nonce == self.nonce]

    @property
    def forged(self) -> list[Event]:
        """Result lines with a missing or different nonce."""
        return [e for e in self.events if e.kind in RESULT_KINDS and e.nonce != self.nonce]

    def first(self, kind: str, name: str | None = None) -> Event | None:
        for event in self.genuine:
            if event.kind == kind and (name is None or event.get("name") == name):
                return event
        return None

    def all(self, kind: str) -> list[Event]:
        return [e for e in self.genuine if e.kind == kind]


class LineSplitter:
    """Turns a growing byte stream into complete lines; keeps the unfinished tail."""

    def __init__(self) -> None:
        self._partial = b""
        self.lineno = 0

    def feed(self, data: bytes) -> list[tuple[int, str]]:
        self._partial += data
        *complete, self._partial = self._partial.split(b"\n")
        out = []
        for raw in complete:
            self.lineno += 1
            out.append((self.lineno, raw.decode("utf-8", errors="replace")))
        return out


# Backtrace lines as the kernel prints them:   "  #3 0xffffffff80101234 function+0x34"
BACKTRACE_RE = re.compile(r"^\s*#(\d+)\s+((?:0x)?[0-9a-fA-F]{4,})\b")


def panic_report(text: str, panic_event: Event | None) -> list[str]:
    """The human-readable panic report (from the last 'PANIC:' line to the marker)."""
    lines = text.splitlines()
    end = panic_event.lineno - 1 if panic_event else len(lines)
    start = None
    for index in range(min(end, len(lines)) - 1, -1, -1):
        if "PANIC:" in lines[index]:
            start = index
            break
    if start is None:
        return []
    return [line.rstrip("\r") for line in lines[start:end]
            if not line.startswith(MARKER)][:60]


def fw_cfg_escape(value: str) -> str:
    """QEMU option syntax splits on ','; a literal comma is written ',,'."""
    return value.replace(",", ",,")
