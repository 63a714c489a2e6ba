"""`grade.py batch`: grade a folder of submissions for one lab (make grade-submissions).

    python3 lab/grader/grade.py batch --lab 2 SUBMISSIONS/ [-j J] [--force] [--unsafe]
    make grade-submissions LAB=2 SUBMISSIONS=dir [JOBS=J] [FORCE=1] [UNSAFE=1]

SUBMISSIONS is a folder whose entries are submissions (folders, .tar.gz/.tgz/.tar, .zip, git
bundles), or the submissions themselves. Each is graded from pristine material (pristine.py)
in the sandbox (batch.py, sandbox.py), J at a time; a re-run skips the ones already graded
(same submission, same pristine material) unless --force. Output in OUT (default
build/batch/labN): results.csv, results.json, students/NAME/ (a report folder each), work/,
pristine/.
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from . import pristine as pristine_mod
from . import submission, writers
from .batch import BatchOptions, grade_submission
from .sandbox import Sandbox

DEFAULT_ROOT = Path(__file__).resolve().parents[3]


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="grade.py batch", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("submissions", nargs="+", type=Path, metavar="SUBMISSIONS")
    p.add_argument("--lab", type=int, required=True, metavar="N")
    p.add_argument("-j", "--jobs", type=int, default=max(1, len(os.sched_getaffinity(0))),
                   help="submissions graded at once (default: the CPUs)")
    p.add_argument("--out", type=Path, help="output folder (default REFERENCE/build/batch/labN)")
    p.add_argument("--reference", type=Path, default=DEFAULT_ROOT,
                   help="the instructor's reference tree (default: this one)")
    p.add_argument("--seed", type=Path, action="append", default=[], metavar="BUILD",
                   help="a build folder whose objects seed the pristine build (repeatable)")
    p.add_argument("--pristine", type=Path, metavar="DIR",
                   help="use prepared pristine material (the autograder's) instead of a reference")
    p.add_argument("--test", action="append", metavar="NAME", help="grade only these tests")
    p.add_argument("--force", action="store_true", help="regrade submissions graded before")
    p.add_argument("--unsafe", action="store_true",
                   help="grade without a sandbox, with the grader's privileges (no bubblewrap)")
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"))
    p.add_argument("--keep-objects", action="store_true", help="keep each tree's build objects")
    p.add_argument("--timeout-scale", type=float, default=float(os.environ.get("GRADE_TIMEOUT_SCALE", "1")))
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be positive")
    return args


def find_submissions(paths: list[Path]) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir() and not (path / "Makefile").exists() and not (path / "lab").exists():
            found += sorted(p for p in path.iterdir() if submission.is_submission(p)
                            and not p.name.startswith("."))
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise SystemExit(f"grade.py batch: no submission at {path}")
    return found


def unique_names(paths: list[Path]) -> list[str]:
    names, seen = [], {}
    for path in paths:
        base = re.sub(r"[^A-Za-z0-9._-]", "_", submission.student_name(path)) or "submission"
        count = seen.get(base, 0)
        seen[base] = count + 1
        names.append(base if count == 0 else f"{base}-{count + 1}")
    return names


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    reference = args.reference.resolve()
    out = (args.out or reference / "build" / "batch" / f"lab{args.lab}").resolve()
    if not args.unsafe:
        problem = Sandbox().available()
        if problem:
            print(f"grade.py batch: no sandbox: {problem}.\nRefusing to run submissions' builds "
                  "and kernels with the grader's privileges; install bubblewrap, or pass --unsafe "
                  "(UNSAFE=1) to grade anyway.", file=sys.stderr)
            return 2
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o755)
    try:
        if args.pristine:
            pristine = pristine_mod.load(args.pristine.resolve())
        else:
            seeds = [s.resolve() for s in args.seed] + [reference / "build" / "handouts" / f"lab{args.lab}" / "build",
                                                       reference / "build"]
            pristine = pristine_mod.prepare(reference, args.lab, out / "pristine", seeds,
                                            max(1, len(os.sched_getaffinity(0))))
    except (pristine_mod.PristineError, OSError) as err:
        print(f"grade.py batch: {err}", file=sys.stderr)
        return 2
    if pristine.lab != args.lab:
        print(f"grade.py batch: {args.pristine} is lab {pristine.lab}, not {args.lab}", file=sys.stderr)
        return 2
    paths = find_submissions(args.submissions)
    names = unique_names(paths)
    cpus = max(1, len(os.sched_getaffinity(0)))
    options = BatchOptions(out=out, sandbox=not args.unsafe, qemu=[args.qemu], accel=args.accel,
                           make_jobs=max(1, cpus // args.jobs), qemu_jobs=max(1, cpus // args.jobs),
                           tests=args.test, force=args.force, keep_objects=args.keep_objects,
                           timeout_scale=args.timeout_scale)
    print(f"batch: lab {args.lab}, {len(paths)} submission{'s' if len(paths) != 1 else ''}, "
          f"{args.jobs} at a time, {'sandboxed' if options.sandbox else 'UNSAFE: no sandbox'}; "
          f"pristine {pristine.dir}", flush=True)
    grading = time.monotonic()
    rows = run_all(paths, names, pristine, options, args.jobs)
    wall = time.monotonic() - grading
    write_outputs(out, rows, pristine, wall, args.jobs, grading - started)
    print_summary(rows, wall, args.jobs, out, grading - started)
    return 0


def run_all(paths, names, pristine, options, jobs) -> list[dict]:
    rows: list[dict | None] = [None] * len(paths)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(grade_submission, path, name, pristine, options): i
                   for i, (path, name) in enumerate(zip(paths, names))}
        for done, future in enumerate(as_completed(futures), start=1):
            index = futures[future]
            try:
                row = future.result()
            except Exception as err:      # a grader bug: the row says so, the batch goes on
                row = {"student": names[index], "submission": str(paths[index]), "status": "error",
                       "score": 0.0, "max_score": sum(t.points for t in pristine.tests),
                       "reason": f"grader error: {type(err).__name__}: {err}", "tests": [],
                       "times": {}, "not_used": [], "static": [], "build_error": ""}
            rows[index] = row
            print(f"[{done}/{len(paths)}] {row['student']}: {_fmt(row['score'])}/{_fmt(row['max_score'])} "
                  f"{row['status']}{' (already graded)' if row.get('resumed') else ''}"
                  f"{': ' + row['reason'][:160] if row['reason'] else ''}  "
                  f"({row.get('times', {}).get('total', 0):.1f} s)", flush=True)
    return [r for r in rows if r is not None]


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def write_outputs(out: Path, rows: list[dict], pristine, wall: float, jobs: int,
                  pristine_seconds: float) -> None:
    graded = [r for r in rows if not r.get("resumed")]
    doc = {"schema": "conduit-batch-results/1", "lab": pristine.lab, "pristine": pristine.stamp,
           "pristine_seconds": round(pristine_seconds, 1),
           "wall_time": round(wall, 1), "jobs": jobs, "submissions": len(rows),
           "seconds_per_submission": round(wall / max(1, len(graded)), 1) if graded else None,
           "load_average": os.getloadavg(), "rows": rows}
    (out / "results.json").write_text(writers.dumps(doc))
    test_ids = [t.id for t in pristine.tests]
    with open(out / "results.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "status", "score", "max_score", "reason", "build_error",
                         "changes_not_used", "static_findings", "seconds"]
                        + [f"{tid}:{part}" for tid in test_ids for part in ("score", "verdict", "reason")])
        for row in rows:
            tests = {t["id"]: t for t in row.get("tests", [])}
            cells = []
            for tid in test_ids:
                t = tests.get(tid, {})
                cells += [t.get("score", ""), t.get("verdict", ""), t.get("reason", "")]
            writer.writerow([row["student"], row["status"], row["score"], row["max_score"],
                             row["reason"], row.get("build_error", ""),
                             "; ".join(row.get("not_used", [])),
                             "; ".join(f"{f['file']}: {f['what']}" for f in row.get("static", [])),
                             row.get("times", {}).get("total", "")] + cells)


def print_summary(rows: list[dict], wall: float, jobs: int, out: Path, pristine_seconds: float) -> None:
    width = max([len(r["student"]) for r in rows] + [7])
    print(f"\n  {'student':<{width}}  {'score':>9}  {'status':<13} {'seconds':>7}  reason")
    for row in rows:
        score = f"{_fmt(row['score'])}/{_fmt(row['max_score'])}"
        print(f"  {row['student']:<{width}}  {score:>9}  {row['status']:<13} "
              f"{row.get('times', {}).get('total', 0):>7.1f}  {row['reason'][:100]}")
    graded = [r for r in rows if not r.get("resumed")]
    times = [r.get("times", {}).get("total", 0) for r in graded]
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"\npristine material ready in {pristine_seconds:.1f} s")
    if graded:
        print(f"{len(graded)} submission{'s' if len(graded) != 1 else ''} graded in {wall:.1f} s, "
              f"{jobs} at a time: {wall / len(graded):.1f} s per submission "
              f"(each took {sum(times) / len(times):.1f} s on average, {min(times):.1f}-{max(times):.1f} s); "
              f"load average {load}")
    if len(graded) != len(rows):
        print(f"{len(rows) - len(graded)} already graded (same submission and pristine material; "
              "--force regrades)")
    print(f"wrote {out / 'results.csv'}, {out / 'results.json'}, {out / 'students'}/")
