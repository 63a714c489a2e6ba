"""tools/handout_citations.py: every path a README, handout or header cites is in the tree."""
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import handout_citations  # noqa: E402


class Citations(unittest.TestCase):
    def test_dead_and_live_citations(self):
        with tempfile.TemporaryDirectory() as tmp:
            tree = Path(tmp)
            for rel in ("docs/style.md", "docs/how-a-byte-travels.md", "include/kernel/io/window.h",
                        "drivers/char/uart16550/regs.h", "lab/01-uart/README.md"):
                (tree / rel).parent.mkdir(parents=True, exist_ok=True)
                (tree / rel).write_text("x\n")
            (tree / "README.md").write_text(
                "See docs/style.md and STYLE.md, drivers/char/uart16550/regs.h:12, lab/NN-topic/ and\n"
                "build/grade/lab1/x/ (made by the build), docs/missing.md, ARCHITECTURE.md and\n"
                "../shared/design/LABS.md.\n")
            (tree / "include/kernel/io/window.h").write_text(
                "// kernel/io/window.h names include/-relative paths, like #include does;\n"
                "// the push model (docs/how-a-byte-\n// travels.md) is one citation.\n")
            problems = [(p.file, p.line, p.cited) for p in handout_citations.check_tree(tree)]
            self.assertEqual(problems, [
                ("README.md", 2, "docs/missing.md"), ("README.md", 2, "ARCHITECTURE.md"),
                ("README.md", 3, "../shared/design/LABS.md.")])


if __name__ == "__main__":
    unittest.main()
