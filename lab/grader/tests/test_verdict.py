"""Verdict logic over canned runs: every kind, their priorities, and self-test semantics."""
import unittest

from support import lines, one_case, record
from harness.verdict import is_success, judge

N = "abc123"


def verdict_of(debugcon="", extra="", **kw):
    return judge(record(one_case(extra), debugcon, nonce=N, **kw))


class Pass(unittest.TestCase):
    def test_clean_pass(self):
        v = verdict_of(lines(N))
        self.assertEqual(v.kind, "pass")

    def test_pass_needs_exit_status_33(self):
        v = verdict_of(lines(N), exit_status=35)
        self.assertEqual(v.kind, "bad-exit")
        self.assertIn("expected QEMU exit status 33", v.reason)
        self.assertIn("got 35", v.reason)

    def test_pass_needs_the_end_line(self):
        v = verdict_of(lines(N, end=False))
        self.assertEqual(v.kind, "no-result")
        self.assertIn("no '@@CONDUIT end' line", v.reason)

    def test_end_line_reporting_failures_contradicts_a_pass(self):
        text = lines(N, end=False) + f"@@CONDUIT end passed=1 failed=1 nonce={N}\n"
        v = verdict_of(text)
        self.assertEqual(v.kind, "forged")
        self.assertIn("the end line says passed=1 failed=1, but the run reported 1 pass and 0 fail", v.reason)

    def test_end_printed_but_qemu_kept_running(self):
        v = verdict_of(lines(N), stop="grace", exit_status=None, grace=5.0)
        self.assertEqual(v.kind, "bad-exit")
        self.assertIn("did not exit within 5s", v.reason)


class Fail(unittest.TestCase):
    def test_fail_line_gives_its_reason(self):
        v = verdict_of(lines(N, result="fail"), exit_status=35)
        self.assertEqual((v.kind, v.reason), ("fail", "expected 3, got 4"))
        self.assertEqual(v.notes, [])

    def test_fail_with_unexpected_exit_status_is_noted(self):
        v = verdict_of(lines(N, result="fail"), exit_status=33)
        self.assertEqual(v.kind, "fail")
        self.assertIn("expected 35", v.notes[0])

    def test_expect_and_reject_patterns(self):
        v = verdict_of(lines(N), extra='expect = ["uart ready"]')
        self.assertEqual(v.kind, "fail")
        self.assertIn("/uart ready/", v.reason)
        v = judge(record(one_case('expect = ["uart ready"]'), lines(N), nonce=N,
                         serial="uart ready\n"))
        self.assertEqual(v.kind, "pass", "expect also searches serial.log")
        v = verdict_of("spin on LSR\n" + lines(N), extra='reject = ["^spin"]')
        self.assertEqual(v.kind, "fail")
        self.assertIn("'spin on LSR'", v.reason)

    def test_nonce_placeholder_in_patterns(self):
        good = verdict_of(lines(N), extra='expect = ["test-pass name=${test} nonce=${nonce}$"]')
        self.assertEqual(good.kind, "pass")

    def test_peer_problems_fail_the_test(self):
        v = verdict_of(lines(N), problems=["serial peer: expected 'hello', got ''"])
        self.assertEqual((v.kind, v.reason), ("fail", "serial peer: expected 'hello', got ''"))


