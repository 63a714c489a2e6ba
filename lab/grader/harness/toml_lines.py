"""Line numbers for rubric errors: where in the file a table's key is written.

tomllib gives values without positions. An error such as "points must be finite" is only
useful with the line, so this scans the text for table headers and keys. It is best effort:
it understands tables written as `[suite]`, `[[test]]` and `[[test.variant]]` headers (how
every rubric in the repository is written) and returns None for anything else, in which case
the error names the table instead.
"""
from __future__ import annotations

import re

HEADER_RE = re.compile(r"^\s*\[(\[)?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(?:#.*)?$")


class Lines:
    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers = []       # (index of the line, table name, is an array table)
        for index, line in enumerate(self.lines):
            match = HEADER_RE.match(line)
            if match:
                self.headers.append((index, match.group(2), bool(match.group(1))))

    def _nth(self, name: str, n: int, start: int = 0, end: int | None = None) -> int | None:
        seen = 0
        for index, header, _ in self.headers:
            if index < start or (end is not None and index >= end):
                continue
            if header == name:
                if seen == n:
                    return index
                seen += 1
        return None

    def _block_end(self, start: int, owner: str) -> int:
        """The block of a table runs to the next header that is not one of its sub-tables."""
        for index, header, _ in self.headers:
            if index > start and not header.startswith(owner + "."):
                return index
        return len(self.lines)

    def block(self, table: str | None = None, test: int | None = None,
              variant: int | None = None) -> tuple[int, int] | None:
        if table is not None:
            start = self._nth(table, 0)
            return None if start is None else (start, self._block_end(start, table))
        if test is None:
            return None
        start = self._nth("test", test)
        if start is None:
            return None
        end = self._block_end(start, "test")
        if variant is None:
            return start, end
        vstart = self._nth("test.variant", variant, start, end)
        return None if vstart is None else (vstart, self._block_end(vstart, "test.variant"))

    def find(self, key: str, **where) -> int | None:
        """1-based line of `key = ...` in the table's own lines (not its sub-tables)."""
        span = self.block(**where)
        if span is None:
            return None
        start, end = span
        key_re = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for index in range(start + 1, end):
            if HEADER_RE.match(self.lines[index]):
                break
            if key_re.match(self.lines[index]):
                return index + 1
        return start + 1


def line_of_offset(data: bytes, offset: int) -> int:
    """1-based line of a byte offset (for decoding errors)."""
    return data.count(b"\n", 0, offset) + 1
