#!/usr/bin/env python3
"""Solution fences: the markers that turn the reference tree into student handouts.

The repository is the reference solution. The code a student writes in lab N is fenced, and
the lines directly after the fence give the student's starting point (the stub):

    C, C++, headers, .S         //  BEGIN LAB 2          (or /* BEGIN LAB 2 */ on one line)
                                ...reference code...
                                //  END LAB 2
                                //  STUB LAB 2: return Error::from_errno(ENOSYS);

    Python, TOML, make, shell,  the same words after '#'  (e.g. '#  STUB LAB 0: gdb_secret = 0x0')
    grub.cfg, .gitignore, .txt
    linker scripts (.ld)        only the /* ... */ form
    Markdown (.md)              only the HTML-comment form: <!-- BEGIN LAB 2 -->, <!-- END LAB 2 -->,
                                <!-- STUB LAB 2: text --> (invisible when rendered; a '// BEGIN LAB'
                                line inside a Markdown code block is documentation, not a marker)

(The examples above are indented and spaced so that they are not markers themselves.)

Rules, all enforced by `fences.py --check` (and by tools/handout.py before it writes anything):
  * A marker is a whole line: optional indentation, the comment leader, the words, and for the
    block forms the closing '*/' or '-->'. Words are upper case: BEGIN, END, STUB, LAB.
  * N is the number of an existing lab: a directory lab/NN-topic/ (lab/00-tools is lab 0).
  * Fences do not nest, every BEGIN has an END of the same lab, and STUB lines may only follow
    an END (or another STUB) of the same lab. Zero STUB lines means the code just disappears.
  * A stub line becomes: the marker's indentation + the text after "STUB LAB N:" with one
    leading space removed. "// STUB LAB 2:" alone gives an empty line.
  * BEGIN INSTRUCTOR / END INSTRUCTOR (optionally followed by STUB INSTRUCTOR: lines) fence
    material that no handout ever gets, e.g. the rubric entry of a hidden test.
  * A line that almost is a marker ('// BEGIN LAB2', '// STUB LAB 2 x' without the colon,
    '// begin lab 2') is an error, so a typo never leaks a solution into a handout.

For lab N's handout, fences of labs >= N (and INSTRUCTOR fences) are replaced by their stubs;
fences of labs < N keep their code; the markers and stub lines themselves are always removed.

Usage:
  tools/fences.py --check        validate every fence in the tree (exit 1 on any error)
  tools/fences.py --list         list the fences by lab
  tools/fences.py --check FILE...  validate only these files
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

INSTRUCTOR = "INSTRUCTOR"           # the lab value of an instructor-only fence
HANDOUT_STAMP = ".conduit-handout.json"   # written into every generated handout tree
LAB_DIR_RE = re.compile(r"^(\d+)-[A-Za-z0-9][A-Za-z0-9_.-]*$")


# --- comment syntax per file type --------------------------------------------------------

@dataclass(frozen=True)
class Leader:
    open: str            # literal text that starts the comment
    close: str = ""      # literal text that ends it ("" for line comments)


@dataclass(frozen=True)
class Style:
    name: str
    leaders: tuple[Leader, ...]

    def example(self, words: str) -> str:
        leader = self.leaders[0]
        return f"{leader.open} {words}" + (f" {leader.close}" if leader.close else "")


SLASH = Style("C/C++", (Leader("//"), Leader("/*", "*/")))
BLOCK = Style("linker script", (Leader("/*", "*/"),))
HASH = Style("hash-comment", (Leader("#"),))
HTML = Style("Markdown", (Leader("<!--", "-->"),))

_EXTENSIONS = {
    **dict.fromkeys((".c", ".cc", ".cpp", ".cxx", ".h", ".hh", ".hpp", ".hxx", ".inc", ".S"), SLASH),
    **dict.fromkeys((".ld", ".lds"), BLOCK),
    **dict.fromkeys((".py", ".toml", ".mk", ".sh", ".bash", ".cfg", ".txt", ".yml", ".yaml",
                     ".gitignore", ".s", ".gdb", ".conf"), HASH),
    **dict.fromkeys((".md", ".markdown"), HTML),
}
_NAMES = {"Makefile": HASH, "GNUmakefile": HASH, "makefile": HASH, ".gitignore": HASH,
          ".gdbinit": HASH, "gdbinit": HASH}


def comment_style(path: str | Path, text: str | None = None) -> Style | None:
    """The fence syntax of a file, from its name (or a '#!' first line); None: no fences."""
    name = Path(path).name
    if name in _NAMES:
        return _NAMES[name]
    style = _EXTENSIONS.get(Path(name).suffix)
    if style is None and text is not None and text.startswith("#!"):
        return HASH
    return style


# --- parsing -------------------------------------------------------------------------------

class FenceError(Exception):
    """A malformed fence; str() is 'path:line: message' like a compiler's."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class Fence:
    lab: int | str                  # a lab number, or INSTRUCTOR
    begin: int                      # 1-based line numbers of the markers
    end: int
    body: list[str] = field(default_factory=list)     # reference lines (with line endings)
    stubs: list[str] = field(default_factory=list)    # rendered stub lines (with line endings)

    def removed_in(self, lab: int) -> bool:
        return self.lab == INSTRUCTOR or self.lab >= lab


