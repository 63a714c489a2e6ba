"""Removes the instructor's hidden tests and variants from a rubric.toml for a handout.

A rubric marks an instructor-only run with `hidden = true` in its `[[test]]` or
`[[test.variant]]` table (other sizes, seeds, orders that no student should tune for). Batch
grading runs them from the instructor's tree; a handout must not even mention them. This works
on the text, so the rest of the file (comments, layout, the fences already rendered) stays as
the instructor wrote it:

  * the file is cut into blocks, one per table header (`[suite]`, `[[test]]`,
    `[[test.variant.mechanism]]`, ...); comment lines directly above a header belong to it;
  * a `[[test]]` block with `hidden = true` goes, with every `test.*` block after it up to the
    next `[[test]]` or top-level table;
  * a `[[test.variant]]` block with `hidden = true` goes, with its `test.variant.*` blocks.

The result is then loaded with the grader's own rubric parser and compared with the original:
it must hold exactly the original's visible runs and no hidden one. A hidden table written in a
form this cannot cut (an inline table, `variant = [{ ..., hidden = true }]`) is an error that
names the rubric, never a handout that leaks it.
"""
from __future__ import annotations

import re
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

GRADER = Path(__file__).resolve().parents[1] / "lab" / "grader"
HEADER_RE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?\s*(#.*)?$")


class HiddenError(Exception):
    """The hidden runs of a rubric could not be removed cleanly."""


@dataclass
class Block:
    name: str              # the table header's dotted name; "" for the text before any header
    lines: list[str]

    def is_hidden(self) -> bool:
        if not self.name:
            return False
        text = "".join(line for line in self.lines if not HEADER_RE.match(line))
        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return False        # the whole file's parse below reports a real syntax error
        return values.get("hidden") is True


def _blocks(text: str) -> list[Block]:
    blocks = [Block("", [])]
    for line in text.splitlines(keepends=True):
        match = HEADER_RE.match(line)
        if match is None:
            blocks[-1].lines.append(line)
            continue
        # Comment lines directly above a header describe that table: they move with it.
        previous = blocks[-1].lines
        cut = len(previous)
        while cut > 0 and previous[cut - 1].lstrip().startswith("#"):
            cut -= 1
        blocks.append(Block(match.group(1), previous[cut:] + [line]))
        del previous[cut:]
    return blocks


def _drop_hidden(blocks: list[Block]) -> tuple[list[Block], int]:
    kept, removed, skip_prefix = [], 0, None
    for block in blocks:
        if skip_prefix is not None and block.name.startswith(skip_prefix):
            continue
        skip_prefix = None
        if block.name in ("test", "test.variant") and block.is_hidden():
            removed += 1
            skip_prefix = block.name + "."
            continue
        kept.append(block)
    return kept, removed


def _visible_runs(text: str, label: str) -> tuple[list[str], list[str]]:
    """(ids of visible runs, ids of hidden runs), through the grader's own parser."""
    if str(GRADER) not in sys.path:
        sys.path.insert(0, str(GRADER))
    from harness import rubric    # the grader is stdlib-only; importing it is cheap
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rubric.toml"
        path.write_text(text)
        try:
            _, cases = rubric.load(path)
        except rubric.RubricError as err:
            raise HiddenError(str(err).replace(str(path), label)) from None
    return ([c.id for c in cases if not c.hidden], [c.id for c in cases if c.hidden])


def strip_hidden(text: str, label: str = "rubric.toml") -> tuple[str, list[str]]:
    """The rubric without its hidden runs, and the ids of the runs removed."""
    if "hidden" not in text:
        return text, []
    visible, hidden = _visible_runs(text, label)
    if not hidden:
        return text, []
    kept, _ = _drop_hidden(_blocks(text))
    result = "".join(line for block in kept for line in block.lines)
    after_visible, after_hidden = _visible_runs(result, label)
    if after_hidden or after_visible != visible:
        raise HiddenError(f"{label}: the hidden runs ({', '.join(hidden)}) could not be cut out "
                          "cleanly; write each as its own [[test]] or [[test.variant]] table "
                          "with hidden = true")
    return result, hidden
