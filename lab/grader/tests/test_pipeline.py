"""End to end through grade.py with the fake QEMU: processes, files, CLI, exit statuses."""
import json
import shutil
import tempfile
import unittest
from pathlib import Path

from support import ROOT, run_grader, write_rubric

SELFTEST = str(ROOT / "lab" / "grader" / "selftest" / "rubric.toml")

FAKE_RUBRIC = """
[suite]
name = "fake"
lab = 7
title = "Fake behaviours"
[qemu]
timeout = 1
[[test]]
name = "fake_slow_progress"
points = 2
[[test]]
name = "fake_runaway"
max_time = 1.5
[[test]]
name = "fake_bad_exit"
[[test]]
name = "fake_end_no_exit"
[[test]]
name = "fake_qemu_error"
[[test]]
name = "fake_midline_marker"
[[test]]
name = "fake_serial_only"
expect = ["^serial says hello$"]
[[test]]
name = "disk_user"
args = ["-device", "ide-hd,drive=disk0"]
[[test.peer]]
kind = "disk"
size = 4096
"""


class Pipeline(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="grader-test-"))
        cls.iso = cls.tmp / "fake.iso"
        cls.iso.write_bytes(b"not really an ISO")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def grade(self, *args, out=None):
        out = out or self.tmp / "out"
        return run_grader("--iso", str(self.iso), "--out", str(out), *args)

    def test_selftest_suite_passes_with_the_fake(self):
        out = self.tmp / "selftest"
        proc = self.grade("--suite", SELFTEST, "-j", "4", "--junit", "--gradescope",
                          str(out / "gs.json"), out=out)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertEqual(proc.stdout.splitlines()[-1], "8 passed, 0 failed")
        doc = json.loads((out / "results.json").read_text())
        self.assertEqual({t["id"]: t["verdict"] for t in doc["tests"]}, {
            "selftest_pass": "pass", "selftest_fail": "fail", "selftest_panic": "panic",
            "selftest_triple_fault": "triple-fault", "selftest_hang": "hang",
            "selftest_forged": "forged", "selftest_nonce_echo": "pass", "selftest_pass@pc": "pass"})
        for name in ("junit.xml", "gs.json"):
            self.assertTrue((out / name).is_file(), name)
        testdir = out / "selftest" / "selftest_panic"
        for name in ("debugcon.log", "serial.log", "qemu.log", "cmd.txt", "qemu-stderr.log"):
            self.assertTrue((testdir / name).is_file(), name)
        self.assertIn("msg=assertion failed", (testdir / "debugcon.log").read_text())
        # The hang was diagnosed through the fake's monitor: RIP, the leaf's caller from
        # [RSP], the frame chain, IF off, and the 8259s (no ELF here, so addresses only).
        hang = next(t for t in doc["tests"] if t["id"] == "selftest_hang")
        self.assertIn("hung in 0xffffffff80103512 called from 0xffffffff80143d2d, interrupts off, "
                      "CPU running", hang["verdict_reason"])
        self.assertIn("  [2] ffffffff8012d9bf 0xffffffff8012d9bf", hang["panic_report"])
        self.assertIn("  pic0: irr=01 imr=fb isr=01 hprio=0 irq_base=20", "\n".join(hang["panic_report"]))

    def test_failures_are_explained_and_exit_nonzero(self):
        rubric = write_rubric(self.tmp, FAKE_RUBRIC, "fake.toml")
        out = self.tmp / "fake"
        proc = self.grade("--suite", str(rubric), "-j", "4", out=out)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertEqual(proc.stdout.splitlines()[-1], "4 passed, 4 failed")
        doc = json.loads((out / "results.json").read_text())
        verdicts = {t["id"]: t["verdict"] for t in doc["tests"]}
        self.assertEqual(verdicts, {
            "fake_slow_progress": "pass",      # 2 s in total, but never 1 s without output
            "fake_runaway": "hang", "fake_bad_exit": "bad-exit",
            "fake_end_no_exit": "bad-exit", "fake_qemu_error": "boot-failure",
            "fake_midline_marker": "pass", "fake_serial_only": "pass", "disk_user": "pass"})
        self.assertEqual(doc["summary"]["score"], 5.0)
        self.assertIn("--- FAIL fake/fake_qemu_error  [boot-failure]", proc.stdout)
        self.assertIn("Could not open", proc.stdout)
        self.assertIn("rerun:   python3 lab/grader/grade.py --suite", proc.stdout)
        self.assertEqual((out / "fake" / "disk_user" / "disk0.img").stat().st_size, 4096)
        self.assertIn("if=none,id=disk0", (out / "fake" / "disk_user" / "cmd.txt").read_text())

    def test_kernel_cmdline_reaches_the_guest(self):
        rubric = write_rubric(self.tmp, """
            [suite]
            name = "cmd"
            [qemu]
            cmdline = "irqchip=apic"
            [[test]]
            name = "echo"
            cmdline = "uart.mode=irq list=a,b"
            expect = ['cmdline=\\[test=echo nonce=${nonce} irqchip=apic uart.mode=irq list=a,b\\]']
            """, "cmd.toml")
        proc = self.grade("--suite", str(rubric), out=self.tmp / "cmd")
        self.assertEqual(proc.returncode, 0, proc.stdout)

    def test_test_selection(self):
        proc = self.grade("--suite", SELFTEST, "--test", "selftest_pass", "--list")
        self.assertEqual(proc.returncode, 0)
        self.assertEqual([l.split()[0] for l in proc.stdout.splitlines()],
                         ["selftest/selftest_pass", "selftest/selftest_pass@pc"])
        proc = self.grade("--suite", SELFTEST, "--test", "selftest_pas")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("did you mean selftest_pass", proc.stderr)

    def test_usage_errors_exit_2(self):
        bad = write_rubric(self.tmp, '[suite]\nname = "x"\n[[test]]\nname = "a"\ntimout = 1\n', "bad.toml")
        proc = self.grade("--suite", str(bad))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("did you mean 'timeout'", proc.stderr)
        proc = run_grader("--suite", SELFTEST, "--iso", str(self.tmp / "missing.iso"))
        self.assertEqual(proc.returncode, 2)
        self.assertIn("no ISO", proc.stderr)
        proc = self.grade("--suite", SELFTEST, "--lab", "99")
        self.assertEqual(proc.returncode, 2)

    def test_missing_qemu_binary_is_a_boot_failure(self):
        proc = self.grade("--suite", SELFTEST, "--test", "selftest_nonce_echo",
                          "--qemu", str(self.tmp / "no-such-qemu"), out=self.tmp / "noqemu")
        self.assertEqual(proc.returncode, 1)
        self.assertIn("cannot start", proc.stdout)
        self.assertEqual(proc.stdout.splitlines()[-1], "0 passed, 1 failed")


if __name__ == "__main__":
    unittest.main()
