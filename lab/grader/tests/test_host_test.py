"""host_test entries: the host unit tests graded like in-kernel tests (fake_catch.py stands in
for build/host/unit_tests; one real run when the binary is built)."""
import json
import shutil
import tempfile
import unittest
from pathlib import Path

from support import GRADER, ROOT, load_text, run_grader, write_rubric
from harness import host_test
from harness.rubric import RubricError

FAKE = GRADER / "tests" / "fake_catch.py"
REAL = ROOT / "build" / "host" / "unit_tests"

RUBRIC = """
[suite]
name = "lab9"
lab = 9
[[test]]
name = "two_causes"
points = 2
host_test = "[pass]"
[[test]]
name = "counts"
host_test = "[fail]"
[[test]]
name = "overflow"
host_test = "[crash]"
[[test]]
name = "null"
host_test = "[segv]"
[[test]]
name = "silent"
host_test = "[hang]"
timeout = 1
[[test]]
name = "nothing"
host_test = "[none]"
[[test]]
name = "liar"
host_test = "[liar]"
"""


class HostTestRuns(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="grader-host-"))
        rubric = write_rubric(cls.tmp, RUBRIC)
        cls.proc = run_grader("--suite", str(rubric), "--host-tests", str(FAKE),
                              "--iso", "/nonexistent.iso", "--out", str(cls.tmp / "out"),
                              "--gradescope", str(cls.tmp / "gs.json"))
        cls.doc = json.loads((cls.tmp / "out" / "results.json").read_text())
        cls.by_id = {t["id"]: t for t in cls.doc["tests"]}

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def verdict(self, test_id):
        t = self.by_id[test_id]
        return t["verdict"], t["verdict_reason"]

    def test_pass_earns_its_points_without_an_iso(self):
        self.assertEqual(self.verdict("two_causes"), ("pass", "passed"))
        self.assertEqual(self.by_id["two_causes"]["score"], 2)

    def test_a_failed_assertion_names_expression_and_line(self):
        kind, reason = self.verdict("counts")
        self.assertEqual(kind, "fail")
        self.assertIn("REQUIRE(model.rx_bytes() == 2) with expansion 1 == 2 (uart_model_test.cpp:42)", reason)

    def test_a_sanitizer_report_is_a_panic(self):
        kind, reason = self.verdict("overflow")
        self.assertEqual(kind, "panic")
        self.assertIn("AddressSanitizer: heap-buffer-overflow", reason)

    def test_a_fatal_signal_is_a_panic(self):
        kind, reason = self.verdict("null")
        self.assertEqual(kind, "panic")
        self.assertIn("SIGSEGV", reason)

    def test_silence_is_a_hang(self):
        self.assertEqual(self.verdict("silent")[0], "hang")

    def test_a_spec_that_matches_nothing(self):
        kind, reason = self.verdict("nothing")
        self.assertEqual(kind, "no-result")
        self.assertIn("[none] matched no test case", reason)

    def test_a_bad_exit_status(self):
        self.assertEqual(self.verdict("liar")[0], "bad-exit")

    def test_same_outputs_as_kernel_tests(self):
        self.assertEqual(self.proc.returncode, 1)
        self.assertEqual(self.proc.stdout.splitlines()[-1], "1 passed, 6 failed")
        testdir = Path(self.by_id["counts"]["logdir"])
        for name in ("host.log", "report.xml", "cmd.txt"):
            self.assertTrue((testdir / name).is_file(), name)
        gradescope = json.loads((self.tmp / "gs.json").read_text())
        self.assertEqual([t["max_score"] for t in gradescope["tests"]][:2], [2.0, 1.0])


class HostTestRubric(unittest.TestCase):
    def test_qemu_keys_do_not_apply(self):
        with self.assertRaisesRegex(RubricError, "'machine' does not apply"):
            load_text('[suite]\nname = "s"\n[[test]]\nname = "a"\nhost_test = "[x]"\nmachine = "pc"\n')
        with self.assertRaisesRegex(RubricError, "Catch2 test spec"):
            load_text('[suite]\nname = "s"\n[[test]]\nname = "a"\nhost_test = " "\n')

    def test_truncated_report_is_still_read(self):
        text = ('<?xml version="1.0"?>\n<Catch><Group><TestCase name="a">'
                '<Expression success="false" type="CHECK" filename="a.cpp" line="3">'
                '<Original>x</Original><Expanded>0</Expanded></Expression>'
                '<OverallResult success="false"/></TestCase><TestCase name="b">')
        report = host_test.parse_report(text)
        self.assertEqual((report.cases, report.complete), (2, False))
        self.assertEqual(report.failures, ["a: CHECK(x) with expansion 0 (a.cpp:3)"])


@unittest.skipUnless(REAL.is_file(), "build/host/unit_tests is not built (make unit-tests-build)")
class RealBinary(unittest.TestCase):
    def test_a_real_tag(self):
        with tempfile.TemporaryDirectory() as tmp:
            rubric = write_rubric(Path(tmp), '[suite]\nname = "h"\n[[test]]\nname = "fmt"\n'
                                  'host_test = "[format]"\n[[test]]\nname = "none"\n'
                                  'host_test = "[no-such-tag]"\n')
            proc = run_grader("--suite", str(rubric), "--host-tests", str(REAL),
                              "--out", str(Path(tmp) / "out"))
            doc = json.loads((Path(tmp) / "out" / "results.json").read_text())
            verdicts = {t["id"]: t["verdict"] for t in doc["tests"]}
            self.assertEqual(verdicts, {"fmt": "pass", "none": "no-result"}, proc.stdout)


if __name__ == "__main__":
    unittest.main()
