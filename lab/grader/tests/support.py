"""Shared helpers for the grader's own tests: import path, temporary rubrics, canned runs."""
from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

GRADER = Path(__file__).resolve().parents[1]
ROOT = GRADER.parents[1]
FAKE_QEMU = GRADER / "tests" / "fake_qemu.py"
GRADE_PY = GRADER / "grade.py"

if str(GRADER) not in sys.path:
    sys.path.insert(0, str(GRADER))

from harness import rubric  # noqa: E402
from harness.runner import RunRecord  # noqa: E402


def write_rubric(directory: Path, text: str, name: str = "rubric.toml") -> Path:
    path = Path(directory) / name
    path.write_text(textwrap.dedent(text))
    return path


def load_text(text: str):
    """Loads a rubric given as text; returns (suite, cases)."""
    with tempfile.TemporaryDirectory() as tmp:
        return rubric.load(write_rubric(Path(tmp), text))


def one_case(extra: str = "", name: str = "t1"):
    _, cases = load_text(f"""
        [suite]
        name = "s"
        [[test]]
        name = "{name}"
        {extra}
        """)
    return cases[0]


def lines(nonce: str, test: str = "t1", result: str = "pass", end: bool = True) -> str:
    """A canned debug-console transcript of one well-behaved run."""
    out = [f"@@CONDUIT boot nonce={nonce}", f"@@CONDUIT test-begin name={test} lab=1 nonce={nonce}"]
    if result == "pass":
        out.append(f"@@CONDUIT test-pass name={test} nonce={nonce}")
    elif result == "fail":
        out.append(f"@@CONDUIT test-fail name={test} nonce={nonce} reason=expected 3, got 4")
    if end:
        passed = int(result == "pass")
        out.append(f"@@CONDUIT end passed={passed} failed={1 - passed} nonce={nonce}")
    return "\n".join(out) + "\n"


def record(case, debugcon: str = "", **kw) -> RunRecord:
    """A RunRecord as the runner would produce it, without running anything."""
    nonce = kw.pop("nonce", "abc123")
    defaults = dict(stop="exit", exit_status=33, testdir=Path("/tmp/none"))
    defaults.update(kw)
    return RunRecord(test=case, nonce=nonce, debugcon=debugcon, **defaults)


def run_grader(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """Runs grade.py as a student would, with the fake QEMU unless --qemu is given."""
    argv = [sys.executable, str(GRADE_PY)]
    if "--qemu" not in args:
        argv += ["--qemu", shlex.join([sys.executable, str(FAKE_QEMU)])]
    return subprocess.run(argv + list(args), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT)