class Crashes(unittest.TestCase):
    PANIC = ("PANIC: page fault at 0x0\nBacktrace:\n  #0 0xffffffff80101234 f+0x34\n"
             f"@@CONDUIT panic nonce={N} msg=page fault at 0x0\n")

    def test_panic_with_marker(self):
        v = verdict_of(lines(N, result="none", end=False) + self.PANIC, exit_status=37)
        self.assertEqual(v.kind, "panic")
        self.assertEqual(v.reason, "kernel panic: page fault at 0x0")
        self.assertEqual(v.backtrace, ["  #0 0xffffffff80101234 f+0x34"])

    def test_panic_after_a_pass_is_still_a_panic(self):
        v = verdict_of(lines(N, end=False) + self.PANIC, exit_status=37)
        self.assertEqual(v.kind, "panic")

    def test_exit_37_without_a_genuine_marker(self):
        # e.g. a panic before the kernel parsed its command line: the marker says nonce=none
        text = "PANIC: early boot failure\nBacktrace:\n@@CONDUIT panic nonce=none msg=early\n"
        v = verdict_of(text, exit_status=37)
        self.assertEqual(v.kind, "panic")
        self.assertIn("early boot failure", v.reason)

    def test_triple_fault(self):
        v = verdict_of(lines(N, result="none", end=False), exit_status=0,
                       qemu_log="CPU Reset\nTriple fault\n")
        self.assertEqual(v.kind, "triple-fault")
        self.assertIn("after the output line", v.reason)

    def test_status_0_without_triple_fault_is_no_result(self):
        v = verdict_of(lines(N, result="none", end=False), exit_status=0)
        self.assertEqual(v.kind, "no-result")

    def test_hang_reports_idle_time_and_last_line(self):
        v = verdict_of(lines(N, result="none", end=False) + "waiting for IRQ4\n",
                       stop="hang", exit_status=None, idle_time=15.2)
        self.assertEqual(v.kind, "hang")
        self.assertIn("no output for 15.2s", v.reason)
        self.assertIn("waiting for IRQ4", v.reason)

    def test_runaway_output_is_a_hang(self):
        v = verdict_of(lines(N, result="none", end=False), stop="runaway", exit_status=None,
                       busy_time=150.0, output_bytes=10 ** 6)
        self.assertEqual(v.kind, "hang")
        self.assertIn("output loop", v.reason)


class BootFailures(unittest.TestCase):
    def test_no_output(self):
        v = verdict_of("", exit_status=None, stop="hang", idle_time=15.0)
        self.assertEqual(v.kind, "boot-failure")
        self.assertIn("no output at all", v.reason)

    def test_qemu_error(self):
        v = verdict_of("", exit_status=1, stderr="qemu-system-x86_64: -drive x: Could not open\n")
        self.assertEqual(v.kind, "boot-failure")
        self.assertIn("Could not open", v.reason)

    def test_boot_line_with_the_wrong_nonce(self):
        v = verdict_of("@@CONDUIT boot nonce=none\n", exit_status=33)
        self.assertEqual(v.kind, "boot-failure")
        self.assertIn("fw_cfg", v.reason)

    def test_setup_error(self):
        v = verdict_of("", error="test setup failed: disk image missing")
        self.assertEqual((v.kind, v.reason), ("boot-failure", "test setup failed: disk image missing"))


class NoResult(unittest.TestCase):
    def test_started_but_no_result(self):
        v = verdict_of(lines(N, result="none", end=False), exit_status=33)
        self.assertEqual(v.kind, "no-result")
        self.assertIn("t1 started", v.reason)

    def test_results_for_another_test(self):
        v = verdict_of(lines(N, test="other"))
        self.assertEqual(v.kind, "forged", "the runner runs only the test it was asked for")
        self.assertIn("reported test 'other', but the grader asked only for t1", v.reason)

    def test_unknown_test_is_a_failure_not_a_forgery(self):
        text = (f"@@CONDUIT boot nonce={N}\n@@CONDUIT test-fail name=t1 nonce={N} reason=no test "
                f"matches 't1' (monitor command `tests` lists them)\n@@CONDUIT end passed=0 failed=1 nonce={N}\n")
        v = verdict_of(text, exit_status=35)
        self.assertEqual(v.kind, "fail")
        self.assertIn("no test matches", v.reason)


