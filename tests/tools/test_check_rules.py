"""Self-tests of tools/check_rules.py, the house-rules checker: on purpose-made bad trees it must
fail with the file, the line and the rule's name; a clean tree and the real repository pass; and
the build itself compiles drivers without the arch include path.

    python3 -m unittest discover -s tests/tools
"""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "tools" / "check_rules.py"

CLEAN = {
    "arch/x86_64/include/arch/cpu.h": "inline void out8(unsigned short p, unsigned char v) "
                                      "{ asm volatile(\"outb %0, %1\" ::\"a\"(v), \"Nd\"(p)); }\n",
    "arch/x86_64/port_io.cpp": "#include <arch/cpu.h>\nvoid poke() { arch::out8(0x80, 0); }\n",
    "include/arch/platform.h": "void cpu_relax();\n",
    "include/drivers/foo.h": "int foo();\n",
    "include/drivers/foo_testing.h": "int foo_test();\n",
    "drivers/char/foo/foo.cpp": ("// asm and outb in a comment are fine: asm volatile(\"outb\")\n"
                                 "#include \"foo_regs.h\"\n#include <drivers/foo.h>\n#include <drivers/foo_testing.h>\n"
                                 "#include <kernel/tty/tty.h>\nchar const* s = \"asm volatile\";\nint foo() { return 1; }\n"),
    "drivers/char/foo/foo_regs.h": "#pragma once\n",
    "drivers/char/bar/bar.cpp": "#include <kernel/io/window.h>\nint bar() { return 2; }\n",
    "kernel/core.cpp": "#include <arch/platform.h>\nint core() { return 0; }\n",
    "lab/02-irq/tests/t.cpp": "#include \"support.h\"\n#include \"../kernel/lab.h\"\n#include <drivers/foo.h>\n",
    "lab/02-irq/tests/support.h": "#pragma once\n",
    "lab/02-irq/kernel/lab.h": "#pragma once\n",
    "lab/grader/harness/x.cpp": "asm(\"nop\");\n",   # not kernel code
    "user/lib/syscall.cpp": "long sc() { long r; asm volatile(\"syscall\" : \"=a\"(r)); return r; }\n",
}


def run_checker(root):
    return subprocess.run([sys.executable, str(CHECKER), "--root", str(root)], capture_output=True, text=True)


class CheckRulesTest(unittest.TestCase):
    def make_tree(self, extra):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        root = Path(self.tmp.name)
        for path, text in {**CLEAN, **extra}.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        return root

    def assert_violation(self, extra, path, line, rule):
        result = run_checker(self.make_tree(extra))
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(f"{path}:{line}: {rule}:", result.stdout)
        self.assertIn(rule, result.stderr)   # the summary names the rule too

    def test_clean_tree_passes(self):
        result = run_checker(self.make_tree({}))
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("the house rules hold", result.stdout)

    def test_outb_in_a_driver(self):
        self.assert_violation({"drivers/char/foo/foo.cpp": "#include <drivers/foo.h>\n\nvoid kick()\n{\n"
                                                           "    arch::out8(0x3F8, 'x');\n}\n"},
                              "drivers/char/foo/foo.cpp", 5, "port-io")

    def test_asm_in_kernel(self):
        self.assert_violation({"kernel/core.cpp": "int core()\n{\n    asm volatile(\"cli\");\n    return 0;\n}\n"},
                              "kernel/core.cpp", 3, "inline-asm")

    def test_driver_including_another_drivers_header(self):
        self.assert_violation({"drivers/char/bar/bar.cpp": "#include <kernel/io/window.h>\n#include <drivers/foo.h>\n"},
                              "drivers/char/bar/bar.cpp", 2, "driver-includes-driver")

    def test_driver_including_another_driver_through_a_path(self):
        self.assert_violation({"drivers/char/bar/bar.cpp": "#include \"../foo/foo_regs.h\"\n"},
                              "drivers/char/bar/bar.cpp", 1, "driver-includes-driver")

    def test_lab_test_including_through_dotdot(self):
        self.assert_violation({"lab/02-irq/tests/t.cpp": "#include <drivers/foo.h>\n"
                                                         "#include \"../../01-poll/tests/support.h\"\n"},
                              "lab/02-irq/tests/t.cpp", 2, "lab-test-include")

    def test_arch_internal_include_outside_arch(self):
        self.assert_violation({"kernel/core.cpp": "#include <arch/cpu.h>\n"}, "kernel/core.cpp", 1,
                              "arch-internal-include")

    def test_kernel_including_a_driver(self):
        self.assert_violation({"kernel/core.cpp": "#include <drivers/foo.h>\n"}, "kernel/core.cpp", 1,
                              "kernel-includes-driver")

    def test_assembly_file_outside_arch(self):
        self.assert_violation({"kernel/entry.S": "nop\n"}, "kernel/entry.S", 1, "assembly-file")

    def test_file_too_long(self):
        self.assert_violation({"kernel/long.cpp": "int x;\n" * 700}, "kernel/long.cpp", 601, "file-too-long")

    def test_citation_of_a_page_outside_the_repository(self):
        self.assert_violation({"lab/02-irq/README.md": "# Lab\n\nSee ARCHITECTURE.md section 3.\n"},
                              "lab/02-irq/README.md", 3, "outside-citation")
        self.assert_violation({"kernel/core.cpp": "// The core (STYLE.md rule 4).\nint core();\n"},
                              "kernel/core.cpp", 1, "outside-citation")

    def test_the_repository_holds_the_rules(self):
        result = run_checker(ROOT)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def test_drivers_compile_without_the_arch_include_path(self):
        """The build's own command lines: -Iarch/x86_64/include only for arch/ files."""
        def command(target):
            out = subprocess.run(["make", "-n", "-B", "--no-print-directory", target], cwd=ROOT,
                                 capture_output=True, text=True, env={**os.environ, "MAKEFLAGS": ""})
            lines = [l for l in out.stdout.splitlines() if " -c " in l]
            self.assertTrue(lines, out.stdout + out.stderr)
            return lines[0]
        self.assertNotIn("arch/x86_64/include", command("build/kernel/drivers/char/mem/mem.cpp.o"))
        self.assertNotIn("arch/x86_64/include", command("build/kernel/kernel/dev/file.cpp.o"))
        self.assertIn("-Iarch/x86_64/include", command("build/kernel/arch/x86_64/port_io.cpp.o"))


if __name__ == "__main__":
    unittest.main()
