#!/usr/bin/env python3
"""Every path a tree's README, lab handouts and headers cite must exist in that tree.

    python3 tools/handout_citations.py [TREE]        (default: this tree)

A student tree stands alone: when a header says "see docs/writing-a-driver.md" or a handout
says "the registers are in drivers/char/uart16550/uart16550_regs.h", the student must find
them in the tree they were given. This reads

    README.md, lab/NN-*/README.md (the handouts), include/**/*.h (the headers)

and reports, with file and line:
  * a repository path (a word starting with arch/, docs/, drivers/, include/, kernel/, lab/,
    tests/, tools/ or user/) that names no file or folder of the tree;
  * a design document by bare name (STYLE.md, ARCHITECTURE.md, ...) that the tree does not
    have at its top or in docs/;
  * a path outside the repository (../shared/..., /work/...).
Templates are not citations: a path with a `*`, `NN`, `<...>`, `...` or `$`, or under build/
(made by the build), is skipped, and so is an instructor-only file (`*.instructor.*`), which a
text can only name as what a handout never has. tools/handout_check.py runs this over every handout and the
reference tree in `make check`.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

TOP_FOLDERS = ("arch", "docs", "drivers", "include", "kernel", "lab", "tests", "tools", "user")
PATH_RE = re.compile(r"(?<![\w./-])((?:%s)/[A-Za-z0-9_.*<$][A-Za-z0-9_.*<>$/-]*[A-Za-z0-9_/]|"
                     r"(?:%s)/[A-Za-z0-9_])" % ("|".join(TOP_FOLDERS), "|".join(TOP_FOLDERS)))
DOC_RE = re.compile(r"(?<![\w./-])([A-Z][A-Z0-9_-]*\.md)\b")
OUTSIDE_RE = re.compile(r"(\.\./shared\S*|/work/\S+)")
TEMPLATE_MARKS = ("*", "NN", "<", ">", "...", "$", "{", "}")


@dataclass
class Problem:
    file: str
    line: int
    cited: str
    why: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: cites {self.cited}: {self.why}"


def cited_files(tree: Path) -> list[Path]:
    files = [tree / "README.md"] if (tree / "README.md").is_file() else []
    files += sorted(p for p in tree.glob("lab/[0-9]*/README.md") if p.is_file())
    files += sorted(p for p in (tree / "include").rglob("*.h") if p.is_file()) if (tree / "include").is_dir() else []
    return files


# Headers name each other as #include does: relative to the include paths.
SEARCH = ("", "include", "arch/x86_64/include")


def _exists(tree: Path, cited: str) -> bool:
    path = cited.rstrip("/.")
    # "kernel/irq/irq_core.cpp:57" or "uart16550.h's" style suffixes
    stem = re.sub(r"[:'].*$", "", path)
    return any((tree / base / candidate).exists() for base in SEARCH for candidate in {path, stem})


CONTINUATION_RE = re.compile(r"^\s*(?://+|#+|\*+|<!--)?\s*([A-Za-z0-9_./-]+)")


def _unwrapped(cited: str, line: str, end: int, following: str | None) -> str:
    """A path broken at a hyphen at the end of a comment line ("docs/how-a-byte-" and, on the
    next line, "travels.md") is one citation."""
    if following is None or line[end:].strip() != "-":
        return cited
    more = CONTINUATION_RE.match(following)
    return cited + "-" + more.group(1) if more else cited


def check_text(tree: Path, rel: str, text: str) -> list[Problem]:
    problems = []
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        for match in OUTSIDE_RE.finditer(line):
            problems.append(Problem(rel, number, match.group(1), "outside the repository"))
        following = lines[number] if number < len(lines) else None
        for match in PATH_RE.finditer(line):
            cited = _unwrapped(match.group(1), line, match.end(), following)
            if any(mark in cited for mark in TEMPLATE_MARKS) or cited.startswith("build/"):
                continue
            if ".instructor." in cited or cited.endswith(".instructor"):
                continue        # named as what a handout never has (lab/instructor-only.txt)
            if not _exists(tree, cited):
                problems.append(Problem(rel, number, cited, "no such file or folder in this tree"))
        for match in DOC_RE.finditer(line):
            name = match.group(1)
            if not ((tree / name).is_file() or (tree / "docs" / name).is_file()
                    or (tree / "docs" / name.lower()).is_file()):
                problems.append(Problem(rel, number, name, "this tree has no such document"))
    return problems


def check_tree(tree: Path) -> list[Problem]:
    tree = tree.resolve()
    problems = []
    for path in cited_files(tree):
        text = path.read_text(encoding="utf-8", errors="replace")
        problems += check_text(tree, path.relative_to(tree).as_posix(), text)
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    tree = Path(args[0]) if args else Path(__file__).resolve().parents[1]
    problems = check_tree(tree)
    for problem in problems:
        print(problem)
    print(f"{len(cited_files(tree))} files read, {len(problems)} dead citation{'s' if len(problems) != 1 else ''}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