class Protocol(unittest.TestCase):
    """Lines with the right nonce that the runner would never print: student code that read
    the nonce and printed results of its own."""

    def assertForged(self, text, words, **kw):
        v = verdict_of(text, **kw)
        self.assertEqual(v.kind, "forged", v.reason)
        self.assertIn(words, v.reason)
        return v

    def test_a_pass_printed_before_the_real_failure(self):
        text = (f"@@CONDUIT boot nonce={N}\n@@CONDUIT test-begin name=t1 lab=2 nonce={N}\n"
                f"@@CONDUIT test-pass name=t1 nonce={N}\n"
                f"@@CONDUIT test-fail name=t1 nonce={N} reason=expected 3, got 4\n"
                f"@@CONDUIT end passed=0 failed=1 nonce={N}\n")
        v = self.assertForged(text, "2 results for t1, the runner prints one (debugcon.log line 4", exit_status=35)
        self.assertIn("would be fail: expected 3, got 4", v.notes[0])

    def test_a_second_end_line(self):
        text = lines(N, result="fail") + f"@@CONDUIT end passed=1 failed=0 nonce={N}\n"
        self.assertForged(text, "2 'end' lines", exit_status=33)

    def test_a_pass_without_a_begin(self):
        text = f"@@CONDUIT boot nonce={N}\n@@CONDUIT test-pass name=t1 nonce={N}\n@@CONDUIT end passed=1 failed=0 nonce={N}\n"
        self.assertForged(text, "a pass for t1 without its test-begin")

    def test_a_fake_end_before_the_real_one(self):
        text = (f"@@CONDUIT boot nonce={N}\n@@CONDUIT test-begin name=t1 lab=2 nonce={N}\n"
                f"@@CONDUIT end passed=1 failed=0 nonce={N}\n@@CONDUIT test-pass name=t1 nonce={N}\n")
        self.assertForged(text, "end line says passed=1 failed=0, but the run reported 0 pass")

    def test_a_second_boot_or_begin(self):
        self.assertForged(f"@@CONDUIT boot nonce={N}\n" + lines(N), "2 'boot' lines")
        text = lines(N).replace("@@CONDUIT test-pass", f"@@CONDUIT test-begin name=t1 lab=1 nonce={N}\n@@CONDUIT test-pass")
        self.assertForged(text, "2 'test-begin' lines")

    def test_a_well_formed_run_and_a_panic_are_not_forgeries(self):
        self.assertEqual(verdict_of(lines(N)).kind, "pass")
        text = (f"@@CONDUIT boot nonce={N}\n@@CONDUIT test-begin name=t1 lab=1 nonce={N}\n"
                f"PANIC: boom\n@@CONDUIT panic nonce={N} msg=boom\n")
        self.assertEqual(verdict_of(text, exit_status=37).kind, "panic")


class Forged(unittest.TestCase):
    def test_forged_pass_beats_everything(self):
        text = (lines(N, result="none", end=False)
                + "@@CONDUIT test-pass name=t1 nonce=0000\n"
                + f"@@CONDUIT test-fail name=t1 nonce={N} reason=real failure\n"
                + f"@@CONDUIT end passed=0 failed=1 nonce={N}\n")
        v = verdict_of(text, exit_status=35)
        self.assertEqual(v.kind, "forged")
        self.assertIn("nonce=0000", v.reason)
        self.assertIn("line 3", v.reason)
        self.assertIn("fail: real failure", v.notes[0])

    def test_pass_line_without_any_nonce(self):
        text = lines(N) + "@@CONDUIT test-pass name=t1\n"
        v = verdict_of(text)
        self.assertEqual(v.kind, "forged")
        self.assertIn("nonce=(none)", v.reason)

    def test_forged_end_line(self):
        v = verdict_of(lines(N) + "@@CONDUIT end passed=9 failed=0 nonce=1\n")
        self.assertEqual(v.kind, "forged")


