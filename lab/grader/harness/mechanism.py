"""Mechanism checks: how often a QEMU trace event happened, optionally inside a window.

    [[test.mechanism]]
    description = "the irq-mode driver must not spin on LSR while sending"
    event = "serial_read"
    where = { addr = 5 }            # LSR is at offset 5
    from = '^tx-begin$'             # window: from a COM1 line matching this ...
    to = '^tx-end$'                 # ... to the next COM1 line matching this
    max_count = 200                 # or min_count = N, or forbid = true
    message = "your driver read LSR {count} times while sending: it is polling, not waiting for interrupts"

`event` may also be a list of names: the check counts each of them, for one fact that shows as
different events under different configurations (an interrupt delivered to the CPU is
`pic_interrupt` under the 8259 and `apic_deliver_irq` under the APIC):

    event = ["pic_interrupt", "apic_deliver_irq"]
    match = '\b(intno|vector) 36$'  # vector 36: IRQ 4 (COM1), either way

Windows are delimited by lines the guest writes on COM1, rebuilt from the `serial_write` trace
events (trace.SerialMarks), so they are exact in QEMU's own order of events. Without `from`
the window opens at the start of the run (firmware included); without `to` it stays open.
A window may open and close several times; the count is over all of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import trace

CHECK_KEYS = {"description", "event", "where", "match", "from", "to", "max_count", "min_count",
              "forbid", "message"}
PLACEHOLDERS = {"count", "min", "max", "event", "windows"}


class CheckError(ValueError):
    """A mechanism check that cannot be used; the message says what is wrong."""


@dataclass
class Check:
    event: str                   # one name, or several joined by " or " (see events)
    description: str = ""
    where: dict = field(default_factory=dict)
    match: re.Pattern | None = None
    start: re.Pattern | None = None
    end: re.Pattern | None = None
    max_count: int | None = None
    min_count: int | None = None
    message: str = ""
    count: int = 0
    windows: int = 0
    inside: bool = False

    memo: dict = field(default_factory=dict, repr=False)
    events: tuple[str, ...] = ()   # the names counted


    def accepts(self, args: str) -> bool:
        """Whether an event with these arguments matches `where` and `match`. High-volume
        events repeat the same few argument strings, so the answer is memoized."""
        known = self.memo.get(args)
        if known is None:
            if len(self.memo) > 4096:
                self.memo.clear()
            known = self.memo[args] = self._accepts(args)
        return known

    def _accepts(self, args: str) -> bool:
        if self.match is not None and not self.match.search(args):
            return False
        if self.where:
            values = trace.fields(args)
            for name, wanted in self.where.items():
                if name not in values or not trace.value_matches(values[name], wanted):
                    return False
        return True


def _regex(table: dict, key: str) -> re.Pattern | None:
    if key not in table:
        return None
    value = table[key]
    if not isinstance(value, str):
        raise CheckError(f"'{key}' must be a regex string")
    try:
        return re.compile(value)
    except re.error as err:
        raise CheckError(f"bad regex in '{key}': {value!r}: {err}") from None


def _count(table: dict, key: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise CheckError(f"'{key}' must be a non-negative integer")
    return value


def _where(table: dict) -> dict:
    where = table.get("where", {})
    if not isinstance(where, dict):
        raise CheckError("'where' must be a table, e.g. where = { addr = 5 }")
    for name, value in where.items():
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values):
            raise CheckError(f"where.{name} must be a number, a string or a list of them")
    return dict(where)


def parse_check(table: dict) -> Check:
    """One [[test.mechanism]] table; raises CheckError."""
    unknown = sorted(set(table) - CHECK_KEYS)
    if unknown:
        raise CheckError(f"unknown key '{unknown[0]}' (known: {', '.join(sorted(CHECK_KEYS))})")
    event = table.get("event")
    names = event if isinstance(event, list) else [event]
    if not names or not all(isinstance(n, str) and trace.EVENT_NAME_RE.match(n) for n in names):
        raise CheckError("'event' is required: a QEMU trace event name, e.g. \"serial_read\", or a "
                         "list of them (qemu-system-x86_64 -trace help lists them)")
    forbid = table.get("forbid", False)
    if not isinstance(forbid, bool):
        raise CheckError("'forbid' must be true or false")
    max_count, min_count = _count(table, "max_count"), _count(table, "min_count")
    if forbid:
        if max_count is not None:
            raise CheckError("'forbid = true' already means max_count = 0")
        max_count = 0
    if max_count is None and min_count is None:
        raise CheckError("say what to check: max_count, min_count or forbid = true")
    if max_count is not None and min_count is not None and min_count > max_count:
        raise CheckError("min_count is larger than max_count")
    for key in ("description", "message"):
        if not isinstance(table.get(key, ""), str):
            raise CheckError(f"'{key}' must be a string")
    message = table.get("message", "")
    for name in re.findall(r"\{(\w*)\}", message):
        if name not in PLACEHOLDERS:
            raise CheckError(f"message placeholder {{{name}}} is not one of "
                             f"{', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}")
    check = Check(event=" or ".join(names), events=tuple(names), description=table.get("description", ""),
                  where=_where(table),
                  match=_regex(table, "match"), start=_regex(table, "from"), end=_regex(table, "to"),
                  max_count=max_count, min_count=min_count, message=message)
    check.inside = check.start is None
    return check


class Counter:
    """Feeds trace events to every check and COM1 lines to the windowed ones."""

    def __init__(self, checks: list[Check]):
        self.checks = checks
        self.by_event: dict[str, list[Check]] = {}
        for check in checks:
            for name in check.events:
                self.by_event.setdefault(name, []).append(check)
        self.windowed = [c for c in checks if c.start is not None or c.end is not None]
        self.marks = trace.SerialMarks(self._on_line) if self.windowed else None

    def events(self) -> set[str]:
        """The trace events these checks need (serial_write too, for the window lines)."""
        needed = set(self.by_event)
        if self.marks is not None:
            needed.add("serial_write")
        return needed

    def feed(self, event: str, args: str) -> None:
        for check in self.by_event.get(event, ()):
            if check.inside and check.accepts(args):
                check.count += 1
        if event == "serial_write" and self.marks is not None:
            self.marks.feed(args)

    def _on_line(self, line: str) -> None:
        for check in self.windowed:
            if not check.inside:
                if check.start is not None and check.start.search(line):
                    check.inside = True
                    check.windows += 1
            elif check.end is not None and check.end.search(line):
                check.inside = False

    def problems(self) -> list[str]:
        return [p for p in (_problem(c) for c in self.checks) if p]


def _what(check: Check) -> str:
    where = " ".join(f"{k}={v}" for k, v in check.where.items())
    what = check.event + (f" with {where}" if where else "")
    if check.match is not None:
        what += f" matching /{check.match.pattern}/"
    return what


def _window(check: Check) -> str:
    if check.start is None and check.end is None:
        return " during the run"
    start = f"/{check.start.pattern}/" if check.start else "the start of the run"
    end = f"/{check.end.pattern}/" if check.end else "the end of the run"
    return f" between {start} and {end} on COM1"


def _problem(check: Check) -> str | None:
    lead = f"{check.description}: " if check.description else ""
    if check.start is not None and check.windows == 0:
        return (f"{lead}the guest never wrote a COM1 line matching /{check.start.pattern}/, "
                f"so {check.event} could not be counted where this check looks")
    too_many = check.max_count is not None and check.count > check.max_count
    too_few = check.min_count is not None and check.count < check.min_count
    if not (too_many or too_few):
        return None
    if check.message:
        values = {"count": f"{check.count:,}", "event": check.event, "windows": str(check.windows),
                  "min": f"{check.min_count:,}" if check.min_count is not None else "-",
                  "max": f"{check.max_count:,}" if check.max_count is not None else "-"}
        return lead + re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)),
                             check.message)
    times = f"{check.count:,} time{'s' if check.count != 1 else ''}"
    if too_many and check.max_count == 0:
        return f"{lead}{_what(check)} happened {times}{_window(check)}; it must not happen at all"
    if too_many:
        return f"{lead}{_what(check)} happened {times}{_window(check)}; at most {check.max_count:,} allowed"
    return (f"{lead}{_what(check)} happened {'only ' if check.count else ''}{times}{_window(check)}; "
            f"at least {check.min_count:,} expected")
