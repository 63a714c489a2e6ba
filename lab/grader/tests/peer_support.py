"""Helpers for the peer tests: a peer context in a temporary directory, a fake QEMU end of the
serial and QMP sockets, and a small driver that boots the real ISO with peers attached but
without `test=` (so the kernel stays in its monitor)."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import support  # noqa: F401  (puts the harness on sys.path)
from harness import peers, rubric
from harness.qemu import FW_CFG_NAME, RunOptions, build_command, test_dir

ISO = Path(os.environ.get("CONDUIT_GRADER_ISO", support.ROOT / "build" / "conduit.iso"))
QEMU = shutil.which("qemu-system-x86_64")


def make_ctx(tmp: Path, nonce: str = "feedf00d", test_id: str = "t1") -> peers.PeerContext:
    testdir = Path(tmp) / "out"
    testdir.mkdir(parents=True, exist_ok=True)
    return peers.PeerContext(root=Path(tmp), testdir=testdir, nonce=nonce, test_id=test_id)


def make_peer(spec: dict, ctx: peers.PeerContext):
    peers.validate(spec, "test")
    return peers.create(spec, ctx)


def arg_after(args: list[str], option: str, prefix: str) -> str:
    """The path inside e.g. `-chardev socket,id=...,path=P`."""
    for i, arg in enumerate(args[:-1]):
        if arg == option and args[i + 1].startswith(prefix):
            return args[i + 1].split("path=", 1)[1]
    raise AssertionError(f"no {option} {prefix}... in {args}")


def connect(path: str) -> socket.socket:
    """What QEMU does at start-up: connect to the grader's listening socket."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    return sock


class FakeQmpServer(threading.Thread):
    """QEMU's side of QMP: greets, then answers send-key, pmemsave, human-monitor-command and
    screendump. `screen` is the 4000 bytes pmemsave writes; `fail` maps a command to an error
    message, or to None for "QEMU exits instead of answering"."""

    def __init__(self, path: str, screen: bytes, fail: dict | None = None):
        super().__init__(daemon=True)
        self.sock = connect(path)
        self.screen = screen
        self.fail = fail or {}
        self.commands: list[dict] = []

    def run(self) -> None:
        f = self.sock.makefile("rwb")
        self._send(f, {"QMP": {"version": {"qemu": {"major": 7, "minor": 2}}, "capabilities": []}})
        self._send(f, {"event": "RESUME", "timestamp": {}})     # events are skipped
        for line in f:
            request = json.loads(line)
            self.commands.append(request)
            name, args = request["execute"], request.get("arguments", {})
            if name in self.fail and self.fail[name] is None:
                break                         # QEMU exits in the middle of this command
            if name in self.fail:
                reply = {"error": {"class": "GenericError", "desc": self.fail[name]}}
            elif name == "pmemsave":
                Path(args["filename"]).write_bytes(self.screen[:args["size"]])
                reply = {"return": {}}
            elif name == "human-monitor-command":
                reply = {"return": xp_text(self.screen)}
            elif name == "screendump":
                Path(args["filename"]).write_bytes(b"\x89PNG fake")
                reply = {"return": {}}
            else:
                reply = {"return": {}}
            reply["id"] = request.get("id")
            self._send(f, reply)
        f.close()
        self.sock.close()

    @staticmethod
    def _send(f, message: dict) -> None:
        f.write(json.dumps(message).encode() + b"\r\n")
        f.flush()

    def keys(self) -> list[list[str]]:
        return [[k["data"] for k in c["arguments"]["keys"]] for c in self.commands
                if c["execute"] == "send-key"]


def xp_text(screen: bytes) -> str:
    lines = []
    for offset in range(0, len(screen), 16):
        words = [int.from_bytes(screen[i:i + 2], "little") for i in range(offset, offset + 16, 2)]
        lines.append(f"{0xb8000 + offset:016x}: " + " ".join(f"0x{w:04x}" for w in words))
    return "\r\n".join(lines) + "\r\n"


def screen_with(rows: dict[int, str], attr: int = 0x07) -> bytes:
    data = bytearray()
    for row in range(25):
        text = rows.get(row, "").ljust(80)[:80]
        for ch in text:
            data += bytes([ord(ch), attr])
    return bytes(data)


def boot_monitor(specs: list[dict], tmp: Path, timeout: float = 60,
                 until_done: bool = True) -> tuple[list, list[str], int | None, Path]:
    """Boots the real ISO into the monitor (no test= word) with these peers. Stops when QEMU
    exits, or (until_done) once every peer finished its steps. Returns (peers, problems,
    exit status or None when stopped, test directory)."""
    _, cases = support.load_text('[suite]\nname = "peers"\n[[test]]\nname = "monitor"\n')
    options = RunOptions(root=support.ROOT, iso=ISO, out=Path(tmp), qemu=[QEMU])
    testdir = test_dir(options, cases[0])
    testdir.mkdir(parents=True)
    ctx = peers.PeerContext(root=support.ROOT, testdir=testdir, nonce="0123abcd", test_id="monitor")
    created = [make_peer(spec, ctx) for spec in specs]
    problems, status = [], None
    try:
        args = [a for p in created for a in p.prepare()]
        argv = build_command(cases[0], options, ctx.nonce, args)
        index = argv.index("-fw_cfg") + 1
        argv[index] = f"name={FW_CFG_NAME},string=nonce={ctx.nonce}"
        with open(testdir / "qemu-stderr.log", "wb") as err:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err)
        try:
            for peer in created:
                peer.started(proc.pid)
            deadline = time.monotonic() + timeout
            while proc.poll() is None and time.monotonic() < deadline:
                for peer in created:
                    peer.poll()
                if until_done and all(all(p.log.done) for p in created if hasattr(p, "log")):
                    time.sleep(0.3)
                    break
                time.sleep(0.05)
            status = proc.poll()
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
        for peer in created:
            problems += peer.finish()
    finally:
        for peer in created:
            peer.close()
        ctx.cleanup()
    return created, problems, status, testdir
