"""The self-test suite against the real kernel in real QEMU.

Runs when build/conduit.iso exists (or CONDUIT_GRADER_ISO names another ISO) and QEMU is
installed; otherwise it is skipped, and test_pipeline covers the same path with the fake.
"""
import json
import os
import shutil
import tempfile
import unittest
from pathlib import Path

from support import ROOT, run_grader
from harness import rubric
from harness.protocol import BACKTRACE_RE

ISO = Path(os.environ.get("CONDUIT_GRADER_ISO", ROOT / "build" / "conduit.iso"))
QEMU = shutil.which("qemu-system-x86_64")


@unittest.skipUnless(ISO.is_file(), f"no kernel ISO at {ISO} (build it with make)")
@unittest.skipUnless(QEMU, "qemu-system-x86_64 is not installed")
class RealKernelSelfTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = Path(tempfile.mkdtemp(prefix="grader-integration-"))
        cls.proc = run_grader("--suite", str(rubric.selftest_manifest(ROOT)), "--iso", str(ISO),
                              "--qemu", QEMU, "--out", str(cls.out), "--junit", timeout=600)
        results = cls.out / "results.json"
        cls.doc = json.loads(results.read_text()) if results.is_file() else None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def setUp(self):
        self.assertIsNotNone(self.doc, self.proc.stdout + self.proc.stderr)

    def result(self, test_id):
        for test in self.doc["tests"]:
            if test["id"] == test_id:
                return test
        self.fail(f"{test_id} missing from results.json")

    def assertOutcome(self, test_id, kind):
        r = self.result(test_id)
        self.assertEqual(r["verdict"], kind, f"{test_id}: {r['verdict_reason']}\n" + "\n".join(r["tail"]))
        self.assertTrue(r["passed"], r["reason"])
        return r

    def test_pass(self):
        self.assertOutcome("selftest_pass", "pass")
        self.assertOutcome("selftest_pass@pc", "pass")   # the kernel also boots on pc

    def test_fail_carries_its_reason(self):
        r = self.assertOutcome("selftest_fail", "fail")
        self.assertTrue(r["verdict_reason"].strip())

    def test_panic_has_message_and_backtrace(self):
        r = self.assertOutcome("selftest_panic", "panic")
        self.assertTrue(any(BACKTRACE_RE.match(line) for line in r["panic_report"]), r["panic_report"])
        self.assertRegex(r["verdict_reason"], r"^kernel panic: (?!\(no message\))\S")

    def test_triple_fault(self):
        self.assertOutcome("selftest_triple_fault", "triple-fault")

    def test_hang_says_where(self):
        r = self.assertOutcome("selftest_hang", "hang")
        # The grader stopped the guest and read its registers over QMP: RIP and its caller
        # with function names and source lines, and the interrupt flag.
        self.assertRegex(r["verdict_reason"], r"hung in arch::cpu_relax\(\) \(arch/x86_64/\S+\.cpp:\d+\) "
                         r"called from ktest_fn_selftest_hang\(\) \(tests/kernel/grader_selftests\.cpp:\d+\), "
                         r"interrupts on")
        self.assertTrue(any(line.startswith("  pic0: irr=") for line in r["panic_report"]), r["panic_report"])
        self.assertTrue((Path(r["logdir"]) / "hang.txt").is_file())

    def test_forged(self):
        r = self.assertOutcome("selftest_forged", "forged")
        self.assertIn("nonce=0000", r["verdict_reason"])

    def test_nonce_echo(self):
        r = self.assertOutcome("selftest_nonce_echo", "pass")
        self.assertIn(f"nonce={r['nonce']}", "\n".join(r["tail"]))

    def test_summary_line_and_exit_status(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stdout)
        total = len(self.doc["tests"])
        self.assertEqual(self.proc.stdout.splitlines()[-1], f"{total} passed, 0 failed")
        self.assertTrue((self.out / "junit.xml").is_file())


if __name__ == "__main__":
    unittest.main()
