"""Rubric schema for the serial, qmp and trace peers and [[test.mechanism]]; the QEMU options
the peers take over."""
import re
import unittest
from pathlib import Path

import support
from support import load_text, one_case
from harness import peers
from harness.qemu import RunOptions, build_command
from harness.rubric import RubricError

SERIAL_OK = """
[[test.peer]]
kind = "serial"
send = [
  { after = '@@CONDUIT ready name=uart nonce=${nonce}', data = "ab\\b\\u0015cd\\n" },
  { after = 'conduit> ', hex = "de ad be ef", repeat = 3, delay = 0.5 },
  { generate = { bytes = 20000, seed = 1, alphabet = "lines" } },
]
expect_received = ['Commands:']
reject_received = ['PANIC']
expect_bytes = [
  { after = 'tx-begin\\r?\\n', length = 65536, generate = { bytes = 65536, seed = 7 } },
  { after = 'sum ', length = 4, sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" },
]
"""


def error_of(extra: str) -> str:
    with unittest.TestCase().assertRaises(RubricError) as ctx:
        one_case(extra)
    return str(ctx.exception)


class SerialSchema(unittest.TestCase):
    def test_valid_spec_loads(self):
        case = one_case(SERIAL_OK)
        spec = case.peers[0]
        self.assertEqual(spec["kind"], "serial")
        self.assertEqual(len(spec["send"]), 3)

    def test_single_expect_bytes_table(self):
        one_case('[[test.peer]]\nkind = "serial"\nexpect_bytes = { length = 10 }')

    def test_errors(self):
        cases = {
            'send = [{ after = "x", text = "a" }]': "unknown key 'text'",
            'send = [{ data = "a", hex = "00" }]': "only one of",
            'send = [{ after = "x" }]': "say what to send",
            'send = [{ after = "(", data = "a" }]': "bad regex",
            'send = [{ generate = { bytes = 0 } }]': "generate.bytes",
            'send = [{ generate = { bytes = 5, alphabet = "emoji" } }]': "alphabet",
            'send = [{ hex = "zz" }]': "not hex",
            'send = [{ data = "a", repeat = 0 }]': "repeat",
            'send = [{ data = "a", delay = -1 }]': "delay",
            'send = ["a"]': "must be a table",
            'expect_bytes = { sha256 = "abc" }': "64 hex digits",
            'expect_bytes = { sha256 = "' + "0" * 64 + '", data = "a" }': "not both",
            'expect_bytes = { after = "x" }': "say what to expect",
            'expect_received = ["("]': "bad regex",
            'expect_bytes = 3': "must be dict or list",
        }
        for body, fragment in cases.items():
            with self.subTest(body=body):
                self.assertIn(fragment, error_of(f'[[test.peer]]\nkind = "serial"\n{body}'))

    def test_only_one_serial_peer(self):
        text = '[[test.peer]]\nkind = "serial"\n[[test.peer]]\nkind = "serial"\n'
        self.assertIn("more than one 'serial' peer", error_of(text))


class QmpSchema(unittest.TestCase):
    def test_valid(self):
        case = one_case("""
            [[test.peer]]
            kind = "qmp"
            hold_ms = 10
            screendump = true
            steps = [
              { after = 'ready', type = "Hello, World\\n" },
              { keys = ["ctrl-u", "shift-a", "caps_lock", "ret", "Enter"] },
              { vga = ['^Hello'] },
              { vga = true, delay = 0.2 },
              { hmp = "info pic" },
            ]
            expect_vga = ['World']
            reject_vga = ['PANIC']
            """)
        self.assertEqual(case.peers[0]["kind"], "qmp")

    def test_errors(self):
        cases = {
            'steps = [{ keys = ["shft-a"] }]': "'shft' in 'shft-a' is not a QEMU key name",
            'steps = [{ type = "caf\u00e9" }]': "cannot type",
            'steps = [{ type = "a", keys = ["b"] }]': "one action per step",
            'steps = [{ keys = "a" }]': "list of key names",
            'steps = [{ vga = "yes" }]': "'vga' must be true",
            'hold_ms = 0': "hold_ms",
            'expect_vga = ["x"]': "needs a step with vga = true",
            'steps = [{ press = "a" }]': "unknown key 'press'",
        }
        for body, fragment in cases.items():
            with self.subTest(body=body):
                self.assertIn(fragment, error_of(f'[[test.peer]]\nkind = "qmp"\n{body}'))


MECHANISM = """
trace = ["serial_write"]
[[test.mechanism]]
description = "no LSR polling"
event = "serial_read"
where = { addr = 5 }
from = 'tx-begin'
to = 'tx-end'
max_count = 200
message = "your driver read LSR {count} times"
"""