@dataclass
class Parsed:
    """A file as plain lines and fences, in order."""
    path: str
    items: list[str | Fence]

    @property
    def fences(self) -> list[Fence]:
        return [item for item in self.items if isinstance(item, Fence)]

    def render(self, lab: int) -> str:
        out: list[str] = []
        for item in self.items:
            if isinstance(item, str):
                out.append(item)
            elif item.removed_in(lab):
                out.extend(item.stubs)
            else:
                out.extend(item.body)
        return "".join(out)


@dataclass(frozen=True)
class Marker:
    kind: str            # BEGIN, END, STUB
    lab: int | str
    indent: str
    text: str            # STUB only: the stub text


_WORDS_RE = re.compile(r"^(BEGIN|END) (?:LAB ([0-9]+)|(INSTRUCTOR))$")
_STUB_RE = re.compile(r"^STUB (?:LAB ([0-9]+)|(INSTRUCTOR)):(.*)$", re.S)
_NEAR_RE = re.compile(r"^(?:begin|end|stub)\s*(?:lab\s*[0-9]|instructor)", re.I)
_NEAR_UPPER_RE = re.compile(r"^(?:BEGIN|END|STUB)\s*(?:LAB|INSTRUCTOR)")


def _split_ending(line: str) -> tuple[str, str]:
    for ending in ("\r\n", "\n", "\r"):
        if line.endswith(ending):
            return line[: -len(ending)], ending
    return line, ""


def classify(line: str, style: Style) -> Marker | str | None:
    """A Marker, None for an ordinary line, or an error message for an almost-marker."""
    content, _ = _split_ending(line)
    stripped = content.lstrip(" \t")
    indent = content[: len(content) - len(stripped)]
    for leader in style.leaders:
        if not stripped.startswith(leader.open):
            continue
        rest = stripped[len(leader.open):]
        words = rest.lstrip(" \t")
        if not (_NEAR_RE.match(words) or _NEAR_UPPER_RE.match(words)):
            continue
        body = words.rstrip(" \t")
        if leader.close:
            if not body.endswith(leader.close):
                return (f"malformed fence marker (missing the closing '{leader.close}' on the "
                        f"same line): {stripped.strip()!r}")
            body = body[: -len(leader.close)]
        stub = _STUB_RE.match(body)
        if stub:
            lab = int(stub.group(1)) if stub.group(1) else INSTRUCTOR
            text = stub.group(3).rstrip(" \t")
            if text.startswith(" "):
                text = text[1:]
            return Marker("STUB", lab, indent, text)
        plain = _WORDS_RE.match(body.rstrip(" \t"))
        if plain:
            lab = int(plain.group(2)) if plain.group(2) else INSTRUCTOR
            return Marker(plain.group(1), lab, indent, "")
        return (f"malformed fence marker {stripped.strip()!r}: expected "
                f"'{style.example('BEGIN LAB N')}', '{style.example('END LAB N')}' or "
                f"'{style.example('STUB LAB N: code')}' (N a lab number; upper case, single spaces)")
    return None


def _label(lab: int | str) -> str:
    return "INSTRUCTOR" if lab == INSTRUCTOR else f"LAB {lab}"


