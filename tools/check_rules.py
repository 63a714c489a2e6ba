#!/usr/bin/env python3
"""The house rules a tool can check (docs/style.md, "Rules the build enforces").

Every violation is printed as `path:line: rule-name: message`; the exit status is 1 when there
is any. The rules:

  inline-asm              asm statements only in arch/x86_64/
  assembly-file           .S files only in arch/x86_64/
  port-io                 port instructions (in8/out8, inb/outb, ...) only in arch/x86_64/;
                          drivers use io::PortWindow
  arch-internal-include   arch/x86_64/include/ (arch/cpu.h & co.) only from arch/x86_64/;
                          everything else includes the public interface, include/arch/
  driver-includes-driver  a driver includes its own headers, its class core's and its bus's
                          (include/kernel/...), never another driver's (include/drivers/OTHER*,
                          or a path out of its own folder)
  kernel-includes-driver  kernel/ (the cores) never includes a driver's header
  lab-test-include        a lab's tests include only include/ and their own lab folder: no
                          `..` out of lab/NN-topic/
  file-too-long           source files stay under ~500 lines (fails above MAX_LINES)
  outside-citation        sources, handouts and docs cite the project's own pages (docs/...),
                          never design notes outside the repository

Scope: the kernel image's sources (arch/, kernel/, drivers/, include/, lab/NN-*/, tests/kernel/).
User-space programs (user/), host tests (tests/unit/) and tools are not kernel code and are not
checked. Run `python3 tools/check_rules.py --root DIR` to check another tree (the self-tests in
tests/tools/test_check_rules.py do, on purpose-made bad trees).
"""
import argparse
import os
import re
import sys

ARCH = "arch/x86_64"
ARCH_INTERNAL = ARCH + "/include"
MAX_LINES = 600   # "under ~500": the tolerance is for a long comment, not for a second concept
SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".h", ".hpp", ".S", ".s")
SCOPE = ("arch", "kernel", "drivers", "include", "lab", "tests/kernel")

