"""A lab's `[student]` table: which files a student may change, and what their code may use.

    [student]
    files = ["drivers/block/ata/pio.cpp", "drivers/block/ata/*.cpp"]   # paths or globs
    allow_symbols = ['^io::PortWindow::', '^time::now_ns\\(\\)$']      # regexes, demangled nm -u
    allow_asm = false                          # or true, or a list of the files (globs) that may

Batch grading (tools/grade_submissions.py) takes exactly these files from a submission and
everything else from the instructor's pristine tree; the static checks (static_check.py) hold
the objects built from them to `allow_symbols` and `allow_asm`. Globs follow fnmatch, except
that `*` does not cross a `/` and `**` does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

KEYS = {"files", "allow_symbols", "allow_asm"}


class StudentError(ValueError):
    """A [student] table that cannot be used; the message names the key."""


@dataclass(frozen=True)
class StudentRules:
    files: tuple[str, ...]
    allow_symbols: tuple[str, ...] = ()
    allow_asm: bool | tuple[str, ...] = False
    _symbol_res: tuple[re.Pattern, ...] = field(default=(), compare=False, repr=False)

    def owns(self, relpath: str) -> bool:
        """Whether the student may change this file (a path relative to the tree's top)."""
        return any(_glob_match(relpath, pattern) for pattern in self.files)

    def symbol_allowed(self, name: str) -> bool:
        return any(regex.search(name) for regex in self._symbol_res)

    def asm_allowed(self, relpath: str) -> bool:
        if isinstance(self.allow_asm, bool):
            return self.allow_asm
        return any(_glob_match(relpath, pattern) for pattern in self.allow_asm)


def _glob_match(path: str, pattern: str) -> bool:
    return _glob_regex(pattern).fullmatch(path) is not None


_GLOB_CACHE: dict[str, re.Pattern] = {}


def _glob_regex(pattern: str) -> re.Pattern:
    cached = _GLOB_CACHE.get(pattern)
    if cached is None:
        out, i = [], 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out.append("(?:.*/)?")
                i += 3
            elif pattern.startswith("**", i):
                out.append(".*")
                i += 2
            elif pattern[i] == "*":
                out.append("[^/]*")
                i += 1
            elif pattern[i] == "?":
                out.append("[^/]")
                i += 1
            else:
                out.append(re.escape(pattern[i]))
                i += 1
        cached = _GLOB_CACHE[pattern] = re.compile("".join(out))
    return cached


def _path_list(value, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise StudentError(f"'{key}' must be a list of paths or globs")
    for item in value:
        parts = PurePosixPath(item).parts
        if item.startswith("/") or ".." in parts or "\\" in item:
            raise StudentError(f"'{key}': {item!r} must be a path inside the tree, written "
                               "relative to its top directory with '/'")
    return tuple(value)


def parse(table) -> StudentRules:
    """The [student] table; raises StudentError."""
    if not isinstance(table, dict):
        raise StudentError("[student] must be a table")
    unknown = sorted(set(table) - KEYS)
    if unknown:
        raise StudentError(f"unknown key '{unknown[0]}' (known: {', '.join(sorted(KEYS))})")
    if "files" not in table:
        raise StudentError("'files' is required: the paths (or globs) a student may change")
    files = _path_list(table["files"], "files")
    if not files:
        raise StudentError("'files' must name at least one file")
    symbols = table.get("allow_symbols", [])
    if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
        raise StudentError("'allow_symbols' must be a list of regexes")
    compiled = []
    for pattern in symbols:
        try:
            compiled.append(re.compile(pattern))
        except re.error as err:
            raise StudentError(f"bad regex in 'allow_symbols': {pattern!r}: {err}") from None
    allow_asm = table.get("allow_asm", False)
    if not isinstance(allow_asm, bool):
        allow_asm = _path_list(allow_asm, "allow_asm") if isinstance(allow_asm, list) else None
        if allow_asm is None:
            raise StudentError("'allow_asm' must be true, false or a list of files (globs)")
    return StudentRules(files=files, allow_symbols=tuple(symbols), allow_asm=allow_asm,
                        _symbol_res=tuple(compiled))