def parse(text: str, path: str, style: Style, known_labs: set[int] | None = None) -> Parsed:
    """Splits a file into lines and fences. Raises FenceError at the first problem."""
    items: list[str | Fence] = []
    open_fence: Fence | None = None
    last_closed: Fence | None = None     # the fence whose END (or STUB) was the previous line
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        marker = classify(line, style)
        if isinstance(marker, str):
            raise FenceError(path, number, marker)
        if marker is None:
            if open_fence is not None:
                open_fence.body.append(line)
            else:
                items.append(line)
            last_closed = None
            continue
        if (known_labs is not None and marker.lab != INSTRUCTOR
                and marker.lab not in known_labs):
            labs = ", ".join(str(n) for n in sorted(known_labs)) or "none"
            raise FenceError(path, number, f"{marker.kind} LAB {marker.lab}: there is no lab "
                             f"{marker.lab} (no lab/{marker.lab:02d}-*/ directory; labs: {labs})")
        if marker.kind == "BEGIN":
            if open_fence is not None:
                raise FenceError(path, number, f"BEGIN {_label(marker.lab)} inside the fence "
                                 f"BEGIN {_label(open_fence.lab)} opened at line {open_fence.begin}: "
                                 "fences do not nest (close the first one with END "
                                 f"{_label(open_fence.lab)} before)")
            open_fence = Fence(marker.lab, number, 0)
            last_closed = None
        elif marker.kind == "END":
            if open_fence is None:
                raise FenceError(path, number, f"END {_label(marker.lab)} without a BEGIN "
                                 f"{_label(marker.lab)} before it")
            if open_fence.lab != marker.lab:
                raise FenceError(path, number, f"END {_label(marker.lab)} does not match BEGIN "
                                 f"{_label(open_fence.lab)} at line {open_fence.begin}")
            open_fence.end = number
            items.append(open_fence)
            last_closed, open_fence = open_fence, None
        else:   # STUB
            if open_fence is not None:
                raise FenceError(path, number, f"STUB {_label(marker.lab)} inside the fence "
                                 f"opened at line {open_fence.begin}: stub lines go directly "
                                 f"after END {_label(open_fence.lab)}")
            if last_closed is None:
                raise FenceError(path, number, f"STUB {_label(marker.lab)} without a fence: stub "
                                 f"lines must directly follow END {_label(marker.lab)} (or "
                                 "another stub line of that fence)")
            if last_closed.lab != marker.lab:
                raise FenceError(path, number, f"STUB {_label(marker.lab)} follows END "
                                 f"{_label(last_closed.lab)} (line {last_closed.end}): the lab "
                                 "numbers must match")
            _, ending = _split_ending(line)
            last_closed.stubs.append(marker.indent + marker.text + (ending or "\n"))
    if open_fence is not None:
        raise FenceError(path, open_fence.begin, f"BEGIN {_label(open_fence.lab)} is never "
                         f"closed (no END {_label(open_fence.lab)} before the end of the file)")
    return Parsed(path, items)


def has_marker_text(text: str) -> bool:
    """Cheap pre-filter: could this text contain a marker at all?"""
    return re.search(r"(?i)\b(?:begin|end|stub)\s*(?:lab\s*[0-9]|instructor)", text) is not None


def parse_file(path: Path, relpath: str, known_labs: set[int] | None) -> Parsed | None:
    """Parsed fences of a file, or None when the file has no markers (or is binary)."""
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not has_marker_text(text):
        return None
    style = comment_style(relpath, text)
    if style is None:
        for leader_style in (SLASH, HASH, HTML):
            for number, line in enumerate(text.splitlines(), start=1):
                if isinstance(classify(line, leader_style), Marker):
                    raise FenceError(relpath, number, "fence marker in a file type without fence "
                                     f"support ({Path(relpath).suffix or 'no extension'}); "
                                     "see tools/fences.py for the supported types")
        return None
    parsed = parse(text, relpath, style, known_labs)
    return parsed if parsed.fences else None


# --- the tree ------------------------------------------------------------------------------

def discover_labs(root: Path) -> dict[int, Path]:
    """Lab number -> lab/NN-topic directory. Raises FenceError on two labs with one number."""
    labs: dict[int, Path] = {}
    lab_dir = root / "lab"
    if not lab_dir.is_dir():
        return labs
    for entry in sorted(lab_dir.iterdir()):
        match = LAB_DIR_RE.match(entry.name)
        if not match or not entry.is_dir():
            continue
        number = int(match.group(1))
        if number in labs:
            raise FenceError(f"lab/{entry.name}", 0, f"lab {number} also has directory "
                             f"{labs[number].relative_to(root)}")
        labs[number] = entry
    return labs


_SKIP_DIRS = {".git", "build", "__pycache__"}


