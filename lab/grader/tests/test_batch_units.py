"""Batch grading's parts without QEMU: unpacking untrusted submissions, choosing the student's
files, the static checks over canned nm/objdump output, and the sandbox's walls (real bwrap)."""
import io
import os
import shutil
import tarfile
import tempfile
import time
import unittest
import zipfile
from pathlib import Path
from unittest import mock

from support import GRADER  # noqa: F401  (sets the import path)
from harness import batch, static_check, student, submission
from harness.sandbox import Sandbox


def tar_bytes(members) -> bytes:
    """members: (name, data or None for a dir, kind, linkname)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data, kind, link in members:
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = link or ""
            info.size = len(data or b"")
            tar.addfile(info, io.BytesIO(data or b""))
    return buffer.getvalue()


class Unpack(unittest.TestCase):
    def setUp(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="unpack-"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def tarball(self, *members) -> Path:
        path = self.tmp / "s.tar.gz"
        path.write_bytes(tar_bytes(members))
        return path

    def rejected(self, path: Path) -> str:
        with self.assertRaises(submission.Rejected) as caught:
            submission.unpack(path, self.tmp / "out")
        return str(caught.exception)

    def test_a_good_tarball_in_a_top_folder(self):
        path = self.tarball(("conduit/Makefile", b"all:\n", tarfile.REGTYPE, None),
                            ("conduit/drivers/a.cpp", b"int a;\n", tarfile.REGTYPE, None),
                            ("conduit/drivers/link.cpp", None, tarfile.SYMTYPE, "a.cpp"),
                            ("conduit/build/conduit.iso", b"stale", tarfile.REGTYPE, None),
                            ("conduit/.git/HEAD", b"ref", tarfile.REGTYPE, None))
        out = submission.unpack(path, self.tmp / "out")
        self.assertEqual(out.root.name, "conduit")
        self.assertEqual((out.root / "drivers" / "a.cpp").read_text(), "int a;\n")
        self.assertEqual(sorted(out.skipped), [".git", "build"])   # as the student sees their tree
        self.assertFalse((out.root / "build").exists())
        self.assertEqual(out.symlinks, ["drivers/link.cpp"])

    def test_dotdot_absolute_and_escaping_links_are_refused(self):
        self.assertIn("'..' path", self.rejected(self.tarball(("../../x", b"x", tarfile.REGTYPE, None))))
        self.assertIn("absolute path", self.rejected(self.tarball(("/etc/x", b"x", tarfile.REGTYPE, None))))
        self.assertIn("leaves the tree", self.rejected(self.tarball(
            ("t/a.cpp", None, tarfile.SYMTYPE, "../../../etc/passwd"))))
        self.assertIn("leaves the tree", self.rejected(self.tarball(("t/a.cpp", None, tarfile.SYMTYPE, "/etc/passwd"))))
        self.assertIn("device", self.rejected(self.tarball(("t/dev", None, tarfile.CHRTYPE, None))))
        self.assertFalse((self.tmp.parent / "x").exists())

    def test_huge_files_and_bombs(self):
        with mock.patch.object(submission, "MAX_FILE_BYTES", 1000):
            self.assertIn("huge file: t/big", self.rejected(self.tarball(("t/big", b"x" * 2000, tarfile.REGTYPE, None))))
            path = self.tmp / "s.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr("t/big", b"\0" * 5000)
            self.assertIn("huge file", self.rejected(path))
        with mock.patch.object(submission, "MAX_TOTAL_BYTES", 3000):
            self.assertIn("too big", self.rejected(self.tarball(
                *[(f"t/f{i}", b"x" * 1000, tarfile.REGTYPE, None) for i in range(4)])))

    def test_a_zip_with_an_escaping_symlink(self):
        path = self.tmp / "s.zip"
        with zipfile.ZipFile(path, "w") as archive:
            info = zipfile.ZipInfo("t/a.cpp")
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, "../../../../etc/shadow")
        self.assertIn("leaves the tree", self.rejected(path))

    def test_garbage_is_a_broken_archive(self):
        path = self.tmp / "s.tar.gz"
        path.write_bytes(b"this is not a tarball")
        self.assertIn("broken archive", self.rejected(path))
        path = self.tmp / "s.zip"
        path.write_bytes(b"PK not really")
        self.assertIn("broken archive", self.rejected(path))

    def test_a_folder_with_an_escaping_symlink(self):
        folder = self.tmp / "alice"
        (folder / "drivers").mkdir(parents=True)
        os.symlink("/etc/passwd", folder / "drivers" / "a.cpp")
        self.assertIn("leaves the tree", self.rejected(folder))


class Choose(unittest.TestCase):
    def test_only_the_lab_files_are_taken_and_the_rest_is_listed(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            mine, theirs = tmp / "pristine" / "tree", tmp / "sub"
            for tree in (mine, theirs):
                (tree / "drivers").mkdir(parents=True)
                (tree / "Makefile").write_text("all:\n")
                (tree / "drivers" / "a.cpp").write_text("stub\n")
                (tree / "drivers" / "b.cpp").write_text("given\n")
                (tree / "tests.cpp").write_text("test\n")
            (theirs / "drivers" / "a.cpp").write_text("solution\n")
            (theirs / "Makefile").write_text("all:\n\t$(shell evil)\n")
            (theirs / "extra.toml").write_text("x\n")
            (theirs / "tests.cpp").unlink()
            os.symlink("a.cpp", theirs / "drivers" / "c.cpp")
            rules = student.parse({"files": ["drivers/a.cpp", "drivers/c.cpp", "drivers/b.cpp"]})
            pristine = mock.Mock(tree=mine, suite=mock.Mock(student=rules))
            result = batch.compare(theirs, pristine)
            self.assertEqual(result.taken, ["drivers/a.cpp"])
            self.assertEqual(result.unchanged, ["drivers/b.cpp"])
            self.assertEqual(result.not_used, ["changed: Makefile", "added: extra.toml", "removed: tests.cpp"])
            self.assertEqual(len(result.refused), 1)
            # The student's file goes in newer than everything, and its old object goes.
            obj = mine / "build" / "kernel" / "drivers" / "a.cpp.o"
            obj.parent.mkdir(parents=True)
            obj.write_bytes(b"old")
            os.utime(theirs / "drivers" / "a.cpp", (0, 0))
            batch.overlay(mine, theirs, result.taken)
            self.assertFalse(obj.exists())
            self.assertGreater((mine / "drivers" / "a.cpp").stat().st_mtime, time.time() - 60)


RULES = student.parse({"files": ["drivers/x.cpp", "arch/pic.cpp"], "allow_symbols": ["^io::", "^kprint\\("],
                       "allow_asm": ["arch/pic.cpp"]})


class Static(unittest.TestCase):
    def test_symbols(self):
        nm = "                 U io::PortWindow::read8(unsigned short) const\n" \
             "                 U ktest::note(char const*, ...)\n                 U sched::yield()\n"
        found = static_check._symbol_findings("drivers/x.cpp", nm, RULES)
        self.assertEqual([(f.rule, f.integrity) for f in found], [("integrity", True), ("symbol", False)])
        self.assertIn("references the test runner (ktest::note", found[0].what)

    def test_instructions(self):
        text = ("0000000000000000 <f()>:\n   0:\tout    %al,$0xf4\n   2:\tout    %al,$0x20\n"
                "   4:\tin     (%dx),%al\n   6:\tout    %al,(%dx)\n   8:\tcli    \n")
        allowed = static_check._instruction_findings("arch/pic.cpp", text, RULES)
        self.assertEqual([f.rule for f in allowed], ["integrity", "asm"])
        self.assertIn("QEMU's exit port", allowed[0].what)
        self.assertIn("port chosen at run time", allowed[1].what)
        refused = static_check._instruction_findings("drivers/x.cpp", text, RULES)
        self.assertEqual([f.rule for f in refused], ["integrity", "asm", "asm", "asm", "asm"])

    def test_source_and_data(self):
        source = ('// asm in a comment is fine\nchar const* s = "asm";\nvoid f() { asm volatile("hlt"); }\n'
                  '#include "/etc/passwd"\n#include "../../tests/kernel/x.h"\n')
        found = static_check._source_findings("drivers/x.cpp", source, RULES)
        self.assertEqual([f.rule for f in found], ["asm", "include", "include"])
        self.assertIn("line 3: inline asm", found[0].what)
        self.assertEqual(static_check._source_findings("arch/pic.cpp", "void f() { asm(\"\"); }", RULES), [])
        data = static_check._data_findings("drivers/x.cpp", b"\0@@CONDUIT test-pass name=%s nonce=%s\0")
        self.assertEqual(len(data), 3)
        self.assertTrue(static_check.summary(found + data).startswith(
            "static check: drivers/x.cpp: contains the test protocol's text"))


@unittest.skipIf(Sandbox().available(), f"no sandbox here: {Sandbox().available()}")
class SandboxWalls(unittest.TestCase):
    """What a build or a kernel run in the sandbox can reach: its work folder and nothing else."""

    def test_writes_outside_the_work_folder_fail(self):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "work"
            work.mkdir()
            os.chmod(tmp, 0o755)
            box = Sandbox(roots=[work])
            box.adopt(work)
            outside = [Path(tmp) / "escaped", GRADER / "escaped", Path("/tmp/conduit-sandbox-escaped"),
                       Path.home() / "conduit-sandbox-escaped"]
            script = "; ".join(f"echo x > {p} 2>/dev/null && echo WROTE {p}" for p in outside)
            script += f"; echo inside > {work}/ok; id -u; (exec 3<>/dev/tcp/1.1.1.1/53) 2>/dev/null && echo NET"
            proc = __import__("subprocess").run(box.wrap(["bash", "-c", script]), capture_output=True,
                                                text=True, timeout=60)
            self.assertEqual((work / "ok").read_text(), "inside\n")
            # /tmp inside is a private tmpfs: writes there succeed and vanish with the sandbox.
            self.assertNotIn(f"WROTE {GRADER}", proc.stdout)
            self.assertNotIn(f"WROTE {Path.home()}", proc.stdout)
            self.assertNotIn("NET", proc.stdout)
            for path in outside:
                self.assertFalse(path.exists(), path)
            if os.geteuid() == 0:
                self.assertEqual(proc.stdout.split()[-1], "65534", "runs as nobody, not root")


if __name__ == "__main__":
    unittest.main()
