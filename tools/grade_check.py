#!/usr/bin/env python3
"""`make check`'s batch stage: batch grading and the Gradescope autograder, end to end.

    python3 tools/grade_check.py [--jobs J] [--lab N] [--full]

1. Makes the small fixture folder for lab N (tools/grade_fixtures.py --small): the reference,
   the bare handout, a forger (nonce + pass lines + exit port), a tamperer (a Makefile that
   rewrites tests at parse time, an extra rubric, a stale build/, a tools/deps.sh that writes
   outside its tree), a tarball with a '..' member, one with a symlink out of the tree, and one
   that does not build. --full makes every fixture instead.
2. Grades it with `grade.py batch` in the sandbox, and checks every row: status, score (full
   marks or zero) and the words its reason or report must show.
3. Checks that nothing was written outside the sandbox: the canary every escape attempt
   writes is absent, the repository's files are untouched, nothing new in $HOME.
4. Runs the batch again: every submission is skipped as already graded.
5. Writes the lab's autograder zip, unpacks it into a simulated /autograder, runs its
   run_autograder for the reference and the handout, and validates each results.json against
   Gradescope's documented fields: full marks and zero.

Speed: the pristine tree is seeded from BUILD/handouts/labN (left by the handouts stage), so
only the student files compile. Output: BUILD/grade-check/summary.json {passed, failed, ...}
and a table; exit status 0 when every check passed.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "lab" / "grader"))

import fences  # noqa: E402
import grade_fixtures  # noqa: E402
from harness import gradescope  # noqa: E402

BUILD = (ROOT / (os.environ.get("BUILD") or "build")).resolve()
SOURCES = (".cpp", ".h", ".S", ".toml")


class Checks:
    def __init__(self):
        self.items: list[tuple[str, bool, str]] = []

    def add(self, name: str, ok: bool, detail: str = "") -> None:
        self.items.append((name, bool(ok), detail))
        print(f"  {'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail and not ok else ""), flush=True)


def git_state() -> str:
    proc = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=all"],
                          capture_output=True, text=True)
    return proc.stdout


def home_files() -> set[str]:
    home = Path.home()
    try:
        return {p.name for p in home.iterdir()}
    except OSError:
        return set()


def env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


def check_rows(checks: Checks, rows: list[dict]) -> None:
    for row in rows:
        name = row["student"]
        want_status, want_score, words = grade_fixtures.EXPECTED[name]
        full = row["max_score"]
        score_ok = row["score"] == (full if want_score == "full" else 0)
        text = " ".join([row.get("reason", "")] + row.get("not_used", []) +
                        [f"{f['file']}: {f['what']}" for f in row.get("static", [])])
        checks.add(f"{name}: {want_status}, {'full marks' if want_score == 'full' else 'zero'}"
                   + (f", says '{words}'" if words else ""),
                   row["status"] == want_status and score_ok and words in text,
                   f"got {row['status']} {row['score']:g}/{full:g}: {text[:300]}")


def check_reference_static(checks: Checks) -> None:
    """Each lab's allowlists must let its reference solution through: otherwise an honest
    student written like the reference would score zero."""
    from harness import rubric, static_check
    for path in rubric.lab_manifests(ROOT):
        suite, _ = rubric.load(path)
        if suite.student is None:
            checks.add(f"lab {suite.lab} has a [student] table", False, str(path))
            continue
        files = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                       if p.is_file() and not p.relative_to(ROOT).as_posix().startswith(("build/", ".git/"))
                       and suite.student.owns(p.relative_to(ROOT).as_posix()))
        missing = [f for f in suite.student.files if "*" not in f and not (ROOT / f).is_file()]
        findings = static_check.check(ROOT, suite.student, files, build=BUILD)
        fenced = sorted(name for name, parsed in fences.scan_tree(ROOT).files.items()
                        if any(f.lab == suite.lab for f in parsed.fences) and name.endswith(SOURCES))
        unowned = [name for name in fenced if not suite.student.owns(name)]
        checks.add(f"lab {suite.lab}: [student] files name every source with a lab {suite.lab} fence",
                   not unowned, ", ".join(unowned))
        checks.add(f"lab {suite.lab}: the reference's files pass the static checks",
                   files and not missing and not findings,
                   "; ".join([f"no such file: {m}" for m in missing] + [f.line() for f in findings[:5]]))


def run_batch(lab: int, fixtures: Path, out: Path, jobs: int, force: bool) -> tuple[subprocess.CompletedProcess, dict | None]:
    argv = [sys.executable, str(ROOT / "lab" / "grader" / "grade.py"), "batch", "--lab", str(lab),
            "--out", str(out), "-j", str(jobs), "--seed", str(BUILD / "handouts" / f"lab{lab}" / "build"),
            "--seed", str(BUILD), str(fixtures)] + (["--force"] if force else [])
    proc = subprocess.run(argv, capture_output=True, text=True, env=env(), cwd=ROOT)
    print(proc.stdout[-3000:] + proc.stderr[-2000:], flush=True)
    try:
        return proc, json.loads((out / "results.json").read_text())
    except (OSError, ValueError):
        return proc, None


def autograder_run(zip_path: Path, submission: Path, place: Path) -> dict | None:
    """Gradescope's layout, simulated: /autograder/{source,submission,results}."""
    shutil.rmtree(place, ignore_errors=True)
    (place / "source").mkdir(parents=True)
    os.chmod(place, 0o755)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(place / "source")
    for name in ("setup.sh", "run_autograder"):
        os.chmod(place / "source" / name, 0o755)
    shutil.copytree(submission, place / "submission", symlinks=True)
    subprocess.run([str(place / "source" / "run_autograder")], env={**env(), "AUTOGRADER_ROOT": str(place)},
                   cwd=place, capture_output=True, text=True)
    try:
        return json.loads((place / "results" / "results.json").read_text())
    except (OSError, ValueError):
        return None