class SelfTestSemantics(unittest.TestCase):
    def test_expect_outcome_turns_a_panic_into_a_pass(self):
        case = one_case('expect_outcome = "panic"\nexpect_reason = "^kernel panic: boom"')
        rec = record(case, f"PANIC: boom\n@@CONDUIT panic nonce={N} msg=boom\n", nonce=N,
                     exit_status=37)
        self.assertEqual(is_success(rec, judge(rec)), (True, "panic, as expected"))

    def test_wrong_outcome_or_reason_fails(self):
        case = one_case('expect_outcome = "hang"')
        rec = record(case, lines(N), nonce=N)
        ok, why = is_success(rec, judge(rec))
        self.assertFalse(ok)
        self.assertTrue(why.startswith("expected outcome hang, got pass"))
        case = one_case('expect_outcome = "fail"\nexpect_reason = "got 5"')
        rec = record(case, lines(N, result="fail"), nonce=N, exit_status=35)
        ok, why = is_success(rec, judge(rec))
        self.assertFalse(ok)
        self.assertIn("does not match /got 5/", why)

    def test_expect_patterns_also_apply_to_deliberate_crashes(self):
        case = one_case('expect_outcome = "panic"\nexpect = ["^  #1 [0-9a-f]+ inject_fault"]')
        text = f"PANIC: boom\nBacktrace:\n  #0 0xffffffff80101234 f+0x1\n@@CONDUIT panic nonce={N} msg=boom\n"
        rec = record(case, text, nonce=N, exit_status=37)
        ok, why = is_success(rec, judge(rec))
        self.assertFalse(ok)
        self.assertIn("outcome panic as expected, but no output matched", why)
        rec = record(case, text.replace("Backtrace:\n", "Backtrace:\n  #1 ffff inject_fault+0x3\n"),
                     nonce=N, exit_status=37)
        self.assertTrue(is_success(rec, judge(rec))[0])

    def test_expected_failure_from_a_host_side_check(self):
        """A purpose-made wrong driver passes every in-guest check; the mechanism check that
        fails is the expected outcome, and expect_reason names its message."""
        case = one_case('expect_outcome = "fail"\nexpect_reason = "LSR was read [0-9,]+ times"')
        problem = "irq mode does not poll LSR: LSR was read 65,542 times while 64 KiB were sent"
        rec = record(case, lines(N), nonce=N, problems=[problem])
        verdict = judge(rec)
        self.assertEqual((verdict.kind, verdict.reason), ("fail", problem))
        self.assertEqual(is_success(rec, verdict), (True, "fail, as expected"))

    def test_expected_host_side_failure_must_name_the_right_check(self):
        case = one_case('expect_outcome = "fail"\nexpect_reason = "IER never had THRE"')
        rec = record(case, lines(N), nonce=N, problems=["LSR was read 70,000 times"])
        ok, why = is_success(rec, judge(rec))
        self.assertFalse(ok)
        self.assertIn("does not match /IER never had THRE/", why)

    def test_expect_reason_may_name_a_host_check_behind_an_in_guest_failure(self):
        case = one_case('expect_outcome = "fail"\nexpect_reason = "LSR was read"')
        rec = record(case, lines(N, result="fail"), nonce=N, exit_status=35,
                     problems=["LSR was read 70,000 times"])
        self.assertTrue(is_success(rec, judge(rec))[0])

    def test_a_wrong_driver_that_passes_every_check_fails_its_self_test(self):
        case = one_case('expect_outcome = "fail"\nexpect_reason = "LSR was read"')
        rec = record(case, lines(N), nonce=N)
        ok, why = is_success(rec, judge(rec))
        self.assertFalse(ok)
        self.assertTrue(why.startswith("expected outcome fail, got pass"), why)

    def test_normal_tests_pass_only_on_pass(self):
        rec = record(one_case(), lines(N, result="fail"), nonce=N, exit_status=35)
        self.assertEqual(is_success(rec, judge(rec)), (False, "expected 3, got 4"))


if __name__ == "__main__":
    unittest.main()
