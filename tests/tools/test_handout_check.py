"""Unit tests for tools/handout_check.py's reading of grader results (instructor-only, like the
tool itself: lab/instructor-only.txt keeps both out of handouts).

    python3 -m unittest discover -s tests/tools
"""
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import handout_check  # noqa: E402


class Evaluate(unittest.TestCase):
    """handout_check's reading of grader results."""

    @staticmethod
    def result(lab, name, passed, verdict=None, score=None):
        return {"lab": lab, "id": name, "passed": passed, "score": score if score is not None else float(passed),
                "verdict": verdict or ("pass" if passed else "fail"), "reason": "" if passed else "why"}

    def evaluate(self, lab, tests):
        run = handout_check.LabRun(lab, Path("/nonexistent"))
        run.results = {"tests": tests}
        handout_check.evaluate_handout(run, [0, 1, 2], Path("/nonexistent/log"))
        return {c.name: c for c in run.checks}

    def test_all_good(self):
        checks = self.evaluate(1, [self.result(0, "a", True), self.result(0, "b", True),
                                   self.result(1, "c", False), self.result(1, "d", False, "panic")])
        self.assertTrue(all(c.passed for c in checks.values()), checks)
        self.assertEqual(len(checks), 5)   # boots, 2 earlier, 2 own

    def test_stub_that_passes_is_named(self):
        checks = self.evaluate(1, [self.result(0, "a", True), self.result(1, "c", True)])
        self.assertFalse(checks["lab 1 fails on the stub: c"].passed)
        self.assertIn("passes on the handout", checks["lab 1 fails on the stub: c"].detail)

    def test_earlier_lab_failure(self):
        checks = self.evaluate(2, [self.result(0, "a", False), self.result(1, "b", True),
                                   self.result(2, "c", False)])
        self.assertFalse(checks["lab 0 passes: a"].passed)
        self.assertTrue(checks["lab 1 passes: b"].passed)

    def test_boot_failure(self):
        checks = self.evaluate(0, [self.result(0, "a", False, "boot-failure")])
        self.assertFalse(checks["boots"].passed)

    def test_no_results(self):
        run = handout_check.LabRun(0, Path("/nonexistent"))
        handout_check.evaluate_handout(run, [0], Path("/nonexistent/log"))
        self.assertEqual([(c.name, c.passed) for c in run.checks], [("graded", False)])

    def test_child_environment_drops_the_make_jobserver(self):
        os.environ["MAKEFLAGS"] = " -j2 --jobserver-auth=3,4"
        try:
            self.assertNotIn("MAKEFLAGS", handout_check.child_env())
        finally:
            del os.environ["MAKEFLAGS"]


class Seed(unittest.TestCase):
    def test_objects_keep_times_and_dependency_targets_are_renamed(self):
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "elsewhere"
            obj = source / "kernel/kernel/main.cpp.o"
            obj.parent.mkdir(parents=True)
            obj.write_bytes(b"\x7fELF")
            dep = obj.with_suffix(".d")
            dep.write_text(f"{source}/kernel/kernel/main.cpp.o: kernel/main.cpp \\\n include/a.h\n\ninclude/a.h:\n")
            when = 1_600_000_000_000_000_000
            os.utime(obj, ns=(when, when))
            tree = Path(tmp) / "tree"
            handout_check.seed_build(source, tree)
            copied = tree / "build/kernel/kernel/main.cpp.o"
            self.assertEqual(copied.stat().st_mtime_ns, when)
            self.assertEqual((tree / "build/kernel/kernel/main.cpp.d").read_text(),
                             "build/kernel/kernel/main.cpp.o: kernel/main.cpp \\\n include/a.h\n\ninclude/a.h:\n")


if __name__ == "__main__":
    unittest.main()
