"""The `serial` peer: COM1 as a socket. It types scripted input into the guest and checks the
bytes the guest sent.

    [[test.peer]]
    kind = "serial"
    send = [
      { after = '@@CONDUIT ready name=uart_rx nonce=${nonce}', generate = { bytes = 20000, seed = 1 } },
      { after = 'conduit> ', data = "help\\n" },
    ]
    expect_received = ['Commands:']               # regexes over everything COM1 received
    expect_bytes = { after = 'tx-begin\\r?\\n', length = 65536, generate = { bytes = 65536, seed = 7 } }

`seed = "run"` instead of a number: a seed the grader picks per run (payload.py); the test
passes it to the guest with `cmdline = "ktest.seed=${seed}"`.

The `serial2` kind is the same peer on COM2 (com2.log, com2-in.bin), with COM1 a plain file
(serial.log) as in a run without a peer: for a second UART, such as lab 9's user-mode driver.
A run has either a `serial` or a `serial2` peer.

The grader listens on a unix socket and QEMU connects to it as a client at start-up
(`-chardev socket,id=conduit_com1,path=SOCK -serial chardev:conduit_com1`). That way no guest
output can be lost before the grader is connected, which `server=on,wait=off` would allow.
Everything received is written to serial.log as it arrives (the runner and the `expect`
patterns read it as usual), and everything sent is appended to serial-in.bin.

Backpressure works both ways: QEMU reads the socket only while the UART's receive FIFO has
room, so sending is a plain blocking write, and QEMU writes a byte only when the socket takes
it (THRE stays clear meanwhile), so the receiver must always be reading: one unread byte per
UART write fills a unix socket after about 270 bytes.
"""
from __future__ import annotations

import select
import socket
import threading
from pathlib import Path

from . import payload, watch
from .peers import Peer, PeerError, register

CHUNK = 4096
STEP_KEYS = {"after", "delay", "repeat", *payload.PAYLOAD_KEYS}
EXPECT_BYTES_KEYS = {"after", "before", "length", "sha256", "repeat", *payload.PAYLOAD_KEYS}


def _check_step(step, index: int) -> None:
    what = f"send step {index + 1}"
    if not isinstance(step, dict):
        raise ValueError(f"{what} must be a table, e.g. {{ after = '...', data = \"...\" }}")
    unknown = sorted(set(step) - STEP_KEYS)
    if unknown:
        raise ValueError(f"{what}: unknown key '{unknown[0]}' (known: {', '.join(sorted(STEP_KEYS))})")
    if "after" in step:
        watch.check_regex(step["after"], f"{what} 'after'")
    delay = step.get("delay", 0)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
        raise ValueError(f"{what}: 'delay' must be a non-negative number of seconds")
    payload.check(step, what)


def _check_expect_bytes(table, index: int) -> None:
    what = f"expect_bytes #{index + 1}"
    if not isinstance(table, dict):
        raise ValueError(f"{what} must be a table")
    unknown = sorted(set(table) - EXPECT_BYTES_KEYS)
    if unknown:
        raise ValueError(f"{what}: unknown key '{unknown[0]}' (known: {', '.join(sorted(EXPECT_BYTES_KEYS))})")
    for key in ("after", "before"):
        if key in table:
            watch.check_regex(table[key], f"{what} '{key}'")
    length = table.get("length")
    if length is not None and (not isinstance(length, int) or isinstance(length, bool) or length < 0):
        raise ValueError(f"{what}: 'length' must be a non-negative integer")
    if "sha256" in table:
        if not isinstance(table["sha256"], str) or not payload.SHA256_RE.match(table["sha256"]):
            raise ValueError(f"{what}: 'sha256' must be 64 hex digits")
        if any(k in table for k in payload.PAYLOAD_KEYS):
            raise ValueError(f"{what}: give either sha256 or the expected bytes, not both")
    else:
        payload.check(table, what, required=False)
        if length is None and not any(k in table for k in payload.PAYLOAD_KEYS):
            raise ValueError(f"{what}: say what to expect: sha256, length or the bytes "
                             f"({', '.join(payload.PAYLOAD_KEYS)})")


def _bytes_tables(spec: dict) -> list:
    value = spec.get("expect_bytes", [])
    return [value] if isinstance(value, dict) else list(value)


