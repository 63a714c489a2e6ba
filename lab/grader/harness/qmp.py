"""A small QMP client: the greeting, qmp_capabilities, and commands matched to replies by id.

QMP is JSON, one message per line. QEMU greets with {"QMP": {...}}, accepts nothing but
qmp_capabilities until then, answers each command with {"return": ...} or {"error": {"class",
"desc"}} carrying the command's "id", and may interleave asynchronous {"event": ...} messages,
which are logged and otherwise ignored. Every message in either direction is written to the
log file (qmp.log in the test directory) so a student can see what the grader did.
"""
from __future__ import annotations

import json
import socket
import time


class QmpError(Exception):
    """QEMU refused a command, or the connection broke (`disconnected`: QEMU has most likely
    exited); the message is QEMU's description."""

    def __init__(self, message: str, disconnected: bool = False):
        super().__init__(message)
        self.disconnected = disconnected


class QmpClient:
    def __init__(self, sock: socket.socket, log=None):
        self.sock = sock
        self.log = log
        self.buffer = b""
        self.next_id = 0

    def _note(self, direction: str, text: str) -> None:
        if self.log is not None:
            self.log.write(f"{time.strftime('%H:%M:%S')} {direction} {text}\n")
            self.log.flush()

    def _read_message(self, deadline: float) -> dict:
        while b"\n" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise QmpError("no answer from QEMU's QMP monitor in time")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(1 << 16)
            except socket.timeout:
                continue
            except OSError as err:
                raise QmpError(f"QMP connection failed: {err.strerror or err}", True) from None
            if not chunk:
                raise QmpError("QEMU closed the QMP connection (did it exit?)", True)
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        text = line.decode("utf-8", errors="replace").strip()
        self._note("<-", text)
        try:
            message = json.loads(text)
        except json.JSONDecodeError:
            raise QmpError(f"QMP sent something that is not JSON: {text[:80]!r}") from None
        if not isinstance(message, dict):
            raise QmpError(f"unexpected QMP message: {text[:80]!r}")
        return message

    def handshake(self, timeout: float = 10.0) -> dict:
        deadline = time.monotonic() + timeout
        greeting = self._read_message(deadline)
        if "QMP" not in greeting:
            raise QmpError(f"expected the QMP greeting, got {json.dumps(greeting)[:80]}")
        self.execute("qmp_capabilities", timeout=timeout)
        return greeting["QMP"]

    def execute(self, command: str, arguments: dict | None = None, timeout: float = 10.0):
        """Runs one command; returns its "return" value or raises QmpError."""
        self.next_id += 1
        request = {"execute": command, "id": self.next_id}
        if arguments:
            request["arguments"] = arguments
        text = json.dumps(request)
        self._note("->", text)
        try:
            self.sock.sendall(text.encode() + b"\n")
        except OSError as err:
            raise QmpError(f"cannot send to QMP: {err.strerror or err}", True) from None
        deadline = time.monotonic() + timeout
        while True:
            message = self._read_message(deadline)
            if "event" in message or message.get("id") != self.next_id:
                continue
            if "error" in message:
                error = message["error"]
                raise QmpError(f"{command}: {error.get('desc', error)}")
            return message.get("return")

    def hmp(self, command_line: str, timeout: float = 10.0) -> str:
        """A human-monitor command (e.g. "xp /2000hx 0xb8000"); returns its text output."""
        return self.execute("human-monitor-command", {"command-line": command_line}, timeout) or ""

    def send_key(self, keys: list[str], hold_ms: int) -> None:
        self.execute("send-key", {"keys": [{"type": "qcode", "data": k} for k in keys],
                                  "hold-time": hold_ms})
