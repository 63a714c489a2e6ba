"""Unit tests for tools/handout.py: the student trees.

    python3 -m unittest discover -s tests/tools
"""
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import fences  # noqa: E402
import handout  # noqa: E402

HAVE_GIT = shutil.which("git") is not None
OLD = 1_600_000_000_000_000_000   # a fixed modification time (ns) for reference files


class TreeCase(unittest.TestCase):
    """A small reference tree: two labs, fenced sources, instructor material."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        base = Path(self.tmp.name)
        self.root = base / "ref"
        self.out = base / "out"
        self.files = {
            "Makefile": "all:\n\t@echo build\n",
            "kernel/plain.cpp": "int plain;\n",
            "drivers/uart.cpp": ("int putc(char c)\n{\n    // BEGIN LAB 1\n    return out(c);\n"
                                 "    // END LAB 1\n    // STUB LAB 1: return -1;\n}\n"),
            "lab/00-tools/answers.toml": "# BEGIN LAB 0\nx = 7\n# END LAB 0\n# STUB LAB 0: x = 0\n",
            "lab/00-tools/rubric.toml": "[suite]\nname = \"lab0\"\nlab = 0\n",
            "lab/00-tools/NOTES.instructor.md": "the answer is 7\n",
            "lab/01-uart/rubric.toml": ("[suite]\nname = \"lab1\"\nlab = 1\n# BEGIN INSTRUCTOR\n"
                                        "[[test]]\nname = \"hidden\"\n# END INSTRUCTOR\n"),
            "lab/01-uart/tests/hidden.instructor/t.cpp": "int hidden;\n",
            "lab/instructor-only.txt": "# comment\nlab/instructor-only.txt\ntools/secret_*.py\n",
            "tools/secret_tool.py": "print('x')\n",
            "tools/run.sh": "#!/bin/sh\necho hi\n",
        }
        for rel, text in self.files.items():
            path = self.root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            os.utime(path, ns=(OLD, OLD))
        os.chmod(self.root / "tools/run.sh", 0o755)

    def tearDown(self):
        self.tmp.cleanup()

    def make(self, lab: int, out: Path | None = None, base: Path | None = None, **kw) -> handout.Plan:
        return handout.make_handout(self.root, lab, out or self.out, base=base, **kw)


class Content(TreeCase):
    def test_lab0_handout(self):
        self.make(0)
        self.assertEqual((self.out / "drivers/uart.cpp").read_text(),
                         "int putc(char c)\n{\n    return -1;\n}\n")
        self.assertEqual((self.out / "lab/00-tools/answers.toml").read_text(), "x = 0\n")
        self.assertEqual((self.out / "lab/01-uart/rubric.toml").read_text(),
                         "[suite]\nname = \"lab1\"\nlab = 1\n")

    def test_lab1_handout_keeps_lab0_solution(self):
        self.make(1)
        self.assertEqual((self.out / "lab/00-tools/answers.toml").read_text(), "x = 7\n")
        self.assertIn("return -1;", (self.out / "drivers/uart.cpp").read_text())

    def test_instructor_only_material_is_left_out(self):
        plan = self.make(1)
        for rel in ("lab/00-tools/NOTES.instructor.md", "lab/01-uart/tests/hidden.instructor/t.cpp",
                    "lab/instructor-only.txt", "tools/secret_tool.py"):
            with self.subTest(rel=rel):
                self.assertFalse((self.out / rel).exists())
                self.assertIn(rel, plan.removed)
        self.assertTrue((self.out / "tools/run.sh").exists())

    def test_stamp(self):
        self.make(1)
        stamp = json.loads((self.out / fences.HANDOUT_STAMP).read_text())
        self.assertEqual(stamp["lab"], 1)

    def test_unknown_lab(self):
        with self.assertRaises(handout.HandoutError) as caught:
            self.make(5)
        self.assertIn("no lab 5", str(caught.exception))
        self.assertFalse(self.out.exists())

    def test_malformed_fence_writes_nothing(self):
        (self.root / "kernel/bad.cpp").write_text("// BEGIN LAB 1\nx\n")
        with self.assertRaises(handout.HandoutError) as caught:
            self.make(1)
        self.assertIn("kernel/bad.cpp:1: BEGIN LAB 1 is never closed", str(caught.exception))
        self.assertFalse(self.out.exists())


class Times(TreeCase):
    def test_unchanged_files_keep_mode_and_time(self):
        self.make(0)
        for rel in ("kernel/plain.cpp", "Makefile", "tools/run.sh"):
            with self.subTest(rel=rel):
                self.assertEqual((self.out / rel).stat().st_mtime_ns, OLD)
        self.assertEqual((self.out / "tools/run.sh").stat().st_mode & 0o777, 0o755)

    def test_changed_files_are_newer_and_keep_mode(self):
        os.chmod(self.root / "drivers/uart.cpp", 0o640)
        self.make(0)
        target = (self.out / "drivers/uart.cpp").stat()
        self.assertGreater(target.st_mtime_ns, OLD)
        self.assertEqual(target.st_mode & 0o777, 0o640)

    def test_base_handout_donates_times_of_identical_files(self):
        first = self.out.parent / "h0"
        self.make(0, out=first)
        base_time = OLD + 5_000_000_000
        for rel in ("drivers/uart.cpp", "lab/00-tools/answers.toml"):
            os.utime(first / rel, ns=(base_time, base_time))
        self.make(1, base=first)
        # uart.cpp is stubbed in both handouts: same text, so the base's time
        self.assertEqual((self.out / "drivers/uart.cpp").stat().st_mtime_ns, base_time)
        # answers.toml is solved in lab 1's handout: new text, new time
        self.assertGreater((self.out / "lab/00-tools/answers.toml").stat().st_mtime_ns, base_time)


class Output(TreeCase):
    def test_refuses_a_non_empty_directory_that_is_not_a_handout(self):
        self.out.mkdir()
        (self.out / "precious.txt").write_text("keep me")
        with self.assertRaises(handout.HandoutError):
            self.make(0)
        self.assertEqual((self.out / "precious.txt").read_text(), "keep me")

    def test_replaces_a_previous_handout_entirely(self):
        self.make(0)
        (self.out / "build").mkdir()
        (self.out / "build/stale.o").write_text("")
        (self.out / "kernel/extra.cpp").write_text("")
        if HAVE_GIT:
            # The handout is a git repository: perhaps a student's work by now.
            with self.assertRaisesRegex(handout.HandoutError, "holds a git repository.*FORCE=1"):
                self.make(1)
            self.assertTrue((self.out / "kernel/extra.cpp").exists())
        self.make(1, force=True)
        self.assertFalse((self.out / "build").exists())
        self.assertFalse((self.out / "kernel/extra.cpp").exists())
        self.assertEqual((self.out / "lab/00-tools/answers.toml").read_text(), "x = 7\n")

    def test_refuses_to_overwrite_the_reference(self):
        with self.assertRaises(handout.HandoutError):
            self.make(0, out=self.root)
        with self.assertRaises(handout.HandoutError):
            self.make(0, out=self.root.parent)

    def test_command_line(self):
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            rc = handout.main(["--lab", "0", "--out", str(self.out), "--root", str(self.root)])
        self.assertEqual(rc, 0, err.getvalue())
        self.assertIn("handout for lab 0", out.getvalue())
        with redirect_stdout(out), redirect_stderr(err):
            self.assertEqual(handout.main(["--lab", "9", "--out", str(self.out), "--root", str(self.root)]), 1)
        self.assertIn("no lab 9", err.getvalue())


@unittest.skipUnless(HAVE_GIT, "git is not installed")
class Git(TreeCase):
    def git(self, *args):
        subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True,
                       env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})

    def test_tracked_and_untracked_files_but_not_ignored_ones(self):
        (self.root / ".gitignore").write_text("/build/\n*.o\n")
        self.git("init", "-q")
        self.git("add", ".")
        self.git("commit", "-q", "-m", "x")
        (self.root / "kernel/new.cpp").write_text("int fresh;\n")          # untracked
        (self.root / "kernel/obj.o").write_text("")                        # ignored
        (self.root / "build").mkdir()
        (self.root / "build/kernel.elf").write_text("")                   # ignored
        (self.root / "Makefile").unlink()                                  # deleted, still in the index
        self.make(0)
        self.assertTrue((self.out / "kernel/new.cpp").exists())
        self.assertFalse((self.out / "kernel/obj.o").exists())
        self.assertFalse((self.out / "build").exists())
        self.assertFalse((self.out / "Makefile").exists())
        self.assertTrue((self.out / ".gitignore").exists())

    def test_handout_inside_the_tree_is_not_copied_into_the_next(self):
        self.git("init", "-q")
        inside = self.root / "handouts" / "h0"
        with self.assertRaisesRegex(handout.HandoutError, "inside the reference tree"):
            self.make(0, out=inside)
        self.make(0, out=inside, allow_inside=True)    # the checks' own trees (build/handouts)
        self.make(1)
        self.assertFalse((self.out / "handouts").exists())

    def test_the_handout_is_a_repository_with_one_commit(self):
        self.make(1)
        log = subprocess.run(["git", "-C", str(self.out), "log", "--format=%s"], capture_output=True,
                             text=True, check=True).stdout.splitlines()
        self.assertEqual(log, ["Lab 1 handout"])
        status = subprocess.run(["git", "-C", str(self.out), "status", "--porcelain"], capture_output=True,
                                text=True, check=True).stdout
        self.assertEqual(status, "", "every file of the handout is in the commit")

    def test_a_student_readme_replaces_the_reference_readme(self):
        (self.root / "README.md").write_text("This repository is the reference solution.\n")
        (self.root / "lab/handout-README.md").write_text("# Lab @LAB@ in @LAB_DIR@\n\n@LADDER@\n\n@DOCS@\n")
        (self.root / "docs").mkdir()
        (self.root / "docs/style.md").write_text("# How Conduit is written\n")
        self.make(1)
        text = (self.out / "README.md").read_text()
        self.assertTrue(text.startswith("# Lab 1 in lab/01-uart\n"), text)
        self.assertNotIn("reference solution", text)
        self.assertIn("| 1 | [`lab/01-uart`](lab/01-uart/README.md) |", text)
        self.assertIn("**yours: this handout**", text)
        self.assertIn("- [`docs/style.md`](docs/style.md): How Conduit is written", text)
        self.assertFalse((self.out / "lab/handout-README.md").exists())


if __name__ == "__main__":
    unittest.main()
