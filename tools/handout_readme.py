"""The student README of a handout: lab/handout-README.md, filled in for lab N.

The reference tree's own README.md is written for the people who build the course (it explains
making handouts, the reference solution, the checks). A student gets lab/handout-README.md as
README.md instead, with these filled in:

    @LAB@        the lab number          @LAB_DIR@   its folder, lab/NN-topic
    @LADDER@     a table of every lab in the tree: topic, points, and whether it is solved,
                 the student's, or later (from each lab's rubric.toml)
    @DOCS@       the documents in docs/ that the handout ships, each with its title
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

TEMPLATE = "lab/handout-README.md"


def _points(folder: Path) -> tuple[str, float]:
    """The lab's title and the points a student can see (hidden variants left out)."""
    grader = str(Path(__file__).resolve().parents[1] / "lab" / "grader")
    if grader not in sys.path:
        sys.path.insert(0, grader)
    from harness import rubric    # the grader's own parser: the same points make grade shows
    try:
        suite, cases = rubric.load(folder / "rubric.toml")
    except rubric.RubricError:
        return folder.name.split("-", 1)[-1].replace("-", " "), 0.0
    return suite.title, sum(c.points for c in cases if not c.hidden)


def _lab_row(number: int, folder: Path, lab: int) -> str:
    title, points = _points(folder)
    state = "solved: read it, build on it" if number < lab else \
        "**yours: this handout**" if number == lab else "later (stubs)"
    rel = f"lab/{folder.name}"
    return f"| {number} | [`{rel}`]({rel}/README.md) | {title} | {points:g} | {state} |"


def ladder(labs: dict[int, Path], lab: int) -> str:
    rows = ["| lab | folder | topic | points | in this tree |", "|---|---|---|---|---|"]
    rows += [_lab_row(number, folder, lab) for number, folder in sorted(labs.items())]
    return "\n".join(rows)


def docs_list(root: Path, shipped: set[str]) -> str:
    entries = []
    for name in sorted(n for n in shipped if re.fullmatch(r"docs/[^/]+\.md", n)):
        heading = next((line.lstrip("# ").strip() for line in
                        (root / name).read_text(encoding="utf-8", errors="replace").splitlines()
                        if line.startswith("#")), "")
        entries.append(f"- [`{name}`]({name})" + (f": {heading}" if heading else ""))
    if not entries:
        return "The headers in `include/` document every interface."
    return "The course's documents, in `docs/`:\n\n" + "\n".join(entries) + \
        "\n\nThe headers in `include/` document every interface."


def render(root: Path, labs: dict[int, Path], lab: int, shipped: set[str]) -> str:
    text = (root / TEMPLATE).read_text(encoding="utf-8")
    folder = labs[lab].relative_to(root).as_posix()
    return (text.replace("@LADDER@", ladder(labs, lab)).replace("@DOCS@", docs_list(root, shipped))
                .replace("@LAB_DIR@", folder).replace("@LAB@", str(lab)))
