"""What the serial and QMP peers share: waiting for the guest's output, and step helpers.

A step that says `after = 'REGEX'` waits until the guest has printed a match, on the debug
console (debugcon.log, where `@@CONDUIT ready ...` lines go) or on COM1 (serial.log). Each
stream has a cursor: a match consumes the output up to its end, so two steps that both wait
for 'conduit> ' wait for two different prompts. Regexes see the raw bytes (multi-line mode;
the console may send "\\r\\n", so end a pattern with \\r?\\n rather than $). `${nonce}` and
`${test}` stand for this run's nonce and test name, as in the rubric's `expect`.
"""
from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path

from . import rubric   # module, not name: rubric imports peers, which imports this

POLL_SECONDS = 0.02
KEEP_BYTES = 64 << 10          # unmatched output kept for a match that spans reads
TRIM_AT = 1 << 20
STREAMS = ("debugcon.log", "serial.log")


def check_regex(value, what: str) -> None:
    """Rubric-time check of one regex option (ValueError names the option)."""
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a regex string")
    try:
        re.compile(rubric.expand_pattern(value, nonce="0", test="t").encode())
    except re.error as err:
        raise ValueError(f"bad regex in {what}: {value!r}: {err}") from None


def show(pattern: str) -> str:
    """A pattern for a one-line message: control characters (a real newline from a TOML basic
    string, say) are shown escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in pattern)


def compile_for_run(pattern: str, nonce: str, test_id: str) -> re.Pattern[bytes]:
    test = test_id.split("@", 1)[0]
    return re.compile(rubric.expand_pattern(pattern, nonce, test).encode(), re.MULTILINE)


def sleep(stop: threading.Event, seconds: float) -> bool:
    """Sleeps unless the peer is being stopped; True when the full time passed."""
    return not stop.wait(seconds) if seconds > 0 else not stop.is_set()


class _Stream:
    def __init__(self, path: Path):
        self.path = path
        self.fh = None
        self.pending = bytearray()

    def search(self, regex: re.Pattern[bytes]) -> bool:
        if self.fh is None:
            try:
                self.fh = open(self.path, "rb")
            except FileNotFoundError:
                return False
        self.pending += self.fh.read(4 << 20)
        match = regex.search(self.pending)
        if match:
            del self.pending[:match.end()]
            return True
        if len(self.pending) > TRIM_AT:
            del self.pending[:-KEEP_BYTES]
        return False

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


class OutputWatch:
    """Tails debugcon.log and serial.log of one run for the peers' `after` regexes."""

    def __init__(self, testdir: Path, stop: threading.Event):
        self.stop = stop
        self.streams = [_Stream(testdir / name) for name in STREAMS]

    def wait(self, regex: re.Pattern[bytes]) -> bool:
        """Blocks until a match (True) or until the peer is stopped (False)."""
        while True:
            # Scan every stream before giving up, so output that arrived just before QEMU
            # stopped still counts.
            if any(stream.search(regex) for stream in self.streams):
                return True
            if self.stop.is_set():
                return False
            time.sleep(POLL_SECONDS)

    def close(self) -> None:
        for stream in self.streams:
            stream.close()


class StepLog:
    """Per-step status for the final report: which step ran, which never could, and why."""

    def __init__(self, count: int):
        self.state = ["not reached"] * count
        self.done = [False] * count
        self.error: str | None = None

    def unfinished(self, describe, waits) -> list[str]:
        """One problem for the first step that did not complete (the rest depend on it)."""
        if self.error:
            return [self.error]
        for index, finished in enumerate(self.done):
            if finished:
                continue
            pattern = waits(index)
            what = describe(index)
            if self.state[index] == "waiting" and pattern:
                return [f"{what} was never sent: the guest never printed /{show(pattern)}/ "
                        "(on the debug console or COM1)"]
            return [f"{what} did not complete ({self.state[index]}) before QEMU stopped"]
        return []


def begin_step(log: StepLog, index: int, step: dict, outputs: OutputWatch, stop: threading.Event,
               nonce: str, test_id: str) -> bool:
    """The start every peer's step shares: wait for its `after` regex, then its `delay`; the
    step is then "running". False when the peer was stopped first."""
    log.state[index] = "waiting"
    if "after" in step and not outputs.wait(compile_for_run(step["after"], nonce, test_id)):
        return False
    if not sleep(stop, float(step.get("delay", 0))):
        return False
    log.state[index] = "running"
    return True


def accept_until_stopped(listener: socket.socket, stop: threading.Event) -> socket.socket | None:
    """Waits for QEMU to connect to a peer's listening socket (the listener has a timeout so the
    stop event is noticed); None when the run ends first or the listener is closed."""
    while not stop.is_set():
        try:
            conn, _ = listener.accept()
            return conn
        except socket.timeout:
            continue
        except OSError:
            return None
    return None
