"""Gradescope's results.json: the validator against the documented fields, the document made
from a batch row, and the pristine tree's times (an unzip must not make everything rebuild)."""
import os
import tempfile
import unittest
from pathlib import Path

from support import load_text
from harness import gradescope, pristine


class Validate(unittest.TestCase):
    GOOD = {"score": 3.0, "execution_time": 12, "output": "lab 2: 3/5", "stdout_visibility": "hidden",
            "tests": [{"name": "lab 2: a", "number": "2.1", "score": 3.0, "max_score": 3.0, "status": "passed",
                       "output": "passed", "tags": ["lab2"]},
                      {"name": "lab 2: b", "score": 0.0, "max_score": 2.0, "status": "failed",
                       "visibility": "after_published"}]}

    def test_a_good_document(self):
        self.assertEqual(gradescope.validate(self.GOOD), [])

    def test_what_gradescope_would_not_read(self):
        bad = {**self.GOOD, "grade": 3, "visibility": "sometimes", "score": float("nan"),
               "tests": [{"score": 5, "max_score": 2, "status": "ok", "tags": "lab2", "bogus": 1}]}
        problems = gradescope.validate(bad)
        for words in ("unknown top-level key 'grade'", "visibility: 'sometimes'", "score: nan",
                      "tests[0]: unknown key 'bogus'", "tests[0].status: 'ok'", "tests[0].tags",
                      "tests[0]: score 5 is outside 0..2"):
            self.assertTrue(any(words in p for p in problems), (words, problems))
        self.assertIn("no top-level score", " ".join(gradescope.validate({"tests": [{"max_score": 1}]})))

    def test_a_rejected_submission_scores_zero_with_its_reason(self):
        _, tests = load_text('[suite]\nname = "lab2"\nlab = 2\n[[test]]\nname = "a"\npoints = 3\n'
                             '[[test]]\nname = "b"\npoints = 2\nhidden = true\n')
        row = {"status": "rejected", "reason": "broken archive: member '../x' has a '..' path",
               "score": 0, "max_score": 5, "tests": [], "not_used": [], "static": []}
        doc = gradescope.results_from_row(row, 2, tests, 1.2)
        self.assertEqual(gradescope.validate(doc), [])
        self.assertEqual((doc["score"], [t["max_score"] for t in doc["tests"]]), (0.0, [3.0, 2.0]))
        self.assertIn("'..' path", doc["tests"][0]["output"])
        self.assertEqual(doc["tests"][1]["visibility"], "after_published")
        self.assertIn("'..' path", doc["output"])


class PristineTimes(unittest.TestCase):
    def test_sources_old_build_outputs_newer_whatever_the_unzip_did(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp)
            (tree / "kernel").mkdir()
            (tree / "build" / "kernel" / "kernel").mkdir(parents=True)
            source, obj = tree / "kernel" / "a.cpp", tree / "build" / "kernel" / "kernel" / "a.cpp.o"
            obj.write_text("o")
            source.write_text("s")          # written last: newer than its object, as after an unzip
            pristine.settle_times(tree)
            self.assertLess(os.stat(source).st_mtime, os.stat(obj).st_mtime)


if __name__ == "__main__":
    unittest.main()
