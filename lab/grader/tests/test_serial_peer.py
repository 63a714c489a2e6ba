"""The serial peer against a fake guest on the QEMU end of its socket: ready lines, scripted
input with backpressure, large transfers both ways, and the received-bytes checks."""
import hashlib
import tempfile
import threading
import time
import unittest
from pathlib import Path

from peer_support import arg_after, connect, make_ctx, make_peer
from harness import payload


class FakeGuest(threading.Thread):
    """Plays QEMU plus a guest: writes `script` one byte per send (as QEMU does), reads input
    at most 16 bytes at a time (a UART FIFO) with an optional pause, and echoes what it reads
    when `echo` is set. It stops after reading `expect_in` bytes, then closes (QEMU exits)."""

    def __init__(self, path, script=b"", expect_in=0, pause=0.0, echo=False, hold_open=0.0):
        super().__init__(daemon=True)
        self.sock = connect(path)
        self.script, self.expect_in, self.pause, self.echo = script, expect_in, pause, echo
        self.hold_open = hold_open
        self.got = bytearray()

    def run(self):
        for byte in self.script:
            self.sock.send(bytes([byte]))
        self.sock.settimeout(20)
        while len(self.got) < self.expect_in:
            chunk = self.sock.recv(16)
            if not chunk:
                break
            self.got += chunk
            if self.echo:
                self.sock.sendall(chunk)
            if self.pause:
                time.sleep(self.pause)
        time.sleep(self.hold_open)
        self.sock.close()