def check_autograder(checks: Checks, lab: int, fixtures: Path, work: Path) -> None:
    # The batch's pristine material is the autograder's too (same reference, same lab).
    proc = subprocess.run([sys.executable, str(ROOT / "tools" / "grade_autograder.py"), "--lab", str(lab),
                           "--out", str(work / "zip"), "--pristine", str(work / "out" / "pristine")],
                          capture_output=True, text=True, env=env())
    zip_path = work / "zip" / f"lab{lab}-autograder.zip"
    checks.add("make autograder writes the zip", proc.returncode == 0 and zip_path.is_file(),
               proc.stdout[-500:] + proc.stderr[-500:])
    if not zip_path.is_file():
        return
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
    checks.add("the zip has setup.sh and run_autograder at its root",
               {"setup.sh", "run_autograder"} <= names)
    runs = (("reference", "full"), ("handout", 0))
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:     # one QEMU each: both cores busy
        docs = list(pool.map(lambda run: autograder_run(zip_path, fixtures / run[0], work / f"autograder-{run[0]}"),
                             runs))
    for (name, want), doc in zip(runs, docs):
        problems = gradescope.validate(doc) if doc is not None else ["no results.json"]
        checks.add(f"autograder on the {name}: results.json has Gradescope's documented fields",
                   not problems, "; ".join(problems[:5]))
        if doc is None:
            continue
        total = sum(t.get("max_score", 0) for t in doc.get("tests", []))
        ok = total > 0 and doc.get("score") == (total if want == "full" else 0)
        checks.add(f"autograder on the {name}: {'full marks' if want == 'full' else 'zero'}", ok,
                   f"score {doc.get('score')} of {total}: {doc.get('output', '')[:300]}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", "-j", type=int, default=max(1, len(os.sched_getaffinity(0))))
    p.add_argument("--lab", type=int, default=2)
    p.add_argument("--full", action="store_true", help="every fixture, not the quick set")
    p.add_argument("--no-autograder", action="store_true")
    args = p.parse_args(argv)
    started = time.monotonic()
    work = BUILD / "grade-check"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.chmod(work, 0o755)
    checks = Checks()
    check_reference_static(checks)
    fixtures = work / "submissions"
    names = [n for n in grade_fixtures.EXPECTED if n != "tamperer"] if args.full else list(grade_fixtures.SMALL)
    grade_fixtures.make_all(args.lab, fixtures, names)
    Path(grade_fixtures.CANARY).unlink(missing_ok=True)
    before_git, before_home = git_state(), home_files()
    print(f"grade-check: lab {args.lab}, {len(names)} submissions", flush=True)
    proc, doc = run_batch(args.lab, fixtures, work / "out", args.jobs, force=True)
    checks.add("the batch ran and wrote results.json", doc is not None and proc.returncode == 0,
               proc.stderr[-500:])
    if doc is not None:
        rows = doc["rows"]
        checks.add("every submission has a row", sorted(r["student"] for r in rows) == sorted(names))
        check_rows(checks, rows)
        csv_lines = (work / "out" / "results.csv").read_text().splitlines()
        checks.add("results.csv has a header and a row each", len(csv_lines) == len(names) + 1)
    checks.add("nothing written outside the sandbox: no canary", not Path(grade_fixtures.CANARY).exists())
    checks.add("nothing written outside the sandbox: the repository is untouched", git_state() == before_git)
    checks.add("nothing written outside the sandbox: nothing new in $HOME", home_files() <= before_home,
               ", ".join(sorted(home_files() - before_home)))
    again, doc2 = run_batch(args.lab, fixtures, work / "out", args.jobs, force=False)
    checks.add("a second run skips every graded submission",
               doc2 is not None and all(r.get("resumed") for r in doc2["rows"]))
    if not args.no_autograder:
        check_autograder(checks, args.lab, fixtures, work)
    passed = sum(ok for _, ok, _ in checks.items)
    failed = len(checks.items) - passed
    wall = time.monotonic() - started
    summary = {"passed": passed, "failed": failed, "wall_time": round(wall, 1),
               "checks": [{"name": n, "passed": ok, "detail": d} for n, ok, d in checks.items]}
    (work / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\ngrade-check: {wall:.1f} s; wrote {work / 'summary.json'}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
