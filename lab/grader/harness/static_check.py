"""Static checks on the code built from a student's files (batch grading).

Student code runs in ring 0, next to the test runner: inside the guest it can do anything the
kernel can, including printing the runner's result lines with the right nonce and leaving
through QEMU's exit port before the real test fails. So before any points are given, the
objects built from the student's files (and their sources) are checked:

  * every undefined symbol (`nm -u`, demangled) must match the lab's `allow_symbols`;
  * no inline asm in the source, and no port I/O or privileged instruction in the object
    (objdump), unless the lab's `allow_asm` allows it for that file;
  * whatever a lab allows, a reference to the test runner, the diagnostic channel, QEMU's exit
    port, fw_cfg or the kernel command line (symbols), the protocol's words in the object's
    data ("@@CONDUIT", "nonce=", "test-pass"), or a port write to the debug console (0xe9),
    the exit port (0xf4) or fw_cfg (0x510) is an integrity finding;
  * no #include of an absolute path or of a path outside the tree.

Any finding makes the lab's tests score zero with the finding as the reason (batch.py); the
instructor sees every finding in the report. The instructor notes of each lab say which points
rest on in-guest checks alone and how these checks cover them.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .student import StudentRules

INTEGRITY_SYMBOLS = (
    ("the test runner", re.compile(r"^(ktest::|ktest_(fn|desc|ptr)_|__ktests_)")),
    ("the diagnostic channel", re.compile(r"^(diag_print\b|arch::debugcon_|set_console_mirrored_to_diag\b)")),
    ("QEMU's exit port", re.compile(r"^arch::qemu_exit\b")),
    ("fw_cfg", re.compile(r"fw_cfg")),
    ("the kernel command line", re.compile(r"^(kernel_cmdline|boot_info)\(")),
)
INTEGRITY_STRINGS = (b"@@CONDUIT", b"nonce=", b"test-pass", b"test-begin")
INTEGRITY_PORTS = {0xE9: "the debug console (0xe9)", **{p: "QEMU's exit port (0xf4)" for p in range(0xF4, 0xF8)},
                   **{p: "fw_cfg (0x510)" for p in range(0x510, 0x51C)}}
PRIVILEGED_RE = re.compile(
    r"^\s*[0-9a-f]+:\s+(?:rep[a-z]*\s+)?(in|out|insb|insw|insl|insd|outsb|outsw|outsl|outsd|ins|outs|"
    r"cli|sti|hlt|lgdt|lidt|ltr|lldt|wrmsr|rdmsr|invlpg|wbinvd|swapgs|sysretq|iretq|lmsw|"
    r"int|int1|mov\s+%cr|mov\s+[^,]+,%cr|mov\s+%dr)\b(.*)$")
FUNCTION_RE = re.compile(r"^[0-9a-f]+ <(.+)>:$")
ASM_WORD_RE = re.compile(r"\b(asm|__asm__|__asm)\b")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.MULTILINE)
SOURCE_SUFFIXES = (".cpp", ".cc", ".c", ".h", ".hpp", ".S", ".s")


@dataclass
class Finding:
    file: str
    rule: str            # "integrity", "symbol", "asm", "include"
    what: str            # one line a student can act on
    integrity: bool = False

    def line(self) -> str:
        return f"{self.file}: {self.what}"

    def as_dict(self) -> dict:
        return {"file": self.file, "rule": self.rule, "what": self.what, "integrity": self.integrity}


Runner = Callable[[list[str]], str]


def _plain_runner(argv: list[str]) -> str:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120,
                          errors="replace").stdout


def object_of(build: Path, relpath: str) -> Path:
    """Where the kernel build puts the object of a source (Makefile: BUILD/kernel/%.cpp.o)."""
    return build / "kernel" / f"{relpath}.o"


def check(tree: Path, rules: StudentRules, files: list[str], run: Runner = _plain_runner,
          build: Path | None = None) -> list[Finding]:
    """Every finding for the student's files in tree (built: objects in BUILD/kernel, by
    default tree/build)."""
    findings: list[Finding] = []
    for rel in files:
        if not rel.endswith(SOURCE_SUFFIXES):
            continue
        source = tree / rel
        try:
            text = source.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        findings += _source_findings(rel, text, rules)
        obj = object_of(build or tree / "build", rel)
        if obj.is_file():
            findings += _symbol_findings(rel, run(["nm", "-u", "-C", str(obj)]), rules)
            findings += _data_findings(rel, obj.read_bytes())
            findings += _instruction_findings(rel, run(["objdump", "-d", "-C", "--no-show-raw-insn",
                                                        str(obj)]), rules)
    return _dedupe(findings)


def _strip_comments_and_strings(text: str) -> str:
    pattern = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.DOTALL)
    return pattern.sub(lambda m: " " if m.group(0).startswith("/") else '""', text)


def _source_findings(rel: str, text: str, rules: StudentRules) -> list[Finding]:
    found = []
    code = _strip_comments_and_strings(text)
    if not rules.asm_allowed(rel):
        if rel.endswith((".S", ".s")):
            found.append(Finding(rel, "asm", "is an assembly file; this lab allows no assembly"))
        match = ASM_WORD_RE.search(code)
        if match:
            line = code.count("\n", 0, match.start()) + 1
            found.append(Finding(rel, "asm", f"line {line}: inline asm ('{match.group(1)}'); this "
                                 "lab allows none: use the I/O manager's windows"))
    for match in INCLUDE_RE.finditer(text):
        target = match.group(1)
        if target.startswith("/") or ".." in Path(target).parts:
            line = text.count("\n", 0, match.start()) + 1
            found.append(Finding(rel, "include", f"line {line}: #include \"{target}\" names a file "
                                 "outside the tree's include paths"))
    return found


def _symbol_findings(rel: str, nm_output: str, rules: StudentRules) -> list[Finding]:
    found = []
    for line in nm_output.splitlines():
        name = line.strip()
        if name.startswith("U "):
            name = name[2:].strip()
        if not name:
            continue
        integrity = next((what for what, regex in INTEGRITY_SYMBOLS if regex.search(name)), None)
        if integrity:
            found.append(Finding(rel, "integrity", f"references {integrity} ({name}): student code "
                                 "must not touch the test machinery", True))
        elif not rules.symbol_allowed(name):
            found.append(Finding(rel, "symbol", f"references {name}, which this lab's code may not "
                                 "use (not in the rubric's allow_symbols)"))
    return found


def _data_findings(rel: str, data: bytes) -> list[Finding]:
    return [Finding(rel, "integrity", f"contains the test protocol's text \"{word.decode()}\": "
                    "student code must not print result lines", True)
            for word in INTEGRITY_STRINGS if word in data]


def _instruction_findings(rel: str, disassembly: str, rules: StudentRules) -> list[Finding]:
    found, function = [], "?"
    allowed = rules.asm_allowed(rel)
    for line in disassembly.splitlines():
        head = FUNCTION_RE.match(line)
        if head:
            function = head.group(1)
            continue
        match = PRIVILEGED_RE.match(line)
        if match is None:
            continue
        text = re.sub(r"\s+", " ", line.split(":", 1)[1].strip())
        port = re.search(r",\$0x([0-9a-f]+)$|^\S+\s+\$0x([0-9a-f]+),", text)
        number = int(port.group(1) or port.group(2), 16) if port else None
        if number in INTEGRITY_PORTS:
            found.append(Finding(rel, "integrity", f"'{text}' in {function} touches "
                                 f"{INTEGRITY_PORTS[number]}", True))
        elif not allowed:
            found.append(Finding(rel, "asm", f"'{text}' in {function}: port I/O or a privileged "
                                 "instruction, which this lab allows only through the kernel's interfaces"))
        elif match.group(1).startswith("out") and number is None:
            found.append(Finding(rel, "asm", f"'{text}' in {function} writes a port chosen at run "
                                 "time; the lab's code writes only fixed ports"))
    return found


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen, out = set(), []
    for finding in findings:
        key = (finding.file, finding.rule, finding.what)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def summary(findings: list[Finding]) -> str:
    """The reason given to every affected test: the first finding, integrity ones first."""
    ordered = sorted(findings, key=lambda f: not f.integrity)
    more = len(ordered) - 1
    return f"static check: {ordered[0].line()}" + (f" (and {more} more finding{'s' if more > 1 else ''}, "
                                                   "see static.txt)" if more > 0 else "")