class SerialPeerTest(unittest.TestCase):
    def setUp(self):
        self.ctx = make_ctx(Path(tempfile.mkdtemp()))
        self.peer = None

    def tearDown(self):
        if self.peer is not None:
            self.peer.close()
        self.ctx.cleanup()

    def start(self, spec, **guest):
        self.peer = make_peer({"kind": "serial", **spec}, self.ctx)
        args = self.peer.prepare()
        self.assertIn("-serial", args)
        guest_thread = FakeGuest(arg_after(args, "-chardev", "socket,"), **guest)
        self.peer.started(1)
        guest_thread.start()
        return guest_thread

    def finish(self, guest, timeout=60):
        guest.join(timeout)
        self.assertFalse(guest.is_alive(), "the fake guest did not finish")
        return self.peer.finish()

    def test_waits_for_ready_then_types(self):
        script = b"booting\r\n@@CONDUIT ready name=tty nonce=feedf00d\r\n"
        spec = {"send": [{"after": "ready name=tty nonce=${nonce}", "data": "ls\b\u0015help\n"}],
                "expect_received": ["^booting\r$"], "reject_received": ["PANIC"]}
        guest = self.start(spec, script=script, expect_in=9)
        self.assertEqual(self.finish(guest), [])
        self.assertEqual(bytes(guest.got), b"ls\x08\x15help\n")
        self.assertEqual((self.ctx.testdir / "serial.log").read_bytes(), script)
        self.assertEqual((self.ctx.testdir / "serial-in.bin").read_bytes(), b"ls\x08\x15help\n")

    def test_ready_line_on_debugcon_and_step_order(self):
        (self.ctx.testdir / "debugcon.log").write_bytes(b"@@CONDUIT ready name=x nonce=feedf00d\n")
        spec = {"send": [{"after": "@@CONDUIT ready", "data": "a"},
                         {"after": "prompt> ", "hex": "00ff", "repeat": 2}]}
        guest = self.start(spec, script=b"prompt> ", expect_in=5)
        self.assertEqual(self.finish(guest), [])
        self.assertEqual(bytes(guest.got), b"a\x00\xff\x00\xff")

    def test_20000_bytes_into_a_slow_guest(self):
        data = payload.generate(20000, 1)
        spec = {"send": [{"after": "READY", "generate": {"bytes": 20000, "seed": 1}}]}
        guest = self.start(spec, script=b"READY\n", expect_in=20000, pause=0.0002)
        self.assertEqual(self.finish(guest), [])
        self.assertEqual(bytes(guest.got), data)

    def test_guest_echo_checked_byte_for_byte(self):
        spec = {"send": [{"after": "go\n", "generate": {"bytes": 3000, "seed": 5, "alphabet": "printable"}}],
                "expect_bytes": {"after": "go\n", "generate": {"bytes": 3000, "seed": 5, "alphabet": "printable"}}}
        guest = self.start(spec, script=b"go\n", expect_in=3000, echo=True, hold_open=0.2)
        self.assertEqual(self.finish(guest), [])

    def test_64k_from_the_guest(self):
        block = payload.generate(65536, 7)
        script = b"log line\r\ntx-begin\r\n" + block + b"\r\ntx-end\r\n"
        spec = {"expect_bytes": [
            {"after": "tx-begin\r\n", "length": 65536, "generate": {"bytes": 65536, "seed": 7}},
            {"after": "tx-begin\r\n", "before": "\r\ntx-end", "sha256": hashlib.sha256(block).hexdigest()},
            {"after": "tx-begin\r\n", "length": 65536, "sha256": hashlib.sha256(block).hexdigest()}]}
        guest = self.start(spec, script=script)
        self.assertEqual(self.finish(guest), [])
        self.assertEqual((self.ctx.testdir / "serial.log").read_bytes(), script)

    def test_corrupted_and_short_transfers(self):
        block = bytearray(payload.generate(4096, 7))
        block[1234] ^= 0xFF
        script = b"tx-begin\n" + bytes(block[:4000])
        want = {"bytes": 4096, "seed": 7}
        spec = {"expect_bytes": [{"after": r"tx-begin\n", "length": 1300, "generate": {"bytes": 1300, "seed": 7}},
                                 {"after": "tx-begin\n", "length": 1000, "generate": {"bytes": 1000, "seed": 7}},
                                 {"after": r"tx-begin\n", "length": 4096, "sha256": "0" * 64},
                                 {"after": "never", "generate": want}]}
        guest = self.start(spec, script=script)
        problems = self.finish(guest)
        self.assertEqual(len(problems), 3, problems)
        self.assertRegex(problems[0], r"COM1 output after /tx-begin\\n/: byte 1,234 is 0x[0-9a-f]{2}.*"
                                      r"expected 0x[0-9a-f]{2}.*the first 1,234 bytes match")
        self.assertIn("received 4,000 bytes, expected 4,096", problems[1])
        self.assertIn("the guest never sent /never/ on COM1", problems[2])

    def test_short_by_missing_tail(self):
        problem = payload.compare(b"abc", b"abcdef", "COM1 output")
        self.assertEqual(problem, "COM1 output: received only 3 of 6 bytes (all 3 match; the rest never arrived)")

    def test_step_never_sent_is_reported(self):
        spec = {"send": [{"after": "@@CONDUIT ready", "generate": {"bytes": 20000, "seed": 1}}],
                "expect_received": ["Commands:"]}
        guest = self.start(spec, script=b"no ready line here\n")
        problems = self.finish(guest)
        self.assertEqual(problems[0], "COM1 input step 1 (20,000 bytes) was never sent: the guest "
                                      "never printed /@@CONDUIT ready/ (on the debug console or COM1)")
        self.assertIn("nothing the guest sent on COM1 matched /Commands:/", problems[1])

    def test_guest_that_stops_reading(self):
        spec = {"send": [{"generate": {"bytes": 200000, "seed": 1}}]}
        guest = self.start(spec, expect_in=100, hold_open=0.5)
        problems = self.finish(guest)
        self.assertEqual(len(problems), 1)
        self.assertRegex(problems[0], r"COM1 input step 1 \(200,000 bytes\) did not complete "
                                      r"\((the guest took only [\d,]+ of 200,000 bytes|COM1 closed after)")

    def test_progress_and_reject(self):
        spec = {"reject_received": ["PANIC: .*"]}
        guest = self.start(spec, script=b"PANIC: oops\n")
        guest.join(10)
        deadline = time.monotonic() + 5
        while not self.peer.poll() and time.monotonic() < deadline:
            time.sleep(0.01)
        problems = self.peer.finish()
        self.assertEqual(problems, ["COM1 output must not match /PANIC: .*/, but the guest sent b'PANIC: oops'"])

    def test_qemu_never_connects(self):
        self.peer = make_peer({"kind": "serial", "send": [{"data": "x"}]}, self.ctx)
        self.peer.prepare()
        self.peer.started(1)
        self.assertEqual(self.peer.finish(), ["QEMU never connected to the COM1 socket (see qemu-stderr.log)"])

    def test_missing_data_file_fails_setup(self):
        from harness.peers import PeerError
        self.peer = make_peer({"kind": "serial", "send": [{"data_file": "nope.bin"}]}, self.ctx)
        with self.assertRaises(PeerError):
            self.peer.prepare()


class Generator(unittest.TestCase):
    def test_documented_sequence(self):
        # The first values of xorshift32 from 1, as a kernel test would compute them.
        x, expect = 1, []
        for _ in range(4):
            x ^= (x << 13) & 0xFFFFFFFF
            x ^= x >> 17
            x ^= (x << 5) & 0xFFFFFFFF
            expect.append(x & 0xFF)
        self.assertEqual(list(payload.generate(4, 1)), expect)
        self.assertEqual(payload.generate(4, 0), payload.generate(4, 0x2545F491))

    def test_alphabets(self):
        printable = payload.generate(5000, 3, "printable")
        self.assertTrue(all(0x20 <= b < 0x7F for b in printable))
        lines = payload.generate(640, 3, "lines")
        self.assertEqual(lines.count(b"\n"), 10)
        self.assertEqual(lines[63:64], b"\n")
        self.assertTrue(lines.replace(b"\n", b"").isalnum())


if __name__ == "__main__":
    unittest.main()
