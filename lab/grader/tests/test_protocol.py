"""The @@CONDUIT line protocol: parsing, nonce handling, panic reports."""
import re
import unittest

import support  # noqa: F401  (import path)
from harness.protocol import (LineSplitter, Transcript, fw_cfg_escape, new_nonce, panic_report,
                              parse_line, parse_log)


class ParseLine(unittest.TestCase):
    def test_every_kind(self):
        cases = {
            "@@CONDUIT boot nonce=ab12": ("boot", {"nonce": "ab12"}),
            "@@CONDUIT test-begin name=mm lab=2 nonce=ab12": ("test-begin", {"name": "mm", "lab": "2", "nonce": "ab12"}),
            "@@CONDUIT test-pass name=mm nonce=ab12": ("test-pass", {"name": "mm", "nonce": "ab12"}),
            "@@CONDUIT end passed=3 failed=1 nonce=ab12": ("end", {"passed": "3", "failed": "1", "nonce": "ab12"}),
        }
        for line, (kind, fields) in cases.items():
            with self.subTest(line=line):
                event = parse_line(line)
                self.assertEqual(event.kind, kind)
                self.assertEqual(event.fields, fields)

    def test_reason_and_msg_run_to_end_of_line(self):
        event = parse_line("@@CONDUIT test-fail name=t nonce=n reason=expected a=1, got a=2 nonce=x\r\n")
        self.assertEqual(event.get("reason"), "expected a=1, got a=2 nonce=x")
        self.assertEqual(event.nonce, "n")
        panic = parse_line("@@CONDUIT panic nonce=n msg=page fault at 0x0 (write)")
        self.assertEqual(panic.get("msg"), "page fault at 0x0 (write)")

    def test_marker_in_the_middle_of_a_line_counts(self):
        # A log line without its newline must not swallow the result line.
        event = parse_line("uart: init done @@CONDUIT test-pass name=t nonce=n")
        self.assertEqual((event.kind, event.nonce), ("test-pass", "n"))

    def test_ordinary_output_is_not_an_event(self):
        self.assertIsNone(parse_line("mm: 32 MiB free"))
        self.assertIsNone(parse_line("@@CONDUITboot nonce=x"))

    def test_first_nonce_wins_and_junk_is_skipped(self):
        event = parse_line("@@CONDUIT test-pass name=t nonce=wrong nonce=right")
        self.assertEqual(event.nonce, "wrong")
        event = parse_line("@@CONDUIT test-pass junk name=t nonce=n")
        self.assertEqual(event.fields, {"name": "t", "nonce": "n"})

    def test_missing_nonce(self):
        self.assertIsNone(parse_line("@@CONDUIT test-pass name=t").nonce)

    def test_parse_log_numbers_lines(self):
        events = parse_log("hello\n@@CONDUIT boot nonce=1\nx\n@@CONDUIT end passed=0 failed=0 nonce=1\n")
        self.assertEqual([(e.kind, e.lineno) for e in events], [("boot", 2), ("end", 4)])


class Forgery(unittest.TestCase):
    def test_only_lines_with_this_runs_nonce_are_genuine(self):
        t = Transcript("n1", parse_log(
            "@@CONDUIT boot nonce=n1\n"
            "@@CONDUIT test-pass name=t nonce=0000\n"
            "@@CONDUIT test-pass name=t\n"
            "@@CONDUIT test-fail name=t nonce=n1 reason=r\n"
            "@@CONDUIT end passed=1 failed=0 nonce=n2\n"))
        self.assertEqual([e.kind for e in t.genuine], ["boot", "test-fail"])
        self.assertEqual([(e.kind, e.nonce) for e in t.forged],
                         [("test-pass", "0000"), ("test-pass", None), ("end", "n2")])
        self.assertIsNone(t.first("test-pass", "t"))
        self.assertEqual(t.first("test-fail", "t").get("reason"), "r")

    def test_a_wrong_nonce_on_a_non_result_line_is_not_forgery(self):
        t = Transcript("n1", parse_log("@@CONDUIT boot nonce=zz\n@@CONDUIT test-fail name=t nonce=zz reason=r\n"))
        self.assertEqual(t.forged, [])
        self.assertEqual(t.genuine, [])

    def test_nonces_are_fresh_hex(self):
        nonces = {new_nonce() for _ in range(100)}
        self.assertEqual(len(nonces), 100)
        self.assertTrue(all(re.fullmatch(r"[0-9a-f]{16}", n) for n in nonces))


class Helpers(unittest.TestCase):
    def test_line_splitter_keeps_partial_lines(self):
        s = LineSplitter()
        self.assertEqual(s.feed(b"ab"), [])
        self.assertEqual(s.feed(b"c\nde"), [(1, "abc")])
        self.assertEqual(s.feed(b"\n\xff\n"), [(2, "de"), (3, "\ufffd")])

    def test_fw_cfg_escape(self):
        self.assertEqual(fw_cfg_escape("test=a nonce=1 x=a,b,,c"), "test=a nonce=1 x=a,,b,,,,c")

    def test_panic_report_is_cut_from_the_last_panic_line_to_the_marker(self):
        text = ("boot\nPANIC: old\nmore\nPANIC: page fault\nRegisters:\n  rip=1\nBacktrace:\n"
                "  #0 0xffffffff80101234 f+0x34\n@@CONDUIT panic nonce=n msg=page fault\nafter\n")
        event = parse_log(text)[0]
        self.assertEqual(panic_report(text, event), [
            "PANIC: page fault", "Registers:", "  rip=1", "Backtrace:", "  #0 0xffffffff80101234 f+0x34"])
        self.assertEqual(panic_report("no panic here\n", None), [])


class Symbolize(unittest.TestCase):
    def test_frames_are_found_with_or_without_0x(self):
        from harness.symbolize import _lookup_addresses
        report = ["PANIC: x", "Backtrace:", "  #0 ffffffff8010b562 f+0x9", "  #1 0xffffffff80100010 g+0x1"]
        # Frame 0 is exact; return addresses step back into their call instruction.
        self.assertEqual(_lookup_addresses(report), [(2, 0xffffffff8010b562), (3, 0xffffffff8010000f)])

    def test_annotation(self):
        from harness.symbolize import _annotation
        self.assertEqual(_annotation("kernel_main", "kernel_main", "kernel/main.cpp:80"), "kernel/main.cpp:80")
        self.assertEqual(_annotation("_ZN5ktest7run_oneERK10KernelTest", "ktest::run_one(KernelTest const&)",
                                     "kernel/test/runner.cpp:170 (discriminator 2)"),
                         "ktest::run_one(KernelTest const&), kernel/test/runner.cpp:170")
        self.assertEqual(_annotation("mb2_header_end", "arch::capture_backtrace(unsigned long)",
                                     "arch/x86_64/boot/boot.S:201"), "arch/x86_64/boot/boot.S:201")


if __name__ == "__main__":
    unittest.main()
