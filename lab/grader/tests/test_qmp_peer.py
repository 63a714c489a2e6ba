"""The qmp peer against a fake QMP server on the QEMU end of its socket: the handshake, keys
typed after a ready line, VGA snapshots (pmemsave, and xp as the fallback), errors."""
import json
import socket
import tempfile
import threading
import time
import unittest
from pathlib import Path

from peer_support import FakeQmpServer, arg_after, make_ctx, make_peer, screen_with
from harness.qmp import QmpClient, QmpError

SCREEN = screen_with({0: "conduit> Hello, World", 1: "ok"})


class QmpPeerTest(unittest.TestCase):
    def setUp(self):
        self.ctx = make_ctx(Path(tempfile.mkdtemp()))
        self.peer = None

    def tearDown(self):
        if self.peer is not None:
            self.peer.close()
        self.ctx.cleanup()

    def run_peer(self, spec, ready=b"", fail=None, wait_for=None):
        self.peer = make_peer({"kind": "qmp", "hold_ms": 1, "gap_ms": 0, **spec}, self.ctx)
        args = self.peer.prepare()
        self.assertEqual(args[-2:], ["-mon", "chardev=conduit_qmp,mode=control"])
        server = FakeQmpServer(arg_after(args, "-chardev", "socket,"), SCREEN, fail)
        server.start()
        self.peer.started(1)
        (self.ctx.testdir / "debugcon.log").write_bytes(ready)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(self.peer.log.done) and not self.peer.log.error:
            if wait_for is not None and wait_for(server):
                break
            time.sleep(0.01)
        problems = self.peer.finish()
        return server, problems

    def test_types_after_ready_and_reads_the_screen(self):
        spec = {"steps": [{"after": "@@CONDUIT ready name=kbd nonce=${nonce}", "type": "Hi!\n"},
                          {"keys": ["ctrl-u", "caps_lock", "shift-a"]},
                          {"vga": ["^ok$"]},
                          {"hmp": "info pic"}],
                "expect_vga": [r"^conduit> Hello, World$"], "reject_vga": ["PANIC"], "screendump": True}
        server, problems = self.run_peer(spec, ready=b"@@CONDUIT ready name=kbd nonce=feedf00d\n")
        self.assertEqual(problems, [])
        self.assertEqual(server.keys(), [["shift", "h"], ["i"], ["shift", "1"], ["ret"],
                                         ["ctrl", "u"], ["caps_lock"], ["shift", "a"]])
        names = [c["execute"] for c in server.commands]
        self.assertEqual(names[0], "qmp_capabilities")
        self.assertEqual(names[-3:], ["pmemsave", "screendump", "human-monitor-command"])
        send_key = next(c for c in server.commands if c["execute"] == "send-key")
        self.assertEqual(send_key["arguments"]["hold-time"], 1)
        out = self.ctx.testdir
        self.assertEqual((out / "vga.txt").read_text().splitlines()[:2], ["conduit> Hello, World", "ok"])
        self.assertEqual((out / "vga-1.bin").read_bytes(), SCREEN)
        self.assertTrue((out / "screen-1.png").is_file())
        self.assertTrue((out / "vga-1.attr.txt").read_text().startswith("07 07"))
        self.assertIn('"execute": "send-key"', (out / "qmp.log").read_text())

    def test_no_keys_before_the_ready_line(self):
        spec = {"steps": [{"after": "@@CONDUIT ready", "type": "x"}]}
        def connected_a_while_ago(server):
            if not server.commands:          # not even qmp_capabilities yet
                return False
            time.sleep(0.3)
            return True

        server, problems = self.run_peer(spec, ready=b"booting\n", wait_for=connected_a_while_ago)
        self.assertEqual(server.keys(), [])
        self.assertEqual(problems, ["keyboard step 1 (typing 'x') was never sent: the guest never "
                                    "printed /@@CONDUIT ready/ (on the debug console or COM1)"])

    def test_xp_fallback_and_failed_expectations(self):
        spec = {"steps": [{"vga": True}], "expect_vga": ["^Goodbye"]}
        server, problems = self.run_peer(spec, fail={"pmemsave": "no such file"})
        self.assertEqual((self.ctx.testdir / "vga-1.bin").read_bytes(), SCREEN)
        self.assertEqual(len(problems), 1)
        self.assertIn("the VGA screen (vga.txt) has no line matching /^Goodbye/", problems[0])
        self.assertIn("'conduit> Hello, World' | 'ok'", problems[0])

    def test_qemu_error_is_a_problem(self):
        spec = {"steps": [{"keys": ["a"]}, {"keys": ["b"]}]}
        _, problems = self.run_peer(spec, fail={"send-key": "Invalid parameter 'hold-time'"})
        self.assertEqual(problems, ["QMP: send-key: Invalid parameter 'hold-time'"])

    def test_qemu_exits_during_a_step(self):
        spec = {"steps": [{"keys": ["a"]}, {"vga": True}]}
        _, problems = self.run_peer(spec, fail={"pmemsave": None})
        self.assertEqual(problems, ["step 2 (VGA snapshot) could not finish: QEMU exited meanwhile. "
                                    "The test must keep running (e.g. wait for a last key) until "
                                    "the grader is done"])

    def test_qemu_never_connects(self):
        self.peer = make_peer({"kind": "qmp", "steps": [{"keys": ["a"]}]}, self.ctx)
        self.peer.prepare()
        self.peer.started(1)
        self.assertEqual(self.peer.finish(), ["QEMU never connected to the QMP socket (see qemu-stderr.log)"])


class Client(unittest.TestCase):
    def pair(self, replies):
        ours, theirs = socket.socketpair()

        def serve():
            f = theirs.makefile("rwb")
            for reply in replies:
                if reply is None:
                    f.close()
                    theirs.close()
                    return
                f.write((reply if isinstance(reply, str) else json.dumps(reply)).encode() + b"\n")
                f.flush()
            time.sleep(0.5)
            f.close()
            theirs.close()

        threading.Thread(target=serve, daemon=True).start()
        self.addCleanup(ours.close)
        return QmpClient(ours)

    def test_skips_events_and_mismatched_ids(self):
        client = self.pair([{"QMP": {}}, {"return": {}, "id": 1}, {"event": "STOP"},
                            {"return": "old", "id": 99}, {"return": "text", "id": 2}])
        client.handshake()
        self.assertEqual(client.hmp("info status"), "text")

    def test_errors(self):
        with self.assertRaisesRegex(QmpError, "expected the QMP greeting"):
            self.pair([{"return": {}}]).handshake()
        with self.assertRaisesRegex(QmpError, "not JSON"):
            self.pair(["garbage"]).handshake()
        with self.assertRaisesRegex(QmpError, "closed the QMP connection"):
            self.pair([None]).handshake()
        with self.assertRaisesRegex(QmpError, "no answer"):
            self.pair([{"QMP": {}}]).handshake(timeout=0.2)


if __name__ == "__main__":
    unittest.main()
