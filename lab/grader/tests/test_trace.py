"""Trace line parsing, COM1 marker lines, mechanism counting and messages, and the trace peer
with a fake QEMU writing into its FIFO."""
import os
import tempfile
import threading
import unittest
from pathlib import Path

from peer_support import make_ctx, make_peer
from harness import mechanism, trace

EVENTS = {"serial_read", "serial_write", "ide_ioport_read"}


def thr(text: str) -> list[str]:
    """serial_write lines of a guest printing `text` on COM1."""
    return [f"serial_write write addr 0x00 val 0x{ord(c):02x}" for c in text]


def lsr_reads(count: int) -> list[str]:
    return ["serial_read read addr 0x05 val 0x60"] * count


class Parsing(unittest.TestCase):
    def test_lines(self):
        self.assertEqual(trace.parse_line("serial_read read addr 0x05 val 0x60", EVENTS),
                         ("serial_read", "read addr 0x05 val 0x60"))
        self.assertEqual(trace.parse_line("4242@1700000000.123456:serial_write write addr 0x00 val 0x41",
                                          EVENTS), ("serial_write", "write addr 0x00 val 0x41"))
        for other in ("CPU Reset (CPU 0)", "EAX=00000000 EBX=00000000", "Triple fault",
                      "pic_ioport_write master 1 addr 0x1 val 0xfb", ""):
            self.assertIsNone(trace.parse_line(other, EVENTS), other)

    def test_fields(self):
        self.assertEqual(trace.fields("read addr 0x05 val 0x60"),
                         {"addr": "0x05", "val": "0x60", "arg0": "0x05", "arg1": "0x60"})
        ide = trace.fields("IDE PIO rd @ 0x1f7 (Status); val 0x50; bus 0x55d1 IDEState 0x55d2")
        self.assertEqual((ide["@"], ide["val"], ide["arg0"]), ("0x1f7", "0x50", "0x1f7"))
        self.assertEqual(trace.fields("0x55d0a0 keycode 0x1c"),
                         {"keycode": "0x1c", "arg0": "0x55d0a0", "arg1": "0x1c"})
        self.assertEqual(trace.fields("baudrate=9600 parity='N' stop=1")["parity"], "N")
        self.assertEqual(trace.fields("vector: 3 level: 1")["level"], "1")

    def test_value_matches(self):
        self.assertTrue(trace.value_matches("0x05", 5))
        self.assertTrue(trace.value_matches("0x05", "0x5"))
        self.assertTrue(trace.value_matches("5", "5"))
        self.assertTrue(trace.value_matches("0x05", [0, 5]))
        self.assertTrue(trace.value_matches("N", "N"))
        self.assertFalse(trace.value_matches("0x05", 6))
        self.assertFalse(trace.value_matches("0x05", True))


class Marks(unittest.TestCase):
    def lines(self, events):
        seen = []
        marks = trace.SerialMarks(seen.append)
        for line in events:
            marks.feed(trace.parse_line(line, EVENTS)[1])
        return seen

    def test_output_lines_skip_divisor_and_loopback(self):
        events = thr("ab\r\n")
        events += ["serial_write write addr 0x03 val 0x80", "serial_write write addr 0x00 val 0x01",
                   "serial_write write addr 0x03 val 0x03"]              # DLAB: divisor, not data
        events += ["serial_write write addr 0x04 val 0x10"] + thr("X") + \
                  ["serial_write write addr 0x04 val 0x03"]              # loopback: not on the wire
        events += thr("cd\n")
        self.assertEqual(self.lines(events), ["ab", "cd"])

    def test_scratch_register_marks(self):
        scr = [f"serial_write write addr 0x07 val 0x{ord(c):02x}" for c in "tx-begin\n"]
        self.assertEqual(self.lines(thr("out") + scr + thr("put\n")), ["tx-begin", "output"])


def count(table: dict, lines: list[str]) -> mechanism.Counter:
    counter = mechanism.Counter([mechanism.parse_check(table)])
    for line in lines:
        parsed = trace.parse_line(line, EVENTS)
        if parsed:
            counter.feed(*parsed)
    return counter


