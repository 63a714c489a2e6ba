"""The `trace` peer: QEMU trace events into trace.log, and the mechanism checks over them.

Rubrics rarely name it: a test's `trace = [...]` and `[[test.mechanism]]` entries become one
trace peer (rubric.py). It can also be written out:

    [[test.peer]]
    kind = "trace"
    events = ["serial_read", "serial_write"]          # names or globs, as for -trace enable=
    checks = [{ event = "serial_read", where = { addr = 5 }, max_count = 200 }]

Debian's QEMU 7.2 has only the `log` trace backend: `-trace enable=E` sends the events to the
`-D` log, the same file as `-d cpu_reset`. So this peer takes over `-D` (qemu.py then leaves
out its default `-D qemu.log`) and points it at a FIFO that a thread reads as QEMU writes.
Trace lines go to trace.log, at most 64 MiB of them (counting goes on over the whole run);
every other line goes to qemu.log, where the verdict still finds "Triple fault". The FIFO
bounds the disk use of a driver that spins on a register for a whole timeout, and QEMU simply
waits when the reader falls behind, so nothing is lost. Tracing does not count as progress
for the hang clock: a driver that only spins is still hung.
"""
from __future__ import annotations

import fnmatch
import os
import re
import select
import threading
from collections import Counter as Tally

from . import mechanism, trace
from .peers import Peer, register

TRACE_LOG_LIMIT = 64 << 20
QEMU_LOG_LIMIT = 16 << 20
MISSING_EVENT_RE = re.compile(r"trace event '([^']+)' does not exist")


@register
class TracePeer(Peer):
    kind = "trace"
    unique = True
    schema = {"events": (list, False), "checks": (list, False)}

    @classmethod
    def check(cls, spec: dict) -> None:
        for event in spec.get("events", []):
            if not isinstance(event, str) or not trace.EVENT_PATTERN_RE.match(event):
                raise ValueError(f"trace event {event!r} is not an event name or glob "
                                 "(qemu-system-x86_64 -trace help lists them)")
        for index, table in enumerate(spec.get("checks", [])):
            if not isinstance(table, dict):
                raise ValueError(f"[[test.mechanism]] #{index + 1} must be a table")
            try:
                mechanism.parse_check(table)
            except mechanism.CheckError as err:
                raise ValueError(f"[[test.mechanism]] #{index + 1}: {err}") from None

    def __init__(self, spec: dict, ctx):
        super().__init__(spec, ctx)
        self.counter = mechanism.Counter([mechanism.parse_check(t) for t in spec.get("checks", [])])
        self.patterns = sorted(set(spec.get("events", [])) | self.counter.events())
        self.is_trace: dict[str, bool] = {}
        self.totals: Tally = Tally()
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.fd: int | None = None
        self.trace_bytes = self.qemu_bytes = 0
        self.truncated = False

    def prepare(self) -> list[str]:
        fifo = self.ctx.short_dir() / "trace.fifo"
        os.mkfifo(fifo, 0o600)
        # Read-write: never blocks on open, and never sees EOF before finish() drains it.
        self.fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
        self.trace_log = open(self.ctx.testdir / "trace.log", "wb")
        self.qemu_log = open(self.ctx.testdir / "qemu.log", "wb")
        self.thread = threading.Thread(target=self._read, name="trace-peer", daemon=True)
        self.thread.start()
        args = ["-D", str(fifo)]
        for pattern in self.patterns:
            args += ["-trace", f"enable={pattern}"]
        return args

    def finish(self) -> list[str]:
        self._stop_reader()
        self._write_counts()
        problems = []
        stderr = self.ctx.testdir / "qemu-stderr.log"
        text = stderr.read_text(errors="replace") if stderr.is_file() else ""
        for name in dict.fromkeys(MISSING_EVENT_RE.findall(text)):
            problems.append(f"QEMU has no trace event '{name}' (qemu-system-x86_64 -trace help "
                            "lists them): the rubric names an event this QEMU does not have")
        return problems + self.counter.problems()

    def close(self) -> None:
        self._stop_reader()
        for name in ("trace_log", "qemu_log"):
            if hasattr(self, name):
                getattr(self, name).close()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    # --- the reader thread ----------------------------------------------------------------

    def _stop_reader(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
            self.thread = None

    def _read(self) -> None:
        carry = ""
        while True:
            ready, _, _ = select.select([self.fd], [], [], 0.1)
            chunk = b""
            if ready:
                try:
                    chunk = os.read(self.fd, 1 << 16)
                except BlockingIOError:
                    pass
            if not chunk:
                if self.stop.is_set():   # QEMU is gone and the FIFO is empty
                    break
                continue
            # latin-1: every byte is one character, so nothing is lost or can fail to decode.
            lines = (carry + chunk.decode("latin-1")).split("\n")
            carry = lines.pop()
            self._lines(lines)
        if carry:
            self._lines([carry])
        self.trace_log.flush()
        self.qemu_log.flush()

    def _is_trace(self, name: str) -> bool:
        known = self.is_trace.get(name)
        if known is None:
            known = self.is_trace[name] = bool(trace.EVENT_NAME_RE.match(name)) and any(
                fnmatch.fnmatchcase(name, p) for p in self.patterns)
        return known

    def _lines(self, lines: list[str]) -> None:
        traced, other = [], []
        totals, feed = self.totals, self.counter.feed
        for line in lines:
            head, _, args = line.partition(" ")
            if "@" in head:                  # -msg timestamp=on: "PID@SEC.USEC:name"
                head = head.rpartition(":")[2]
            if not self._is_trace(head):
                other.append(line)
                continue
            traced.append(line)
            totals[head] += 1
            feed(head, args)
        self._store(traced, other)

    def _store(self, traced: list[str], other: list[str]) -> None:
        if traced and not self.truncated:
            data = ("\n".join(traced) + "\n").encode("latin-1")
            if self.trace_bytes + len(data) > TRACE_LOG_LIMIT:
                self.truncated = True
                data = (b"[grader: trace.log stops here at 64 MiB; the mechanism checks "
                        b"counted every event of the run]\n")
            self.trace_log.write(data)
            self.trace_bytes += len(data)
        if other and self.qemu_bytes < QEMU_LOG_LIMIT:
            data = ("\n".join(other) + "\n").encode("latin-1")
            self.qemu_log.write(data)
            self.qemu_bytes += len(data)

    def _write_counts(self) -> None:
        lines = [f"{count:>12,}  {event}" for event, count in self.totals.most_common()]
        (self.ctx.testdir / "trace-counts.txt").write_text(
            "events seen in this run (the whole run, firmware included)\n" + "\n".join(lines) + "\n")
