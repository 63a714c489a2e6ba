"""What the student sees in the terminal: progress, failure details, score tables.

The very last line is always `N passed, M failed`, so scripts and the Makefile can rely on it.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import threading
import time
from pathlib import Path

from .results import Result, SuiteTotal, fmt_points
from .rubric import TestCase


def rel_path(path: Path) -> str:
    """Paths relative to where the student typed the command, when that is shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return rel if len(rel) < len(str(path)) else str(path)


# Kernel output is untrusted text: a stray escape sequence must not repaint the student's
# terminal (or hide a line), so control characters are shown as \xNN.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _status(result: Result) -> str:
    return "ok" if result.passed else "FAIL"


class Progress:
    """A live progress line. On a terminal it is rewritten in place below the permanent
    per-test lines; in a log file every finished test is one plain line and nothing else."""

    def __init__(self, total: int, stream=sys.stdout):
        self.total = total
        self.stream = stream
        self.tty = stream.isatty() and os.environ.get("TERM") != "dumb"
        self.done = self.failed = 0
        self.running: dict[str, float] = {}
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def start(self, test: TestCase) -> None:
        with self._lock:
            self.running[f"{test.suite.name}/{test.id}"] = time.monotonic()

    def finish(self, result: Result) -> None:
        with self._lock:
            self.running.pop(f"{result.test.suite.name}/{result.test.id}", None)
            self.done += 1
            self.failed += 0 if result.passed else 1
            width = len(str(self.total))
            line = (f"[{self.done:>{width}}/{self.total}] {_status(result):<4} "
                    f"{result.verdict.kind:<12} {result.test.suite.name}/{result.test.id}"
                    f"  ({result.record.wall_time:.1f}s)")
            self._clear()
            self.stream.write(line + "\n")
            self._draw()

    def tick(self) -> None:
        with self._lock:
            self._draw()

    def close(self) -> None:
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _draw(self) -> None:
        if not self.tty:
            self.stream.flush()
            return
        elapsed = time.monotonic() - self.started
        names = ", ".join(sorted(self.running, key=self.running.get))
        line = (f"{self.done}/{self.total} done, {len(self.running)} running, "
                f"{self.failed} failed, {elapsed:.0f}s  {names}")
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r\x1b[K" + line[:width])
        self.stream.flush()


def print_failure(result: Result, stream=sys.stdout) -> None:
    test, verdict, record = result.test, result.verdict, result.record
    w = stream.write
    w(f"\n--- FAIL {test.suite.name}/{test.id}  [{verdict.kind}]  "
      f"0/{fmt_points(test.points)} points\n")
    if test.description:
        w(f"    test:    {test.description}\n")
    w(f"    reason:  {printable(result.reason)}\n")
    if record.seed is not None:
        w(f"    seed:    {record.seed} (this run's payload seed; the rerun below replays it)\n")
    for note in verdict.notes:
        w(f"    note:    {printable(note)}\n")
    if verdict.report:
        w(f"    {'where it hung' if verdict.kind == 'hang' else 'panic report'}:\n")
        for line in verdict.report:
            w(f"      {printable(line)}\n")
    source, lines = result.tail()
    if verdict.kind == "panic" and verdict.report and source == "debugcon.log":
        lines = _before_panic(record.debugcon)
    if lines:
        count = "line" if len(lines) == 1 else f"{len(lines)} lines"
        w(f"    last {count} of {source}"
          f"{' before the panic' if verdict.kind == 'panic' and verdict.report else ''}:\n")
        for line in lines:
            w(f"      | {printable(line)}\n")
    w(f"    logs:    {rel_path(record.testdir)}/  ({', '.join(log_files(record.testdir))})\n")
    w(f"    rerun:   {result.rerun}\n")


def log_files(testdir: Path) -> list[str]:
    """The files a student should look at, in the order they usually help."""
    order = ("debugcon.log", "serial.log", "host.log", "hang.txt", "trace.log", "qemu.log",
             "qmp.log", "vga.txt", "report.xml", "cmd.txt")
    try:
        present = {p.name for p in testdir.iterdir()}
    except OSError:
        return list(order[:2]) + ["cmd.txt"]
    return [name for name in order if name in present] or ["cmd.txt"]


def _before_panic(text: str, count: int = 15) -> list[str]:
    lines = [line.rstrip("\r") for line in text.splitlines()]
    for index in range(len(lines) - 1, -1, -1):
        if "PANIC:" in lines[index]:
            return lines[max(0, index - count):index]
    return lines[-count:]


def print_tables(totals: list[SuiteTotal], stream=sys.stdout) -> None:
    w = stream.write
    for total in totals:
        suite = total.suite
        width = max([len("total")] + [len(r.test.id) for r in total.results]) + 2
        w(f"\n{suite.name}: {suite.title}   ({rel_path(suite.path)})\n")
        w(f"  {'test':<{width}} {'points':>9}  {'result':<6} {'verdict':<13} {'time':>7}\n")
        for r in total.results:
            points = f"{fmt_points(r.score)}/{fmt_points(r.test.points)}"
            w(f"  {r.test.id:<{width}} {points:>9}  {_status(r):<6} {r.verdict.kind:<13} "
              f"{r.record.wall_time:>6.1f}s\n")
        points = f"{fmt_points(total.score)}/{fmt_points(total.max_score)}"
        w(f"  {'total':<{width}} {points:>9}  {total.passed} passed, {total.failed} failed\n")


def print_summary(totals: list[SuiteTotal], stream=sys.stdout) -> None:
    """Totals per lab (and per other suite), then the grand total and the last line."""
    w = stream.write
    if len(totals) > 1:
        width = max(len(t.suite.name) + len(t.suite.title) for t in totals) + 4
        w("\nscore\n")
        for t in totals:
            label = f"{t.suite.name}  {t.suite.title}"
            w(f"  {label:<{width}} {fmt_points(t.score):>6}/{fmt_points(t.max_score)}\n")
        score = sum(t.score for t in totals)
        maximum = sum(t.max_score for t in totals)
        w(f"  {'total':<{width}} {fmt_points(score):>6}/{fmt_points(maximum)}\n")
    passed = sum(t.passed for t in totals)
    failed = sum(t.failed for t in totals)
    w(f"\n{passed} passed, {failed} failed\n")
    stream.flush()