class Counting(unittest.TestCase):
    RUN = lsr_reads(7) + thr("tx-begin\n") + lsr_reads(45112) + thr("tx-end\n") + lsr_reads(3) \
        + thr("tx-begin\n") + lsr_reads(10) + thr("tx-end\n")

    def test_whole_run(self):
        counter = count({"event": "serial_read", "where": {"addr": 5}, "max_count": 10}, self.RUN)
        self.assertEqual(counter.checks[0].count, 7 + 45112 + 3 + 10)

    def test_windows(self):
        table = {"event": "serial_read", "where": {"addr": "0x5"}, "from": "^tx-begin$",
                 "to": "^tx-end$", "max_count": 200,
                 "message": "your driver read LSR {count} times while sending 64 KiB in irq mode: "
                            "it is polling, not waiting for interrupts"}
        counter = count(table, self.RUN)
        check = counter.checks[0]
        self.assertEqual((check.count, check.windows), (45122, 2))
        self.assertEqual(counter.problems(), [
            "your driver read LSR 45,122 times while sending 64 KiB in irq mode: it is polling, "
            "not waiting for interrupts"])

    def test_where_and_match_filters(self):
        lines = lsr_reads(4) + ["serial_read read addr 0x00 val 0x41"] * 2
        self.assertEqual(count({"event": "serial_read", "where": {"addr": 0}, "max_count": 9},
                               lines).checks[0].count, 2)
        self.assertEqual(count({"event": "serial_read", "where": {"arg1": [0x41, 0x60]},
                                "max_count": 9}, lines).checks[0].count, 6)
        self.assertEqual(count({"event": "serial_read", "match": r"val 0x41$", "max_count": 9},
                               lines).checks[0].count, 2)
        self.assertEqual(count({"event": "serial_read", "where": {"nosuch": 1}, "max_count": 9},
                               lines).checks[0].count, 0)

    def test_event_list_counts_each_name(self):
        # One fact, two events: IRQ 4's vector delivered under the 8259 or under the APIC.
        lines = ["pic_interrupt irq 4 intno 36", "pic_interrupt irq 0 intno 32",
                 "apic_deliver_irq dest 0 dest_mode 0 delivery_mode 0 vector 36 trigger_mode 0"]
        counter = mechanism.Counter([mechanism.parse_check(
            {"event": ["pic_interrupt", "apic_deliver_irq"], "match": r"\b(intno|vector) 36\b", "min_count": 3})])
        for line in lines:
            counter.feed(*trace.parse_line(line, {"pic_interrupt", "apic_deliver_irq"}))
        self.assertEqual(counter.checks[0].count, 2)
        self.assertEqual(counter.events(), {"pic_interrupt", "apic_deliver_irq"})
        self.assertEqual(counter.problems(), [
            "pic_interrupt or apic_deliver_irq matching /\\b(intno|vector) 36\\b/ happened only 2 times "
            "during the run; at least 3 expected"])
        with self.assertRaises(mechanism.CheckError):
            mechanism.parse_check({"event": [], "min_count": 1})
        with self.assertRaises(mechanism.CheckError):
            mechanism.parse_check({"event": ["pic_interrupt", 3], "min_count": 1})

    def test_only_to(self):
        counter = count({"event": "serial_read", "to": "tx-begin", "max_count": 0}, self.RUN)
        self.assertEqual(counter.checks[0].count, 7)

    def test_default_messages(self):
        forbid = count({"event": "serial_read", "description": "DMA only", "forbid": True},
                       lsr_reads(1))
        self.assertEqual(forbid.problems(), ["DMA only: serial_read happened 1 time during the run; "
                                             "it must not happen at all"])
        most = count({"event": "serial_read", "where": {"addr": 5}, "from": "a", "max_count": 1},
                     thr("a\n") + lsr_reads(2))
        self.assertEqual(most.problems(), ["serial_read with addr=5 happened 2 times between /a/ and "
                                           "the end of the run on COM1; at most 1 allowed"])
        few = count({"event": "serial_write", "min_count": 5}, [])
        self.assertEqual(few.problems(), ["serial_write happened 0 times during the run; at least 5 expected"])
        ok = count({"event": "serial_read", "min_count": 1, "max_count": 3}, lsr_reads(2))
        self.assertEqual(ok.problems(), [])

    def test_window_never_opened(self):
        counter = count({"event": "serial_read", "description": "irq TX", "from": "tx-begin",
                         "max_count": 5}, lsr_reads(3))
        self.assertEqual(counter.problems(), [
            "irq TX: the guest never wrote a COM1 line matching /tx-begin/, so serial_read could "
            "not be counted where this check looks"])

    def test_needed_events(self):
        self.assertEqual(mechanism.Counter([mechanism.parse_check(
            {"event": "serial_read", "from": "x", "max_count": 1})]).events(),
            {"serial_read", "serial_write"})


class TracePeerWithFifo(unittest.TestCase):
    def run_peer(self, spec, lines, stderr=""):
        tmp = tempfile.mkdtemp()
        ctx = make_ctx(Path(tmp))
        peer = make_peer(spec, ctx)
        try:
            args = peer.prepare()
            fifo = args[args.index("-D") + 1]

            def qemu():                      # what QEMU does: open the -D file and write lines
                with open(fifo, "w") as f:
                    for line in lines:
                        f.write(line + "\n")

            writer = threading.Thread(target=qemu)
            writer.start()
            writer.join(timeout=60)
            (ctx.testdir / "qemu-stderr.log").write_text(stderr)
            problems = peer.finish()
        finally:
            peer.close()
            ctx.cleanup()
        return args, problems, ctx.testdir

    def test_split_count_and_check(self):
        reset = ["CPU Reset (CPU 0)", "EAX=00000000 EBX=00000000"]
        lines = reset + thr("tx-begin\n") + lsr_reads(200_000) + thr("tx-end\n") + ["Triple fault"]
        spec = {"kind": "trace", "events": ["serial_*"],
                "checks": [{"event": "serial_read", "where": {"addr": 5}, "from": "tx-begin",
                            "to": "tx-end", "max_count": 100}]}
        args, problems, testdir = self.run_peer(spec, lines)
        self.assertIn("enable=serial_*", args)
        self.assertIn("enable=serial_read", args)
        self.assertEqual(len(problems), 1)
        self.assertIn("happened 200,000 times between /tx-begin/ and /tx-end/", problems[0])
        self.assertEqual((testdir / "qemu.log").read_text(), "\n".join(reset + ["Triple fault"]) + "\n")
        trace_lines = (testdir / "trace.log").read_text().splitlines()
        self.assertEqual(len(trace_lines), len(lines) - 3)
        self.assertIn("200,000  serial_read", (testdir / "trace-counts.txt").read_text())
        self.assertFalse(os.path.exists(args[args.index("-D") + 1]))   # the FIFO went with short_dir

    def test_missing_event_reported(self):
        stderr = ("qemu-system-x86_64: -trace enable=serial_ioport_read: warning: trace event "
                  "'serial_ioport_read' does not exist\n")
        spec = {"kind": "trace", "checks": [{"event": "serial_ioport_read", "forbid": True}]}
        _, problems, _ = self.run_peer(spec, [], stderr)
        self.assertEqual(len(problems), 1)
        self.assertIn("QEMU has no trace event 'serial_ioport_read'", problems[0])


if __name__ == "__main__":
    unittest.main()