class MechanismSchema(unittest.TestCase):
    def test_becomes_one_trace_peer(self):
        case = one_case(MECHANISM)
        trace = [p for p in case.peers if p["kind"] == "trace"]
        self.assertEqual(len(trace), 1)
        self.assertEqual(trace[0]["events"], ["serial_write"])
        self.assertEqual(trace[0]["checks"][0]["event"], "serial_read")

    def test_variant_adds_checks(self):
        _, cases = load_text(f"""
            [suite]
            name = "s"
            [[test]]
            name = "uart_tx"
            {MECHANISM}
            [[test.variant]]
            name = "irq"
            cmdline = "uart.mode=irq"
            trace = ["pic_*"]
            [[test.variant.mechanism]]
            event = "pic_ioport_write"
            min_count = 1
            """)
        base, irq = cases
        base_trace = [p for p in base.peers if p["kind"] == "trace"][0]
        irq_trace = [p for p in irq.peers if p["kind"] == "trace"][0]
        self.assertEqual(len(base_trace["checks"]), 1)
        self.assertEqual(len(irq_trace["checks"]), 2)
        self.assertEqual(irq_trace["events"], ["serial_write", "pic_*"])

    def test_no_trace_no_peer(self):
        self.assertEqual(one_case().peers, ())

    def test_errors(self):
        cases = {
            "[[test.mechanism]]\nmax_count = 1": "'event' is required",
            '[[test.mechanism]]\nevent = "serial_read"': "max_count, min_count or forbid",
            '[[test.mechanism]]\nevent = "serial_read"\nforbid = true\nmax_count = 2': "forbid",
            '[[test.mechanism]]\nevent = "serial_read"\nmax_count = 1\nwhen = 3': "unknown key 'when'",
            '[[test.mechanism]]\nevent = "serial_read"\nmax_count = -1': "non-negative",
            '[[test.mechanism]]\nevent = "serial_read"\nmin_count = 5\nmax_count = 1': "larger",
            '[[test.mechanism]]\nevent = "serial_read"\nmax_count = 1\nfrom = "("': "bad regex in 'from'",
            '[[test.mechanism]]\nevent = "serial_read"\nmax_count = 1\nwhere = { addr = true }': "where.addr",
            '[[test.mechanism]]\nevent = "serial_read"\nmax_count = 1\nmessage = "{cnt}"': "placeholder {cnt}",
            '[[test.mechanism]]\nevent = "serial read"\nmax_count = 1': "'event' is required",
            'trace = ["serial read"]': "not an event name",
            'trace = 3': "list of strings",
            'trace = ["x"]\n[[test.peer]]\nkind = "trace"': "more than one 'trace' peer",
        }
        for body, fragment in cases.items():
            with self.subTest(body=body):
                self.assertIn(fragment, error_of(body))


class CommandLine(unittest.TestCase):
    def argv(self, peer_args):
        case = one_case()
        options = RunOptions(root=Path("/r"), iso=Path("/r/c.iso"), out=Path("/r/out"))
        return build_command(case, options, "abcd", peer_args)

    def test_defaults_without_peers(self):
        argv = self.argv([])
        self.assertEqual(argv[argv.index("-serial") + 1], "file:/r/out/s/t1/serial.log")
        self.assertEqual(argv[argv.index("-D") + 1], "/r/out/s/t1/qemu.log")

    def test_peers_take_over_serial_and_log(self):
        argv = self.argv(["-chardev", "socket,id=c,path=/tmp/x", "-serial", "chardev:c",
                          "-D", "/tmp/trace.fifo"])
        self.assertEqual(argv.count("-serial"), 1)
        self.assertEqual(argv.count("-D"), 1)
        self.assertEqual(argv[argv.index("-serial") + 1], "chardev:c")
        self.assertEqual(argv[argv.index("-D") + 1], "/tmp/trace.fifo")
        self.assertIn("cpu_reset", argv)

    def test_kinds_registered(self):
        self.assertEqual(peers.kinds(), ["disk", "net", "qmp", "serial", "trace"])


class ReadmeExamples(unittest.TestCase):
    def test_every_host_peer_example_loads(self):
        text = (support.GRADER / "README.md").read_text()
        blocks = re.findall(r"```toml\n(.*?)```", text[text.index("## Host peers"):], re.S)
        self.assertGreaterEqual(len(blocks), 4)
        for block in blocks:
            if "[[test]]" not in block:
                block = '[[test]]\nname = "x"\n' + block
            with self.subTest(block=block[:60]):
                _, cases = load_text('[suite]\nname = "doc"\n' + block)
                self.assertTrue(all(case.peers for case in cases if case.variant or case.name != "uart_tx"))


if __name__ == "__main__":
    unittest.main()
