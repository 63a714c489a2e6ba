"""Gradescope: the results.json format, its validation, and `grade.py autograder`.

Gradescope's autograder specification (gradescope-autograders.readthedocs.io, "Autograder
Specifications") defines /autograder/results/results.json. Top level: `score` (required unless
every test has one), `execution_time` (seconds), `output`, `output_format`, `visibility`,
`stdout_visibility`, `extra_data`, `leaderboard`, `tests`. Each test: `score`, `max_score`,
`status` ("passed" or "failed"), `name`, `name_format`, `number`, `output`, `output_format`,
`tags`, `visibility` ("hidden", "after_due_date", "after_published", "visible") and
`extra_data`. validate() checks a document against exactly that, so the local simulated run
proves the file Gradescope would read.

`grade.py autograder` is what the autograder zip's run_autograder calls on Gradescope: it grades
/autograder/submission exactly as batch grading does (pristine material shipped in the zip, the
sandbox, the static checks) and always writes a valid results.json, also when the submission
is rejected, does not build, or the grader itself fails.
"""
from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import time
import traceback
from pathlib import Path

VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")
FORMATS = ("text", "html", "simple_format", "md", "ansi")
TOP_KEYS = {"score": "num", "execution_time": "num", "output": "str", "output_format": "format",
            "test_output_format": "format", "test_name_format": "format", "visibility": "vis",
            "stdout_visibility": "vis", "extra_data": "dict", "tests": "list", "leaderboard": "list"}
TEST_KEYS = {"score": "num", "max_score": "num", "status": "status", "name": "str",
             "name_format": "format", "number": "str", "output": "str", "output_format": "format",
             "tags": "strlist", "visibility": "vis", "extra_data": "dict"}
# Hidden instructor variants: their results reach students once grades are published.
HIDDEN_VISIBILITY = "after_published"


def _type_problem(value, kind: str) -> str | None:
    ok = {
        "num": isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value),
        "str": isinstance(value, str),
        "dict": isinstance(value, dict),
        "list": isinstance(value, list),
        "strlist": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "vis": value in VISIBILITY,
        "format": value in FORMATS,
        "status": value in ("passed", "failed"),
    }[kind]
    return None if ok else f"{value!r} is not {kind}"


def validate(doc) -> list[str]:
    """Every way doc departs from Gradescope's documented results.json; [] when it is valid."""
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    problems = [f"unknown top-level key '{k}'" for k in doc if k not in TOP_KEYS]
    problems += [f"{k}: {p}" for k, kind in TOP_KEYS.items() if k in doc
                 for p in [_type_problem(doc[k], kind)] if p]
    tests = doc.get("tests", [])
    if "score" not in doc and not (isinstance(tests, list) and tests
                                   and all(isinstance(t, dict) and "score" in t for t in tests)):
        problems.append("no top-level score, and not every test has one")
    for index, test in enumerate(tests if isinstance(tests, list) else []):
        where = f"tests[{index}]"
        if not isinstance(test, dict):
            problems.append(f"{where} is not an object")
            continue
        problems += [f"{where}: unknown key '{k}'" for k in test if k not in TEST_KEYS]
        problems += [f"{where}.{k}: {p}" for k, kind in TEST_KEYS.items() if k in test
                     for p in [_type_problem(test[k], kind)] if p]
        if isinstance(test.get("score"), (int, float)) and isinstance(test.get("max_score"), (int, float)) \
                and not 0 <= test["score"] <= test["max_score"]:
            problems.append(f"{where}: score {test['score']} is outside 0..{test['max_score']}")
    return problems


def results_from_row(row: dict, lab: int, tests: list, elapsed: float) -> dict:
    """Gradescope's results.json for one batch row (batch.grade_submission)."""
    by_id = {t["id"]: t for t in row.get("tests", [])}
    entries = []
    for number, test in enumerate(tests, start=1):
        got = by_id.get(test.id, {"score": 0.0, "verdict": "not-run", "reason": row.get("reason") or "not run"})
        passed = got["score"] >= test.points
        output = "passed" if passed else f"{got['verdict']}: {got['reason']}"
        if test.description:
            output = f"{test.description}\n{output}"
        entry = {"name": f"lab {lab}: {test.id}", "number": f"{lab}.{number}",
                 "score": float(got["score"]), "max_score": float(test.points),
                 "status": "passed" if passed else "failed", "output": output,
                 "output_format": "text", "tags": [f"lab{lab}"] + (["hidden"] if test.hidden else [])}
        if test.hidden:
            entry["visibility"] = HIDDEN_VISIBILITY
        entries.append(entry)
    lines = [f"lab {lab}: {row.get('score', 0):g}/{row.get('max_score', 0):g} ({row.get('status')})"]
    if row.get("reason"):
        lines.append(row["reason"])
    if row.get("not_used"):
        lines.append("Not used (only the lab's files are graded; everything else comes from the "
                     "handout): " + ", ".join(row["not_used"][:20]))
    if row.get("build_error"):
        lines.append(f"Build error: {row['build_error']}")
    for finding in row.get("static", [])[:20]:
        lines.append(f"Static check: {finding['file']}: {finding['what']}")
    return {"score": float(sum(e["score"] for e in entries)), "execution_time": int(round(elapsed)),
            "output": "\n".join(lines), "output_format": "text", "stdout_visibility": "hidden",
            "tests": entries}


def error_results(message: str, elapsed: float) -> dict:
    return {"score": 0.0, "execution_time": int(round(elapsed)), "output": message,
            "output_format": "text", "stdout_visibility": "hidden", "tests": []}


def _write(path: Path, doc: dict) -> None:
    from .writers import dumps
    problems = validate(doc)
    if problems:      # never hand Gradescope a file it cannot read; say why instead
        doc = error_results("autograder error: invalid results (" + "; ".join(problems[:5]) + ")", 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(dumps(doc))
    tmp.replace(path)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="grade.py autograder",
                                description="Grade /autograder/submission for Gradescope (run_autograder).")
    p.add_argument("--lab", type=int, required=True)
    p.add_argument("--pristine", type=Path, required=True)
    p.add_argument("--submission", type=Path, required=True)
    p.add_argument("--results", type=Path, required=True)
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--unsafe", action="store_true")
    args = p.parse_args(argv)
    started = time.monotonic()
    try:
        doc = _grade(args)
    except Exception as err:          # whatever happens, Gradescope gets valid JSON
        traceback.print_exc()
        doc = error_results(f"autograder error ({type(err).__name__}: {err}); please tell the "
                            "course staff", time.monotonic() - started)
    _write(args.results, doc)
    print(doc["output"])
    return 0


def _grade(args) -> dict:
    from . import pristine as pristine_mod
    from .batch import BatchOptions, grade_submission
    from .sandbox import Sandbox
    started = time.monotonic()
    if not args.unsafe:
        problem = Sandbox().available()
        if problem:
            return error_results(f"autograder not run: no sandbox on this machine ({problem}). The "
                                 "course staff can rebuild the autograder with UNSAFE=1 to grade "
                                 "without one.", time.monotonic() - started)
    pristine = pristine_mod.load(args.pristine.resolve())
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.chmod(work, 0o755)
    cpus = max(1, len(os.sched_getaffinity(0)))
    options = BatchOptions(out=work, sandbox=not args.unsafe, make_jobs=cpus, qemu_jobs=cpus,
                           force=True)
    row = grade_submission(args.submission.resolve(), "submission", pristine, options)
    report = work / "students" / "submission"
    print(f"report folder: {report}", file=sys.stderr)
    return results_from_row(row, pristine.lab, pristine.tests, time.monotonic() - started)
