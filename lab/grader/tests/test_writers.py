"""results.json, JUnit XML and Gradescope JSON writers, and the terminal report."""
import io
import json
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

from support import lines, load_text, record
from harness.qemu import RunOptions
from harness.report import print_failure, print_summary, print_tables
from harness.results import by_suite, evaluate
from harness import writers

N = "n0"


def make_totals():
    _, cases = load_text("""
        [suite]
        name = "lab1"
        lab = 1
        title = "PIO"
        [[test]]
        name = "good"
        points = 2
        [[test]]
        name = "bad"
        points = 3
        description = "putc waits for THRE"
        """)
    options = RunOptions(root=Path("/nonexistent"), iso=Path("x.iso"), out=Path("/tmp/o"))
    good = record(cases[0], lines(N, test="good"), nonce=N)
    # Kernel output may contain bytes XML cannot carry at all.
    bad = record(cases[1], lines(N, test="bad", result="fail") + "junk\x00\x1b[31m\n", nonce=N,
                 exit_status=35)
    return by_suite([evaluate(good, options), evaluate(bad, options)])


class Writers(unittest.TestCase):
    def setUp(self):
        self.totals = make_totals()

    def test_results_json(self):
        doc = json.loads(writers.results_json(self.totals, {"iso": "x.iso"}))
        self.assertEqual(doc["schema"], "conduit-grade-results/1")
        self.assertEqual(doc["summary"], {"passed": 1, "failed": 1, "score": 2.0, "max_score": 5.0})
        self.assertEqual(doc["iso"], "x.iso")
        bad = doc["tests"][1]
        self.assertEqual((bad["id"], bad["verdict"], bad["passed"], bad["score"]), ("bad", "fail", False, 0.0))
        self.assertEqual(bad["reason"], "expected 3, got 4")
        self.assertEqual(bad["nonce"], N)
        self.assertEqual(doc["suites"][0]["lab"], 1)

    def test_junit_xml_parses_and_counts(self):
        root = ET.fromstring(writers.junit_xml(self.totals))
        self.assertEqual((root.get("tests"), root.get("failures")), ("2", "1"))
        cases = root.findall("testsuite/testcase")
        self.assertEqual([c.get("name") for c in cases], ["good", "bad"])
        failure = cases[1].find("failure")
        self.assertEqual((failure.get("type"), failure.get("message")), ("fail", "expected 3, got 4"))
        self.assertIsNone(cases[0].find("failure"))
        self.assertNotIn("\x00", cases[1].find("system-out").text)

    def test_gradescope(self):
        doc = json.loads(writers.gradescope_json(self.totals, 12.4))
        self.assertEqual((doc["score"], doc["execution_time"]), (2.0, 12))
        self.assertEqual([(t["name"], t["score"], t["max_score"], t["status"], t["number"])
                          for t in doc["tests"]],
                         [("lab 1: good", 2.0, 2.0, "passed", "1.1"),
                          ("lab 1: bad", 0.0, 3.0, "failed", "1.2")])
        self.assertIn("expected 3, got 4", doc["tests"][1]["output"])

    def test_write_all(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            written = writers.write_all(self.totals, {}, out, None, out / "j.xml", out / "gs.json", 1.0)
            self.assertEqual(sorted(p.name for p in written), ["gs.json", "j.xml", "results.json"])
            self.assertFalse(list(out.glob("*.tmp")))


class Terminal(unittest.TestCase):
    def test_failure_block_and_last_line(self):
        totals = make_totals()
        out = io.StringIO()
        print_failure(totals[0].results[1], out)
        text = out.getvalue()
        for fragment in ("--- FAIL lab1/bad  [fail]  0/3 points", "test:    putc waits for THRE",
                         "reason:  expected 3, got 4", "last 5 lines of debugcon.log",
                         "| junk\\x00\\x1b[31m",
                         "rerun:   python3 lab/grader/grade.py"):
            self.assertIn(fragment, text)
        out = io.StringIO()
        print_tables(totals, out)
        print_summary(totals, out)
        self.assertIn("  total", out.getvalue())
        self.assertEqual(out.getvalue().splitlines()[-1], "1 passed, 1 failed")


if __name__ == "__main__":
    unittest.main()
