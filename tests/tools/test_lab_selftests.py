"""The labs' rubrics against the kernel tests and self-tests they name (issue 9).

    python3 -m unittest discover -s tests/tools

* Every QEMU test of a lab's rubric is a KTEST in that lab's tests/ folder registered with that
  lab's number (a test registered under another lab ran, and was counted, there).
* Every self-test of a lab's mechanism checks in tests/kernel/rubric.toml
  (`selftest__LABTEST__WORD`, INSTRUCTOR block) repeats the lab test's host-side checks word
  for word (its peers, with the trace checks) and boots with the lab test's command line plus
  `selftest.wrong=WORD` (and, in a variant, `irqchip=`): a self-test proves a lab's check
  only while it is the same check.
"""
import re
import sys
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "lab" / "grader"))

from harness import rubric  # noqa: E402

KTEST_RE = re.compile(r"^\s*KTEST\((\w+),\s*(\w+)\)", re.M)


def lab_suites():
    for path in rubric.lab_manifests(ROOT):
        suite, cases = rubric.load(path)
        yield path.parent, suite, cases


class LabNumbers(unittest.TestCase):
    def test_every_lab_test_is_registered_with_its_lab(self):
        for folder, suite, cases in lab_suites():
            registered = {}
            for source in sorted((folder / "tests").glob("*.cpp")):
                for name, lab in KTEST_RE.findall(source.read_text()):
                    registered[name] = (lab, source.relative_to(ROOT))
            for case in cases:
                if case.host_test is not None or case.variant is not None:
                    continue
                with self.subTest(lab=suite.lab, test=case.name):
                    self.assertIn(case.name, registered,
                                  f"{folder.name}/rubric.toml runs {case.name}, which no KTEST in "
                                  f"{folder.name}/tests/ defines")
                    lab, source = registered[case.name]
                    self.assertEqual(lab, str(suite.lab), f"{source}: KTEST({case.name}, {lab}) is graded by "
                                     f"lab {suite.lab}: register it with lab {suite.lab}")


class MechanismSelftests(unittest.TestCase):
    def test_selftests_repeat_the_lab_checks(self):
        lab_runs = {}
        for _, suite, cases in lab_suites():
            for case in cases:
                if case.variant is None and case.host_test is None:
                    lab_runs[case.name] = case
        _, kernel = rubric.load(rubric.kernel_manifest(ROOT))
        selftests = [c for c in kernel if c.name.startswith("selftest__")]
        if not selftests:
            self.skipTest("no lab self-tests here (a handout's rubric has none)")
        # The kernel suite's own defaults ([qemu] cmdline) are on every one of its runs.
        suite_words = set.intersection(*(set(c.cmdline.split()) for c in kernel if not c.host_test))
        for case in selftests:
            with self.subTest(selftest=case.id):
                parts = case.name.split("__")
                self.assertEqual(len(parts), 3, f"{case.name}: expected selftest__LABTEST__WORD")
                _, lab_test, word = parts
                self.assertIn(lab_test, lab_runs, f"{case.name} names no lab test {lab_test}")
                lab = lab_runs[lab_test]
                self.assertEqual(case.peers, lab.peers, f"{case.id}: its peers and trace checks differ from "
                                 f"{lab.suite.name}/{lab_test}'s: copy them again")
                self.assertEqual((case.machine, case.timeout), (lab.machine, lab.timeout))
                words, lab_words = case.cmdline.split(), lab.cmdline.split()
                extra = [w for w in words if w not in lab_words]
                self.assertEqual([w for w in words if w in lab_words], lab_words)
                self.assertIn(f"selftest.wrong={word}", extra)
                self.assertTrue(all(w in suite_words or w.startswith(("selftest.wrong=", "irqchip="))
                                    for w in extra), extra)


if __name__ == "__main__":
    unittest.main()
