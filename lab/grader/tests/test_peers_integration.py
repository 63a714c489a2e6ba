"""The serial, qmp and trace peers against the real kernel in real QEMU.

Skipped without build/conduit.iso (or CONDUIT_GRADER_ISO) or QEMU. The kernel's monitor reads
COM1 only (polled), so keystrokes sent through QMP are checked where they do arrive: in the
PS/2 controller, through the ps2_put_keycode trace event.
"""
import json
import shutil
import tempfile
import textwrap
import unittest
from pathlib import Path

from peer_support import ISO, QEMU, boot_monitor
from support import run_grader
from harness import keys


@unittest.skipUnless(ISO.is_file(), f"no kernel ISO at {ISO} (build it with make)")
@unittest.skipUnless(QEMU, "qemu-system-x86_64 is not installed")
class RealQemuPeers(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="grader-peers-"))
        self.addCleanup(shutil.rmtree, self.tmp, True)

    def test_monitor_over_the_serial_socket(self):
        serial = {"kind": "serial",
                  "send": [{"after": "conduit> ", "data": "help\n"},
                           {"after": "conduit> ", "data": "poweroff\n"}],
                  "expect_received": [r"Commands:\r?\n", r"  help +list the monitor's commands"],
                  "expect_bytes": {"after": "poweroff\r?\n", "data": "Powering off.\r\n"}}
        _, problems, status, testdir = boot_monitor([serial], self.tmp, until_done=False)
        self.assertEqual(problems, [])
        self.assertEqual(status, 39, "the monitor's poweroff exits QEMU with status 39")
        self.assertIn(b"conduit> help\r\nCommands:", (testdir / "serial.log").read_bytes())
        self.assertEqual((testdir / "serial-in.bin").read_bytes(), b"help\npoweroff\n")

    def test_qmp_keys_reach_the_keyboard_and_vga_decodes(self):
        text = "tests\n"
        # Scan code set 2 as QEMU generates it: one byte per make, two (F0 xx) per break.
        codes = sum(3 * len(combo) for combo in keys.text_keys(text) + [["shift", "a"]])
        qmp = {"kind": "qmp", "hold_ms": 10, "screendump": True,
               "steps": [{"after": "conduit> ", "type": text}, {"keys": ["shift-a"]},
                         {"vga": True}, {"hmp": "info status"}],
               "expect_vga": [r"\S"]}
        trace = {"kind": "trace", "events": [],
                 "checks": [{"event": "ps2_put_keycode", "min_count": codes, "max_count": codes}]}
        _, problems, _, testdir = boot_monitor([qmp, trace], self.tmp)
        self.assertEqual(problems, [])
        self.assertEqual(len((testdir / "vga-1.bin").read_bytes()), 4000)
        self.assertEqual(len((testdir / "vga.txt").read_text().splitlines()), 25)
        self.assertTrue((testdir / "screen-1.png").read_bytes().startswith(b"\x89PNG"))
        self.assertIn("running", (testdir / "qmp.log").read_text())

    def test_mechanism_checks_through_the_grader(self):
        rubric = self.tmp / "rubric.toml"
        rubric.write_text(textwrap.dedent("""
            [suite]
            name = "peers"
            [qemu]
            timeout = 10
            [[test]]
            name = "boot_constructors_ran"
            trace = ["serial_write"]
            [[test.mechanism]]
            description = "the early console writes COM1 with port I/O"
            event = "serial_write"
            where = { addr = 0 }
            min_count = 1
            [[test.mechanism]]
            description = "the polled console reads LSR between the banner and the summary"
            event = "serial_read"
            where = { addr = 5 }
            from = '^Conduit: an I/O teaching kernel'
            to = '^tests: '
            min_count = 1
            [[test.peer]]
            kind = "serial"
            expect_received = ['test boot_constructors_ran: PASS']
            [[test.variant]]
            name = "polling"
            [[test.variant.mechanism]]
            description = "pretend this is the irq-mode test"
            event = "serial_read"
            where = { addr = 5 }
            max_count = 3
            message = "your driver read LSR {count} times: it is polling, not waiting for interrupts"
            """))
        # A variant cannot set expect_outcome, so the failing one is checked in results.json.
        out = self.tmp / "out"
        proc = run_grader("--suite", str(rubric), "--iso", str(ISO), "--qemu", QEMU, "--out", str(out))
        doc = json.loads((out / "results.json").read_text())
        by_id = {t["id"]: t for t in doc["tests"]}
        self.assertEqual(by_id["boot_constructors_ran"]["verdict"], "pass", proc.stdout)
        failed = by_id["boot_constructors_ran@polling"]
        self.assertEqual(failed["verdict"], "fail")
        self.assertRegex(failed["verdict_reason"], r"^pretend this is the irq-mode test: your driver "
                                                   r"read LSR [\d,]+ times: it is polling")
        testdir = Path(by_id["boot_constructors_ran"]["logdir"])
        self.assertIn("serial_write", (testdir / "trace.log").read_text())
        self.assertIn("CPU Reset", (testdir / "qemu.log").read_text())


if __name__ == "__main__":
    unittest.main()
