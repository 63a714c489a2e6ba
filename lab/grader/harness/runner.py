"""Boots one QEMU for one test and watches it until it is done.

A run ends on the first of:
* QEMU exits (isa-debug-exit, a triple fault under -no-reboot, a QEMU error);
* the `end` or `panic` marker with this run's nonce, after a short grace period in which QEMU
  should exit by itself (if it does not, it is killed and the verdict says so);
* no progress for the test's timeout (a hang), measured by the load-independent clock;
* too much total time or output (a runaway output loop).
The runner only records what happened; verdict.py decides what it means.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import host_test, payload
from . import peers as peer_mod
from .clock import ProgressClock
from .hang import HangProbe
from .protocol import LineSplitter, new_nonce, parse_line
from .qemu import RunOptions, build_command, test_dir, write_cmd_file
from .rubric import TestCase

POLL_SECONDS = 0.05
GRACE_SECONDS = 5.0           # after end/panic, for QEMU to exit through isa-debug-exit
MAX_OUTPUT_BYTES = 64 << 20   # per run; protects the disk from a print loop
READ_CHUNK_BYTES = 4 << 20
LOG_FILES = ("debugcon.log", "serial.log", "qemu.log", "qemu-stderr.log", "cmd.txt")


@dataclass
class RunRecord:
    test: TestCase
    nonce: str
    testdir: Path
    seed: int | None = None       # the payload seed of `seed = "run"` (None: the test has none)
    argv: list[str] = field(default_factory=list)
    stop: str = "exit"            # exit | grace | hang | runaway | error | interrupted
    marker: str | None = None     # "end" or "panic" when the watcher saw one (genuine nonce)
    exit_status: int | None = None
    wall_time: float = 0.0
    busy_time: float = 0.0        # effective (load-discounted) seconds
    idle_time: float = 0.0        # effective seconds without progress when the run stopped
    grace: float = GRACE_SECONDS  # how long QEMU was given to exit after end/panic
    output_bytes: int = 0
    debugcon: str = ""
    serial: str = ""
    qemu_log: str = ""
    stderr: str = ""
    problems: list[str] = field(default_factory=list)   # from peers' finish()
    error: str | None = None      # QEMU or a peer could not be started
    host: object | None = None    # a host unit test's parsed report (host_test.HostReport)
    hang: object | None = None    # where a hung guest was (hang.HangReport)


class ProcessRegistry:
    """Every QEMU the grader started, so Ctrl-C can stop them all and leave no orphans."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: set[subprocess.Popen] = set()
        self.stopping = False

    def add(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.add(proc)

    def discard(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.discard(proc)

    def kill(self, proc: subprocess.Popen) -> None:
        """Stops one process (its whole group), reaps it and forgets it."""
        _kill(proc)
        proc.wait()
        self.discard(proc)

    def kill_all(self) -> None:
        self.stopping = True
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            _kill(proc)


def _kill(proc: subprocess.Popen) -> None:
    """Kills the process group we created for this QEMU (it may be a wrapper script)."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()


class _Tail:
    """Reads what was appended to a file since the last call. QEMU creates the file itself,
    possibly a little after it starts, so the file is opened lazily."""

    def __init__(self, path: Path):
        self.path = path
        self._fh = None

    def read(self) -> bytes:
        if self._fh is None:
            try:
                self._fh = open(self.path, "rb")
            except FileNotFoundError:
                return b""
        # Bounded, so one tick of a runaway writer cannot balloon memory.
        return self._fh.read(READ_CHUNK_BYTES)

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def _scan_for_marker(lines: list[tuple[int, str]], nonce: str) -> str | None:
    for lineno, line in lines:
        event = parse_line(line, lineno)
        if event is not None and event.nonce == nonce and event.kind in ("end", "panic"):
            return event.kind
    return None


def _watch(proc: subprocess.Popen, test: TestCase, options: RunOptions, record: RunRecord,
           peers: list, registry: ProcessRegistry) -> ProgressClock:
    clock = ProgressClock(proc.pid)
    tails = [_Tail(record.testdir / "debugcon.log"), _Tail(record.testdir / "serial.log")]
    splitter = LineSplitter()
    timeout = test.timeout * options.timeout_scale
    max_time = test.max_time * options.timeout_scale
    grace = record.grace = min(GRACE_SECONDS, timeout)
    marker_at = 0.0
    try:
        while True:
            exited = proc.poll() is not None
            chunks = [tail.read() for tail in tails]
            progressed = any(chunks)
            for peer in peers:
                progressed = peer.poll() or progressed   # poll every peer, every tick
            record.output_bytes += sum(len(c) for c in chunks)
            if record.marker is None:
                record.marker = _scan_for_marker(splitter.feed(chunks[0]), record.nonce)
                marker_at = clock.total
            clock.tick(progressed)
            if registry.stopping:
                record.stop = "interrupted"
            elif exited:
                record.stop = "exit"
            elif record.marker and clock.total - marker_at > grace:
                record.stop = "grace"
            elif clock.idle > timeout:
                record.stop = "hang"
            elif (clock.total > max_time or record.output_bytes > MAX_OUTPUT_BYTES
                  # Backstop in plain wall time, in case the starvation accounting is
                  # ever wrong: 10x the already generous cap.
                  or clock.wall > 10 * max_time):
                record.stop = "runaway"
            else:
                time.sleep(POLL_SECONDS)
                continue
            return clock
    finally:
        for tail in tails:
            tail.close()


def _prepare_dir(testdir: Path) -> None:
    """A fresh directory per run, so stale logs of an earlier run can never be graded."""
    if testdir.exists():
        shutil.rmtree(testdir)
    testdir.mkdir(parents=True)


def _read(path: Path, limit: int = MAX_OUTPUT_BYTES) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def _start_peers(test: TestCase, ctx: peer_mod.PeerContext, record: RunRecord) -> tuple[list, list[str]]:
    peers, args = [], []
    try:
        for spec in test.peers:
            peer = peer_mod.create(spec, ctx)
            peers.append(peer)
            args += peer.prepare()
    except (peer_mod.PeerError, OSError) as err:
        record.stop, record.error = "error", f"test setup failed: {err}"
    return peers, args


def run_test(test: TestCase, options: RunOptions, registry: ProcessRegistry) -> RunRecord:
    testdir = test_dir(options, test)
    _prepare_dir(testdir)
    record = RunRecord(test=test, nonce=new_nonce(), testdir=testdir)
    if test.host_test is not None:
        return _run_host_test(test, options, registry, record)
    if test.uses_run_seed:
        # Picked here, not in the rubric: the student cannot know it before the run.
        record.seed = options.seed if options.seed is not None else payload.new_run_seed()
    ctx = peer_mod.PeerContext(root=options.root, testdir=testdir, nonce=record.nonce,
                               test_id=test.id, seed=record.seed)
    peers, peer_args = _start_peers(test, ctx, record)
    probe = HangProbe(ctx.short_dir())
    started = time.monotonic()
    try:
        if record.error is None:
            peer_args += probe.prepare()
            if options.sandbox is not None:
                # QEMU runs as the sandbox's user: it must write its logs and reach the sockets.
                options.sandbox.adopt(testdir, ctx.short_dir())
            record.argv = build_command(test, options, record.nonce, peer_args, record.seed)
            write_cmd_file(testdir / "cmd.txt", test, record.argv, record.nonce, options.root,
                           ctx.short_dir(), record.seed)
            _boot(test, options, record, peers, registry, probe)
            for peer in peers:
                record.problems += peer.finish()
    finally:
        probe.close()
        for peer in peers:
            peer.close()
        ctx.cleanup()
    record.wall_time = time.monotonic() - started
    record.debugcon = _read(testdir / "debugcon.log")
    record.serial = _read(testdir / "serial.log")
    record.qemu_log = _read(testdir / "qemu.log", 1 << 20)
    record.stderr = _read(testdir / "qemu-stderr.log", 64 << 10)
    return record


def _diagnose(test: TestCase, options: RunOptions, record: RunRecord, probe: HangProbe) -> None:
    """Where the guest was when it stopped making progress (hang.py), before it is killed."""
    apic = "irqchip=apic" in test.cmdline.split()
    wrap = options.sandbox.wrap if options.sandbox is not None else None
    record.hang = probe.diagnose(options.kernel_elf, options.root, apic, wrap)
    (record.testdir / "hang.txt").write_text(record.hang.text())


def _run_host_test(test: TestCase, options: RunOptions, registry: ProcessRegistry,
                   record: RunRecord) -> RunRecord:
    started = time.monotonic()
    host_test.run(test, options, registry, record)
    record.wall_time = time.monotonic() - started
    host_test.read_outputs(record)
    return record


def _boot(test: TestCase, options: RunOptions, record: RunRecord, peers: list,
          registry: ProcessRegistry, probe: HangProbe) -> None:
    with open(record.testdir / "qemu-stderr.log", "wb") as errlog:
        try:
            # Own session: QEMU must not read the terminal, and killing the group also
            # reaches children of a wrapper given with --qemu.
            argv = record.argv
            if options.sandbox is not None:
                argv = options.sandbox.wrap(argv, [record.testdir, probe.path.parent])
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=errlog,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as err:
            record.stop = "error"
            record.error = f"cannot start {record.argv[0]}: {err.strerror} (install QEMU or pass --qemu)"
            return
    registry.add(proc)
    try:
        for peer in peers:
            peer.started(proc.pid)
        clock = _watch(proc, test, options, record, peers, registry)
        record.busy_time, record.idle_time = clock.total, clock.idle
        if record.stop in ("hang", "runaway") and proc.poll() is None:
            _diagnose(test, options, record, probe)
    finally:
        _kill(proc)
        proc.wait()
        registry.discard(proc)
    # A status from our own kill is not the guest's doing; keep None for "we stopped it".
    record.exit_status = proc.returncode if record.stop == "exit" else None