@register
class SerialPeer(Peer):
    kind = "serial"
    unique = True
    schema = {"send": (list, False), "expect_received": (list, False),
              "reject_received": (list, False), "expect_bytes": ((dict, list), False)}

    @classmethod
    def check(cls, spec: dict) -> None:
        for index, step in enumerate(spec.get("send", [])):
            _check_step(step, index)
        for key in ("expect_received", "reject_received"):
            for pattern in spec.get(key, []):
                watch.check_regex(pattern, f"'{key}'")
        for index, table in enumerate(_bytes_tables(spec)):
            _check_expect_bytes(table, index)

    # Which UART this peer is, and the names of its files, socket and chardev.
    port = "COM1"
    log_name = "serial.log"
    input_name = "serial-in.bin"
    socket_name = "com1.sock"
    chardev = "conduit_com1"

    def __init__(self, spec: dict, ctx):
        super().__init__(spec, ctx)
        self.steps = list(spec.get("send", []))
        self.log = watch.StepLog(len(self.steps))
        self.stop = threading.Event()
        self.listener: socket.socket | None = None
        self.conn: socket.socket | None = None
        self.threads: list[threading.Thread] = []
        self.received = self.sent = self._seen = 0
        self.data: list[bytes] = []

    # --- life cycle -----------------------------------------------------------------------

    def prepare(self) -> list[str]:
        try:
            self.data = [payload.resolve(step, self.ctx.root, self.ctx.seed) for step in self.steps]
        except OSError as err:
            raise PeerError(f"serial peer: cannot read {err.filename}: {err.strerror}") from None
        self.serial_log = open(self.ctx.testdir / self.log_name, "wb")
        self.input_log = open(self.ctx.testdir / self.input_name, "wb")
        path = self.ctx.short_dir() / self.socket_name
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(1)
        self.listener.settimeout(0.1)
        escaped = str(path).replace(",", ",,")
        return self._qemu_args(escaped)

    def _qemu_args(self, escaped_path: str) -> list[str]:
        return ["-chardev", f"socket,id={self.chardev},path={escaped_path}", "-serial", f"chardev:{self.chardev}"]

    def started(self, pid: int) -> None:
        thread = threading.Thread(target=self._main, name="serial-peer", daemon=True)
        self.threads.append(thread)
        thread.start()

    def poll(self) -> bool:
        now = self.received + self.sent
        progressed, self._seen = now != self._seen, now
        return progressed

    def finish(self) -> list[str]:
        # QEMU has stopped: the receiver reads to EOF, then the sender is told to give up.
        for thread in self.threads[1:]:
            thread.join(timeout=2)
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=2)
        self.serial_log.flush()
        if self.conn is None:
            return [f"QEMU never connected to the {self.port} socket (see qemu-stderr.log)"]
        problems = self.log.unfinished(self._describe_step, lambda i: self.steps[i].get("after"))
        return problems + self._check_received()

    def close(self) -> None:
        self.stop.set()
        for sock in (self.conn, self.listener):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        for thread in self.threads:
            thread.join(timeout=2)
        for sock in (self.conn, self.listener):
            if sock is not None:
                sock.close()
        for name in ("serial_log", "input_log"):
            if hasattr(self, name):
                getattr(self, name).close()

    # --- threads ------------------------------------------------------------------------

    def _main(self) -> None:
        self.conn = watch.accept_until_stopped(self.listener, self.stop)
        if self.conn is None:
            return
        self.conn.setblocking(True)
        # A small send buffer keeps "sent" close to "taken by the guest" in the report.
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16 << 10)
        receiver = threading.Thread(target=self._receive, name="serial-rx", daemon=True)
        self.threads.append(receiver)
        receiver.start()
        outputs = watch.OutputWatch(self.ctx.testdir, self.stop)
        try:
            self._run_steps(outputs)
        finally:
            outputs.close()

    def _receive(self) -> None:
        while True:
            try:
                chunk = self.conn.recv(1 << 16)
            except OSError:
                return
            if not chunk:
                return
            self.serial_log.write(chunk)
            self.serial_log.flush()
            self.received += len(chunk)

    def _run_steps(self, outputs: watch.OutputWatch) -> None:
        for index, step in enumerate(self.steps):
            self.log.state[index] = "waiting"
            if "after" in step:
                regex = watch.compile_for_run(step["after"], self.ctx.nonce, self.ctx.test_id)
                if not outputs.wait(regex):
                    return
            if not watch.sleep(self.stop, float(step.get("delay", 0))):
                return
            self.log.state[index] = "sending"
            if not self._send(self.data[index], index):
                return
            self.log.done[index] = True

    def _send(self, data: bytes, index: int) -> bool:
        view, offset = memoryview(data), 0
        while offset < len(data):
            if self.stop.is_set():
                self.log.state[index] = f"the guest took only {offset:,} of {len(data):,} bytes"
                return False
            try:
                _, writable, _ = select.select([], [self.conn], [], 0.1)
                if not writable:
                    continue
                count = self.conn.send(view[offset:offset + CHUNK], socket.MSG_DONTWAIT)
            except BlockingIOError:
                continue
            except OSError as err:
                self.log.state[index] = f"{self.port} closed after {offset:,} bytes ({err.strerror})"
                return False
            self.input_log.write(view[offset:offset + count])
            offset += count
            self.sent += count
        self.input_log.flush()
        return True

    # --- report -------------------------------------------------------------------------

    def _describe_step(self, index: int) -> str:
        data = self.data[index] if index < len(self.data) else b""
        return f"{self.port} input step {index + 1} ({payload.describe(data or b'')})"

    def _check_received(self) -> list[str]:
        received = (self.ctx.testdir / self.log_name).read_bytes()
        problems = []
        for pattern in self.spec.get("expect_received", []):
            if not watch.compile_for_run(pattern, self.ctx.nonce, self.ctx.test_id).search(received):
                problems.append(f"nothing the guest sent on {self.port} matched /{watch.show(pattern)}/ "
                                f"({len(received):,} bytes received, see {self.log_name})")
        for pattern in self.spec.get("reject_received", []):
            match = watch.compile_for_run(pattern, self.ctx.nonce, self.ctx.test_id).search(received)
            if match:
                problems.append(f"{self.port} output must not match /{watch.show(pattern)}/, but the guest sent "
                                f"{bytes(match.group(0)[:60])!r}")
        for table in _bytes_tables(self.spec):
            problem = self._check_bytes(received, table)
            if problem:
                problems.append(problem)
        return problems

    def _check_bytes(self, received: bytes, table: dict) -> str | None:
        start, label = 0, f"{self.port} output"
        if "after" in table:
            match = watch.compile_for_run(table["after"], self.ctx.nonce, self.ctx.test_id).search(received)
            if match is None:
                return (f"the guest never sent /{watch.show(table['after'])}/ on {self.port}, "
                        "so the bytes after it cannot be checked")
            start, label = match.end(), f"{self.port} output after /{watch.show(table['after'])}/"
        end = len(received)
        if "before" in table:
            regex = watch.compile_for_run(table["before"], self.ctx.nonce, self.ctx.test_id)
            match = regex.search(received, start)
            if match is None:
                return f"{label}: the end marker /{watch.show(table['before'])}/ never came"
            end = match.start()
        length = table.get("length")
        got = received[start:end if length is None else min(end, start + length)]
        if "sha256" in table:
            return payload.digest_problem(got, table["sha256"], length, label)
        try:
            want = payload.resolve(table, self.ctx.root, self.ctx.seed)
        except OSError as err:
            return f"cannot read the expected bytes {err.filename}: {err.strerror}"
        if want is None:
            return None if len(got) == length else \
                f"{label}: received {len(got):,} bytes, expected {length:,}"
        return payload.compare(got, want, label)


@register
class Com2Peer(SerialPeer):
    """`serial2`: the serial peer on COM2. COM1 stays a file (serial.log), so the guest's COM1
    lines still serve as `after` markers."""
    kind = "serial2"
    port = "COM2"
    log_name = "com2.log"
    input_name = "com2-in.bin"
    socket_name = "com2.sock"
    chardev = "conduit_com2"

    def _qemu_args(self, escaped_path: str) -> list[str]:
        return ["-serial", f"file:{self.ctx.testdir / 'serial.log'}", *super()._qemu_args(escaped_path)]