PORT_IO = re.compile(r"\b(?:arch\s*::\s*)?(?:in|out)(?:b|w|l|8|16|32)\s*\(")
ASM = re.compile(r"\b(?:asm|__asm__|__asm)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
OUTSIDE = re.compile(r"\b(?:ARCHITECTURE|STYLE|LABS)\.md\b|\.\./shared/|/work/shared")
DOC_SCOPE = ("README.md", "docs", "lab")


def strip_comments_and_strings(text):
    """The text with comments and string/char literals blanked out, newlines kept (so line
    numbers stay right). Include lines are read from the original text."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" ")
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def lab_folder(path):
    """'lab/02-interrupts' for a file below it, else None."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[0] == "lab" and re.match(r"^\d\d-", parts[1]):
        return "/".join(parts[:2])
    return None


def driver_folder(path):
    """'drivers/char/uart16550' for a file below it, else None."""
    parts = path.split("/")
    if len(parts) >= 4 and parts[0] == "drivers":
        return "/".join(parts[:3])
    return None


class Checker:
    def __init__(self, root):
        self.root = root
        self.violations = []
        internal = os.path.join(root, ARCH_INTERNAL)
        self.internal_headers = set()
        for directory, _, files in os.walk(internal):
            for name in files:
                self.internal_headers.add(os.path.relpath(os.path.join(directory, name), internal))

    def report(self, path, line, rule, message):
        self.violations.append((path, line, rule, message))

    def files(self):
        for top in SCOPE:
            base = os.path.join(self.root, top)
            if not os.path.isdir(base):
                continue
            for directory, subdirs, names in os.walk(base):
                subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
                rel_dir = os.path.relpath(directory, self.root).replace(os.sep, "/")
                if rel_dir == "lab/grader" or rel_dir.startswith("lab/grader/"):
                    subdirs[:] = []
                    continue
                if top == "arch" and rel_dir != "arch" and not (rel_dir + "/").startswith(ARCH + "/"):
                    continue
                for name in sorted(names):
                    if name.endswith(SOURCE_SUFFIXES):
                        yield rel_dir + "/" + name

    def check_file(self, path):
        with open(os.path.join(self.root, path), encoding="utf-8", errors="replace") as f:
            text = f.read()
        in_arch = path.startswith(ARCH + "/")
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        if lines > MAX_LINES:
            self.report(path, MAX_LINES + 1, "file-too-long",
                        f"{lines} lines: split it by concept (the house rule is under ~500)")
        if not in_arch and path.endswith((".S", ".s")):
            self.report(path, 1, "assembly-file", "assembly source outside arch/x86_64/")
        code = strip_comments_and_strings(text)
        if not in_arch:
            for number, line in enumerate(code.split("\n"), 1):
                if ASM.search(line):
                    self.report(path, number, "inline-asm",
                                "inline assembly outside arch/x86_64/: add a function to include/arch/ instead")
                if PORT_IO.search(line):
                    self.report(path, number, "port-io",
                                "port instruction outside arch/x86_64/: use an io::PortWindow "
                                "(include/kernel/io/window.h)")
        for number, line in enumerate(text.split("\n"), 1):
            match = INCLUDE.match(line)
            if match:
                self.check_include(path, number, match.group(1) == "<", match.group(2).strip())

    def resolve_quoted(self, path, target):
        return os.path.normpath(os.path.join(os.path.dirname(path), target)).replace(os.sep, "/")

    def check_include(self, path, number, angled, target):
        in_arch = path.startswith(ARCH + "/")
        resolved = None if angled else self.resolve_quoted(path, target)
        if not in_arch:
            if (angled and target in self.internal_headers
                    and not os.path.exists(os.path.join(self.root, "include", target))) \
                    or (resolved and resolved.startswith(ARCH + "/")):
                self.report(path, number, "arch-internal-include",
                            f"includes {target}, an arch/x86_64 internal: use include/arch/ instead")
        driver = driver_folder(path)
        if driver:
            self.check_driver_include(path, number, angled, target, resolved, driver)
        if path.startswith("kernel/"):
            if (angled and target.startswith("drivers/")) or (resolved and resolved.startswith("drivers/")):
                self.report(path, number, "kernel-includes-driver",
                            f"includes {target}: the kernel's cores never depend on a driver")
        lab = lab_folder(path)
        if lab and not angled and not (resolved + "/").startswith(lab + "/"):
            self.report(path, number, "lab-test-include",
                        f"includes {target}, outside {lab}/: a lab includes only include/ and its own folder")

    def check_driver_include(self, path, number, angled, target, resolved, driver):
        name = driver.split("/")[-1]
        if angled and target.startswith("drivers/"):
            own = target[len("drivers/"):]
            if not (own == name + ".h" or own.startswith(name + "/") or own.startswith(name + "_")):
                self.report(path, number, "driver-includes-driver",
                            f"includes {target}: a driver talks to its class core and its bus, not to "
                            "another driver")
        if resolved is not None and not (resolved + "/").startswith(driver + "/"):
            self.report(path, number, "driver-includes-driver",
                        f"includes {target}, outside {driver}/: use include/ for shared interfaces")

    def documents(self):
        for top in DOC_SCOPE:
            base = os.path.join(self.root, top)
            if os.path.isfile(base):
                yield top
                continue
            for directory, subdirs, names in os.walk(base):
                subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
                for name in sorted(names):
                    if name.endswith(".md"):
                        yield os.path.relpath(os.path.join(directory, name), self.root).replace(os.sep, "/")

    def check_citations(self, path):
        with open(os.path.join(self.root, path), encoding="utf-8", errors="replace") as f:
            for number, line in enumerate(f, 1):
                if OUTSIDE.search(line):
                    self.report(path, number, "outside-citation",
                                "cites a design note outside the repository: cite docs/ instead")

    def run(self):
        for path in self.files():
            self.check_file(path)
            self.check_citations(path)
        for path in self.documents():
            self.check_citations(path)
        return self.violations


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    args = parser.parse_args()
    violations = Checker(os.path.abspath(args.root)).run()
    for path, line, rule, message in violations:
        print(f"{path}:{line}: {rule}: {message}")
    if violations:
        rules = sorted({v[2] for v in violations})
        print(f"check_rules: {len(violations)} violation(s) of {', '.join(rules)}", file=sys.stderr)
        return 1
    print("check_rules: the house rules hold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