def list_files(root: Path, exclude: Path | None = None) -> list[str]:
    """The tree's files as repository-relative POSIX paths: git's tracked files plus untracked
    files that are not ignored (so a new file counts before it is committed). Without git (or
    when root is not the top of a work tree, e.g. a handout inside build/) every file except
    build/, .git and caches. Directories holding a generated handout are skipped."""
    root = root.resolve()
    names: list[str] | None = None
    try:
        top = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                             capture_output=True, text=True, check=True).stdout.strip()
        if top and Path(top).resolve() == root:
            out = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                                  "--exclude-standard"], capture_output=True, check=True).stdout
            names = sorted({n for n in out.decode("utf-8", "surrogateescape").split("\0") if n})
    except (OSError, subprocess.CalledProcessError):
        names = None
    if names is None:
        names = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
            rel = Path(dirpath).relative_to(root)
            for name in sorted(filenames):
                if name.endswith(".pyc"):
                    continue
                names.append((rel / name).as_posix())
    stamped = {str(Path(n).parent) for n in names if Path(n).name == HANDOUT_STAMP and "/" in n}
    excluded = None
    if exclude is not None:
        try:
            excluded = exclude.resolve().relative_to(root).as_posix()
        except ValueError:
            excluded = None
    result = []
    for name in names:
        if excluded and (name == excluded or name.startswith(excluded + "/")):
            continue
        if any(name.startswith(d + "/") for d in stamped):
            continue
        path = root / name
        if not path.is_symlink() and not path.is_file():
            continue     # deleted in the work tree but still in the index, or a submodule
        result.append(name)
    return result


@dataclass
class TreeFences:
    files: dict[str, Parsed]         # relpath -> parsed, only files with fences
    errors: list[FenceError]
    labs: dict[int, Path]


def scan_tree(root: Path, names: list[str] | None = None, exclude: Path | None = None) -> TreeFences:
    """Parses every file's fences; collects every file's first error."""
    root = root.resolve()
    errors: list[FenceError] = []
    try:
        labs = discover_labs(root)
    except FenceError as err:
        return TreeFences({}, [err], {})
    files: dict[str, Parsed] = {}
    for name in (names if names is not None else list_files(root, exclude)):
        path = root / name
        if path.is_symlink() or not path.is_file():
            continue
        try:
            parsed = parse_file(path, name, set(labs))
        except FenceError as err:
            errors.append(err)
            continue
        except OSError as err:
            errors.append(FenceError(name, 0, f"unreadable: {err}"))
            continue
        if parsed is not None:
            files[name] = parsed
    return TreeFences(files, errors, labs)


def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--check", action="store_true", help="validate every fence (the default)")
    p.add_argument("--list", action="store_true", help="list the fences by lab")
    p.add_argument("--root", type=Path, default=repo_root(), help="the tree (default: this repository)")
    p.add_argument("files", nargs="*", help="only these files (paths relative to the root or absolute)")
    args = p.parse_args(argv)
    root = args.root.resolve()
    names = None
    if args.files:
        names = []
        for f in args.files:
            full = Path(f).resolve() if Path(f).is_absolute() or Path(f).exists() else root / f
            try:
                names.append(full.relative_to(root).as_posix())
            except ValueError:
                print(f"fences: {f} is not inside {root}", file=sys.stderr)
                return 2
    tree = scan_tree(root, names)
    for err in tree.errors:
        print(f"error: {err}", file=sys.stderr)
    per_lab: dict[int | str, list[str]] = {}
    for name, parsed in sorted(tree.files.items()):
        for fence in parsed.fences:
            per_lab.setdefault(fence.lab, []).append(
                f"{name}:{fence.begin}-{fence.end} ({len(fence.body)} lines, {len(fence.stubs)} stub)")
    if args.list:
        for lab in sorted(per_lab, key=lambda l: (l == INSTRUCTOR, l if l != INSTRUCTOR else 0)):
            print(f"{_label(lab)}:")
            for entry in per_lab[lab]:
                print(f"  {entry}")
    count = sum(len(v) for v in per_lab.values())
    summary = ", ".join(f"{_label(lab).lower()}: {len(v)}" for lab, v in
                        sorted(per_lab.items(), key=lambda kv: (kv[0] == INSTRUCTOR, kv[0] if kv[0] != INSTRUCTOR else 0)))
    status = f"{len(tree.errors)} error{'s' if len(tree.errors) != 1 else ''}"
    print(f"fences: {count} fence{'s' if count != 1 else ''} in {len(tree.files)} "
          f"file{'s' if len(tree.files) != 1 else ''}" + (f" ({summary})" if summary else "")
          + f"; labs {', '.join(map(str, sorted(tree.labs))) or 'none'}; {status}")
    return 1 if tree.errors else 0


if __name__ == "__main__":
    sys.exit(main())
