"""Unit tests for tools/fences.py: the solution-fence parser and checker.

    python3 -m unittest discover -s tests/tools
"""
import io
import sys
import tempfile
import unittest
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

import fences  # noqa: E402
from fences import FenceError, INSTRUCTOR, parse  # noqa: E402

LABS = {0, 1, 2}


def cpp(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


def render(text: str, lab: int, path: str = "x.cpp", labs=LABS) -> str:
    return parse(text, path, fences.comment_style(path, text), labs).render(lab)


def error_of(text: str, path: str = "x.cpp", labs=LABS) -> FenceError:
    with unittest.TestCase().assertRaises(FenceError) as caught:
        parse(text, path, fences.comment_style(path, text), labs)
    return caught.exception


SOURCE = cpp(
    "int f()",
    "{",
    "    // BEGIN LAB 1",
    "    return 42;",
    "    // END LAB 1",
    "    // STUB LAB 1: return -ENOSYS;",
    "}",
)


class Balanced(unittest.TestCase):
    def test_lab_at_or_after_the_fence_gets_the_stub(self):
        expected = cpp("int f()", "{", "    return -ENOSYS;", "}")
        self.assertEqual(render(SOURCE, 1), expected)
        self.assertEqual(render(SOURCE, 0), expected)

    def test_later_lab_keeps_the_code_without_markers(self):
        self.assertEqual(render(SOURCE, 2), cpp("int f()", "{", "    return 42;", "}"))

    def test_fence_without_stub_disappears(self):
        text = cpp("a", "// BEGIN LAB 2", "b", "// END LAB 2", "c")
        self.assertEqual(render(text, 2), cpp("a", "c"))
        self.assertEqual(render(text, 3, labs={2, 3}), cpp("a", "b", "c"))

    def test_several_fences_and_labs_in_one_file(self):
        text = cpp("// BEGIN LAB 0", "zero", "// END LAB 0", "// STUB LAB 0: z",
                   "mid",
                   "// BEGIN LAB 2", "two", "// END LAB 2", "// STUB LAB 2: t")
        self.assertEqual(render(text, 0), cpp("z", "mid", "t"))
        self.assertEqual(render(text, 1), cpp("zero", "mid", "t"))
        self.assertEqual(render(text, 2), cpp("zero", "mid", "t"))
        self.assertEqual(render(text, 3, labs={0, 2, 3}), cpp("zero", "mid", "two"))

    def test_fence_list(self):
        parsed = parse(SOURCE, "x.cpp", fences.SLASH, LABS)
        [fence] = parsed.fences
        self.assertEqual((fence.lab, fence.begin, fence.end), (1, 3, 5))
        self.assertEqual(fence.body, ["    return 42;\n"])

    def test_file_without_markers_renders_unchanged(self):
        text = cpp("// a comment about the END of the loop", "int x; // BEGIN of the list")
        self.assertEqual(render(text, 0), text)


class Stubs(unittest.TestCase):
    def test_indentation_comes_from_the_marker_line(self):
        text = cpp("\t\t// BEGIN LAB 1", "\t\tx();", "\t\t// END LAB 1", "\t\t// STUB LAB 1: y();")
        self.assertEqual(render(text, 1), "\t\ty();\n")

    def test_extra_spaces_after_the_colon_indent_further(self):
        text = cpp("    // BEGIN LAB 1", "    x();", "    // END LAB 1",
                   "    // STUB LAB 1: if (z)", "    // STUB LAB 1:     return;")
        self.assertEqual(render(text, 1), cpp("    if (z)", "        return;"))

    def test_several_stub_lines_and_an_empty_one(self):
        text = cpp("// BEGIN LAB 1", "x", "// END LAB 1", "// STUB LAB 1: a", "// STUB LAB 1:",
                   "// STUB LAB 1: b")
        self.assertEqual(render(text, 1), cpp("a", "", "b"))

    def test_trailing_whitespace_of_a_stub_is_dropped(self):
        text = cpp("// BEGIN LAB 1", "x", "// END LAB 1", "// STUB LAB 1: a   ")
        self.assertEqual(render(text, 1), cpp("a"))

    def test_stub_text_may_contain_colons_and_comments(self):
        text = cpp("// BEGIN LAB 1", "x", "// END LAB 1", "// STUB LAB 1: // TODO: write me")
        self.assertEqual(render(text, 1), cpp("// TODO: write me"))

    def test_crlf_line_endings_are_kept(self):
        text = "a\r\n// BEGIN LAB 1\r\nx\r\n// END LAB 1\r\n// STUB LAB 1: y\r\nb\r\n"
        self.assertEqual(render(text, 1), "a\r\ny\r\nb\r\n")
        self.assertEqual(render(text, 2), "a\r\nx\r\nb\r\n")

    def test_stub_on_last_line_without_newline_gets_one(self):
        text = "// BEGIN LAB 1\nx\n// END LAB 1\n// STUB LAB 1: y"
        self.assertEqual(render(text, 1), "y\n")


class Errors(unittest.TestCase):
    def test_nested_begin(self):
        err = error_of(cpp("// BEGIN LAB 1", "// BEGIN LAB 2", "x", "// END LAB 2", "// END LAB 1"))
        self.assertEqual((err.path, err.line), ("x.cpp", 2))
        self.assertIn("do not nest", err.message)
        self.assertIn("line 1", err.message)

    def test_mismatched_end(self):
        err = error_of(cpp("a", "// BEGIN LAB 1", "x", "// END LAB 2"))
        self.assertEqual(err.line, 4)
        self.assertIn("END LAB 2 does not match BEGIN LAB 1 at line 2", err.message)

    def test_end_without_begin(self):
        err = error_of(cpp("a", "// END LAB 1"))
        self.assertEqual(err.line, 2)
        self.assertIn("without a BEGIN", err.message)

    def test_unclosed_begin_reports_the_begin_line(self):
        err = error_of(cpp("a", "b", "// BEGIN LAB 1", "x"))
        self.assertEqual(err.line, 3)
        self.assertIn("never closed", err.message)

    def test_unknown_lab(self):
        err = error_of(cpp("// BEGIN LAB 7", "x", "// END LAB 7"))
        self.assertEqual(err.line, 1)
        self.assertIn("no lab 7", err.message)
        self.assertIn("lab/07-*/", err.message)

    def test_unknown_lab_in_a_stub(self):
        err = error_of(cpp("// BEGIN LAB 1", "x", "// END LAB 1", "// STUB LAB 9: y"))
        self.assertEqual(err.line, 4)

    def test_unknown_labs_are_not_checked_without_a_lab_list(self):
        self.assertEqual(render(cpp("// BEGIN LAB 7", "x", "// END LAB 7"), 7, labs=None), "")

    def test_stub_without_fence(self):
        err = error_of(cpp("a", "// STUB LAB 1: y"))
        self.assertEqual(err.line, 2)
        self.assertIn("without a fence", err.message)

    def test_stub_not_directly_after_end(self):
        err = error_of(cpp("// BEGIN LAB 1", "x", "// END LAB 1", "", "// STUB LAB 1: y"))
        self.assertEqual(err.line, 5)

    def test_stub_of_another_lab(self):
        err = error_of(cpp("// BEGIN LAB 1", "x", "// END LAB 1", "// STUB LAB 2: y"))
        self.assertEqual(err.line, 4)
        self.assertIn("must match", err.message)

    def test_stub_inside_a_fence(self):
        err = error_of(cpp("// BEGIN LAB 1", "// STUB LAB 1: y", "// END LAB 1"))
        self.assertEqual(err.line, 2)

    def test_malformed_markers(self):
        for line in ("// BEGIN LAB1", "// BEGIN LAB 1 uart", "// begin lab 1", "// STUB LAB 1 y",
                     "//  END  LAB x", "// End Lab 2", "// BEGIN INSTRUCTORS"):
            with self.subTest(line=line):
                err = error_of(cpp("a", line))
                self.assertEqual(err.line, 2)
                self.assertIn("malformed fence marker", err.message)

    def test_str_is_file_colon_line(self):
        err = error_of(cpp("a", "// END LAB 1"), path="drivers/uart.cpp")
        self.assertTrue(str(err).startswith("drivers/uart.cpp:2: "))


class CommentStyles(unittest.TestCase):
    def test_style_by_file_name(self):
        for name, style in [("a.cpp", fences.SLASH), ("a.h", fences.SLASH), ("boot.S", fences.SLASH),
                            ("linker.ld", fences.BLOCK), ("Makefile", fences.HASH),
                            ("unit.mk", fences.HASH), ("x.py", fences.HASH), ("rubric.toml", fences.HASH),
                            ("deps.sh", fences.HASH), ("grub.cfg", fences.HASH),
                            ("README.md", fences.HTML), ("data.bin", None), ("x.json", None)]:
            with self.subTest(name=name):
                self.assertIs(fences.comment_style(name), style)

    def test_shebang_script_without_extension(self):
        self.assertIs(fences.comment_style(".ci/run", "#!/bin/sh\n"), fences.HASH)
        self.assertIsNone(fences.comment_style(".ci/run", "plain\n"))

    def test_block_comment_form_in_cpp(self):
        text = cpp("/* BEGIN LAB 1 */", "x", "/* END LAB 1 */", "/* STUB LAB 1: y */")
        self.assertEqual(render(text, 1), cpp("y"))

    def test_block_marker_without_close_is_an_error(self):
        err = error_of(cpp("/* BEGIN LAB 1", "x"))
        self.assertIn("missing the closing", err.message)

    def test_assembly(self):
        text = cpp("    // BEGIN LAB 1", "    mov $1, %eax", "    // END LAB 1", "    // STUB LAB 1: ud2")
        self.assertEqual(render(text, 1, path="entry.S"), cpp("    ud2"))

    def test_linker_script_accepts_only_block_comments(self):
        text = cpp("/* BEGIN LAB 1 */", "x", "/* END LAB 1 */")
        self.assertEqual(render(text, 1, path="linker.ld"), "")
        self.assertEqual(render(cpp("// BEGIN LAB 1"), 1, path="linker.ld"), cpp("// BEGIN LAB 1"))

    def test_hash_files(self):
        text = cpp("[x]", "# BEGIN LAB 1", "answer = 42", "# END LAB 1", "# STUB LAB 1: answer = 0")
        for path in ("answers.toml", "Makefile", "tool.py", "run.sh"):
            with self.subTest(path=path):
                self.assertEqual(render(text, 1, path=path), cpp("[x]", "answer = 0"))
                self.assertEqual(render(text, 2, path=path), cpp("[x]", "answer = 42"))

    def test_slash_markers_are_plain_text_in_hash_files(self):
        text = cpp('EXAMPLE = """', "// BEGIN LAB 1", '"""')
        self.assertEqual(render(text, 1, path="x.py"), text)

    def test_markdown_html_comments(self):
        text = cpp("# Title", "<!-- BEGIN LAB 1 -->", "The answer is 42.", "<!-- END LAB 1 -->",
                   "<!-- STUB LAB 1: The answer is ... -->")
        self.assertEqual(render(text, 1, path="README.md"), cpp("# Title", "The answer is ..."))
        self.assertEqual(render(text, 2, path="README.md"), cpp("# Title", "The answer is 42."))

    def test_markdown_code_blocks_may_show_markers(self):
        text = cpp("```cpp", "// BEGIN LAB 2", "code", "// END LAB 2", "```", "# BEGIN LAB 3")
        self.assertEqual(render(text, 0, path="NOTES.md"), text)

    def test_markdown_malformed_comment_marker(self):
        err = error_of(cpp("<!-- BEGIN LAB 1"), path="README.md")
        self.assertIn("missing the closing '-->'", err.message)


class Instructor(unittest.TestCase):
    def test_instructor_fence_is_always_removed(self):
        text = cpp("a", "# BEGIN INSTRUCTOR", "[[test]]", 'name = "hidden"', "# END INSTRUCTOR", "b")
        for lab in (0, 1, 2, 99):
            self.assertEqual(render(text, lab, path="rubric.toml"), cpp("a", "b"))
        parsed = parse(text, "rubric.toml", fences.HASH, LABS)
        self.assertEqual(parsed.fences[0].lab, INSTRUCTOR)

    def test_instructor_fence_may_have_a_stub(self):
        text = cpp("// BEGIN INSTRUCTOR", "secret();", "// END INSTRUCTOR", "// STUB INSTRUCTOR: public();")
        self.assertEqual(render(text, 0), cpp("public();"))

    def test_instructor_end_must_match(self):
        err = error_of(cpp("// BEGIN INSTRUCTOR", "x", "// END LAB 1"))
        self.assertIn("does not match BEGIN INSTRUCTOR", err.message)


class Tree(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        for d in ("lab/00-tools", "lab/01-uart", "lab/grader"):
            (self.root / d).mkdir(parents=True)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)

    def test_discover_labs(self):
        self.assertEqual(sorted(fences.discover_labs(self.root)), [0, 1])

    def test_duplicate_lab_number(self):
        (self.root / "lab/1-serial").mkdir()
        tree = fences.scan_tree(self.root)
        self.assertEqual(len(tree.errors), 1)

    def test_scan_collects_errors_of_every_file(self):
        self.write("a.cpp", cpp("// BEGIN LAB 1", "x", "// END LAB 1"))
        self.write("b.cpp", cpp("// BEGIN LAB 3", "x", "// END LAB 3"))
        self.write("c.h", cpp("// END LAB 0"))
        self.write("d.toml", cpp("# BEGIN LAB 0", "x = 1", "# END LAB 0"))
        tree = fences.scan_tree(self.root)
        self.assertEqual(sorted(tree.files), ["a.cpp", "d.toml"])
        self.assertEqual(sorted(str(e) for e in tree.errors),
                         ["b.cpp:1: BEGIN LAB 3: there is no lab 3 (no lab/03-*/ directory; labs: 0, 1)",
                          "c.h:1: END LAB 0 without a BEGIN LAB 0 before it"])

    def test_marker_in_an_unsupported_file_type(self):
        self.write("data.json", cpp("{", "// BEGIN LAB 1", "}"))
        tree = fences.scan_tree(self.root)
        self.assertEqual(len(tree.errors), 1)
        self.assertIn("data.json:2:", str(tree.errors[0]))

    def test_binary_files_are_skipped(self):
        (self.root / "blob.cpp").write_bytes(b"\0\1// BEGIN LAB 9\n")
        self.assertEqual(fences.scan_tree(self.root).errors, [])

    def test_without_git_build_and_handouts_are_skipped(self):
        self.write("build/x.cpp", cpp("// END LAB 1"))
        self.write("out/" + fences.HANDOUT_STAMP, "{}")
        self.write("out/y.cpp", cpp("// END LAB 1"))
        self.write("z.cpp", "int z;\n")
        names = fences.list_files(self.root)
        self.assertIn("z.cpp", names)
        self.assertFalse([n for n in names if n.startswith(("build/", "out/"))])

    def test_check_command_line(self):
        self.write("a.cpp", cpp("// BEGIN LAB 1", "x", "// END LAB 1", "// STUB LAB 1: y"))
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            self.assertEqual(fences.main(["--check", "--list", "--root", str(self.root)]), 0)
        self.assertIn("a.cpp:1-3", out.getvalue())
        self.assertIn("1 fence in 1 file", out.getvalue())
        self.write("b.cpp", cpp("// BEGIN LAB 1"))
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            self.assertEqual(fences.main(["--check", "--root", str(self.root)]), 1)
        self.assertIn("error: b.cpp:1: BEGIN LAB 1 is never closed", err.getvalue())


if __name__ == "__main__":
    unittest.main()
