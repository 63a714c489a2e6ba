"""tools/handout_rubric.py: hidden test runs never reach a handout.

    python3 -m unittest discover -s tests/tools
"""
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import handout  # noqa: E402
import handout_rubric  # noqa: E402

RUBRIC = '''[suite]
name = "lab9"
lab = 9

[[test]]
name = "a"
points = 2
[[test.peer]]
kind = "disk"
size = 1024
# the instructor's seed: students must not tune for it
[[test.variant]]
name = "seed2"
hidden = true
cmdline = "seed=2"
[[test.variant.mechanism]]
event = "serial_read"
max_count = 3
[[test.variant]]
name = "pc"
machine = "pc"

# a whole hidden test, with a variant and a check of its own
[[test]]
name = "b"
hidden = true
[[test.variant]]
name = "x"
[[test.mechanism]]
event = "serial_read"
max_count = 3

[[test]]
name = "c"
'''


class StripHidden(unittest.TestCase):
    def test_hidden_tests_and_variants_go_with_their_tables_and_comments(self):
        text, removed = handout_rubric.strip_hidden(RUBRIC)
        self.assertEqual(removed, ["a@seed2", "b", "b@x"])
        for gone in ("seed2", "seed=2", "instructor's seed", 'name = "b"', "hidden", "max_count"):
            self.assertNotIn(gone, text)
        for kept in ('name = "a"', 'kind = "disk"', 'name = "pc"', 'name = "c"'):
            self.assertIn(kept, text)

    def test_a_rubric_without_hidden_runs_is_untouched(self):
        text = RUBRIC.replace("hidden = true\n", "")
        self.assertEqual(handout_rubric.strip_hidden(text), (text, []))

    def test_a_hidden_inline_table_is_an_error_not_a_leak(self):
        text = '[suite]\nname = "s"\n[[test]]\nname = "a"\nvariant = [{ name = "v", hidden = true }]\n'
        with self.assertRaisesRegex(handout_rubric.HiddenError, r"a@v.*own \[\[test\]\]"):
            handout_rubric.strip_hidden(text, "lab/09-x/rubric.toml")

    def test_a_broken_rubric_names_itself(self):
        with self.assertRaisesRegex(handout_rubric.HiddenError, r"^lab/09-x/rubric.toml:3: "):
            handout_rubric.strip_hidden('[suite]\nname = "s"\nhidden = 1\n', "lab/09-x/rubric.toml")

    def test_the_handout_generator_strips_them(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "ref"
            (root / "lab" / "09-x").mkdir(parents=True)
            (root / "lab" / "09-x" / "rubric.toml").write_text(RUBRIC)
            (root / "lab" / "09-x" / "README.md").write_text("# lab 9\n")
            plan = handout.make_handout(root, 9, Path(tmp) / "out")
            self.assertEqual(plan.hidden, {"lab/09-x/rubric.toml": ["a@seed2", "b", "b@x"]})
            text = (Path(tmp) / "out" / "lab" / "09-x" / "rubric.toml").read_text()
            self.assertNotIn("hidden", text)


if __name__ == "__main__":
    unittest.main()
