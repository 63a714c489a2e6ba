#!/usr/bin/env python3
"""The handout invariant (README.md, "Labs and handouts"), checked for every lab: `make check`'s `handouts` stage.

For every lab N (a lab/NN-topic/ directory with a rubric.toml):
  * the handout for N is generated (tools/handout.py) into build/handouts/labN/,
  * it builds,
  * it boots (no test of the run ends as boot-failure),
  * every test of every lab M < N passes on it (with --earlier previous, as `make check` runs
    it: every test of lab N-1 only; see below),
  * every test of lab N fails on it (the stubs score zero; a test that passes anyway is named),
and the reference tree scores full marks on every lab.

Speed (2 cores, a few minutes for everything): handout N's build directory is seeded with a
copy of the objects of the previous handout's build (of the reference build for the first
one), with their modification times. tools/handout.py gives every file the handout leaves
unchanged its reference time, and every file whose content equals the previous handout's
copy that copy's time, so make recompiles only the files whose text differs (plus whatever
includes them, through the .d files). Builds run one after another with make -jJ; the grading
of a built handout (and of the reference) runs beside the next build.

The reference build is BUILD (from the environment, as `make check BUILD=dir` passes it; default
build/). Output: a table on stdout, BUILD/handouts/summary.json
    {"passed": P, "failed": F, "labs": [...], "reference": {...}, "wall_time": s, ...}
(P and F count invariant checks), logs in BUILD/handouts/labN-build.log, grader results in
BUILD/handouts/labN-results.json and BUILD/handouts/reference-results.json. Exit status 0
when every check passed, 1 otherwise, 2 for a usage error.

`--earlier previous` (make check) grades each handout on lab N-1 and lab N only. Handout N
stubs every lab from N on, so for an earlier lab L the strictest handout is L+1 (it stubs the
most code that L's tests may run through), and that is the one that grades L; the full check,
every lab below N on every handout N, is `make handout-check`. `--reference-results FILE` takes the
reference tree's results from a grading already done (make check's kernel stage) instead of
grading the reference again.

Usage: tools/handout_check.py [--jobs J] [--lab N ...] [--no-reference-build]
                              [--earlier all|previous] [--reference-results FILE]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fences    # noqa: E402
import handout   # noqa: E402
import handout_citations  # noqa: E402
from build_seed import needs_host_tests, seed_build  # noqa: E402,F401

ROOT = fences.repo_root()
# The reference build, as tools/check.py finds it: `make check BUILD=/tmp/x` passes BUILD on.
# It is passed to make exactly as given: the .d files name objects by that spelling, and a
# relative build/ spelt absolutely would lose every header dependency.
REF_BUILD_ARG = os.environ.get("BUILD") or "build"
REF_BUILD = (ROOT / REF_BUILD_ARG).resolve()
FAIL_VERDICTS_THAT_MEAN_NO_BOOT = ("boot-failure",)


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def child_env() -> dict[str, str]:
    """No inherited make jobserver: a sub-make started from `make check` would otherwise fall
    back to -j1 (the parent's jobserver descriptors are not passed to this script)."""
    env = dict(os.environ)
    for key in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "BUILD"):
        env.pop(key, None)
    return env


@dataclass
class Check:
    name: str
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass
class LabRun:
    lab: int
    tree: Path
    checks: list[Check] = field(default_factory=list)
    times: dict[str, float] = field(default_factory=dict)
    recompiled: int | None = None
    built: bool = False
    grading: Future | None = None
    results: dict | None = None

    def add(self, name: str, passed: bool, detail: str = "") -> None:
        self.checks.append(Check(name, passed, detail))


def lab_numbers(root: Path) -> list[int]:
    return sorted(n for n, d in fences.discover_labs(root).items() if (d / "rubric.toml").is_file())


def run_logged(cmd: list[str], log: Path, cwd: Path) -> tuple[int, float]:
    started = time.monotonic()
    with open(log, "w") as f:
        f.write("$ " + " ".join(cmd) + "\n")
        f.flush()
        rc = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT, env=child_env()).returncode
    return rc, time.monotonic() - started


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def grade(root: Path, tree: Path, build: Path, labs: list[int], jobs: int, out: Path,
          json_path: Path, log: Path) -> tuple[dict | None, float]:
    """Runs the reference tree's grader on `tree`: (the parsed results JSON or None, seconds)."""
    started = time.monotonic()
    if json_path.exists():
        json_path.unlink()
    cmd = [sys.executable, str(root / "lab" / "grader" / "grade.py"), "--root", str(tree),
           "--iso", str(build / "conduit.iso"), "--elf", str(build / "kernel.elf"),
           "--host-tests", str(build / "host" / "unit_tests"),
           "-j", str(jobs), "--out", str(out),
           "--json", str(json_path)]
    for lab in labs:
        cmd += ["--lab", str(lab)]
    run_logged(cmd, log, root)
    try:
        with open(json_path) as f:
            return json.load(f), time.monotonic() - started
    except (OSError, ValueError):
        return None, time.monotonic() - started


def check_stands_alone(run: LabRun) -> None:
    """A student tree stands alone: every path its README, handouts and headers cite is in
    it; it is a git repository with the handout as its one commit; its README is written for
    students."""
    dead = handout_citations.check_tree(run.tree)
    run.add("citations resolve", not dead, "\n".join(str(p) for p in dead[:20]) +
            (f"\n... and {len(dead) - 20} more" if len(dead) > 20 else ""))
    log = subprocess.run(["git", "-C", str(run.tree), "log", "--format=%s"], capture_output=True, text=True)
    run.add("a git repository with one commit", log.returncode == 0 and log.stdout.splitlines() ==
            [f"Lab {run.lab} handout"], log.stdout + log.stderr)
    readme = (run.tree / "README.md").read_text(errors="replace") if (run.tree / "README.md").is_file() else ""
    run.add("README.md is the student README", readme.startswith(f"# Conduit: lab {run.lab}")
            and "reference solution" not in readme and "make handout" not in readme, readme[:200])


def lab_tests(results: dict, lab: int) -> list[dict]:
    return [t for t in results.get("tests", []) if t.get("lab") == lab]


def short(test: dict) -> str:
    reason = (test.get("reason") or "").strip()
    return f"{test['id']} [{test.get('verdict')}]" + (f": {reason[:100]}" if reason else "")


def evaluate_handout(run: LabRun, labs: list[int], log: Path) -> None:
    results = run.results
    if results is None:
        run.add("graded", False, f"the grader wrote no results; see {log}:\n{tail(log)}")
        return
    tests = results.get("tests", [])
    no_boot = [t for t in tests if t.get("verdict") in FAIL_VERDICTS_THAT_MEAN_NO_BOOT]
    run.add("boots", bool(tests) and not no_boot,
            "no test ran" if not tests else
            "; ".join(short(t) for t in no_boot) if no_boot else f"{len(tests)} runs booted")
    for earlier in [m for m in labs if m < run.lab]:
        for t in lab_tests(results, earlier):
            run.add(f"lab {earlier} passes: {t['id']}", bool(t.get("passed")),
                    "" if t.get("passed") else short(t))
    own = lab_tests(results, run.lab)
    if not own:
        run.add(f"lab {run.lab} has tests", False, "the handout's rubric selected no test of its own lab")
    for t in own:
        wrongly = bool(t.get("passed")) or float(t.get("score") or 0) > 0
        run.add(f"lab {run.lab} fails on the stub: {t['id']}", not wrongly,
                f"passes on the handout ({t.get('verdict')}): the stub must not earn points"
                if wrongly else f"{t.get('verdict')}")


def reference_grading(args, graders: ThreadPoolExecutor, labs: list[int], jobs: int, out: Path) -> Future:
    """The reference tree's results: read from --reference-results when it holds every lab's
    tests, else graded now beside the handout builds."""
    if args.reference_results is not None:
        try:
            results = json.loads(args.reference_results.read_text())
        except (OSError, ValueError):
            results = None
        if results is not None and all(lab_tests(results, lab) for lab in labs):
            done: Future = Future()
            done.set_result((results, 0.0))
            return done
    return graders.submit(grade, ROOT, ROOT, REF_BUILD, labs, jobs, out / "reference" / "grade",
                          out / "reference-results.json", out / "reference-grade.log")


def build_handout(run: LabRun, base: Path | None, out: Path, jobs: int, host_target: list[str], say) -> bool:
    """Generates, checks and builds one lab's handout; True when it built."""
    t0 = time.monotonic()
    try:
        plan = handout.make_handout(ROOT, run.lab, run.tree, base=base, force=True, allow_inside=True)
    except (handout.HandoutError, OSError) as err:
        run.add("handout generated", False, str(err))
        say(f"  lab {run.lab}: handout FAILED: {err}")
        return False
    run.add("handout generated", True, f"{len(plan.rendered)} files changed, "
            f"{len(plan.removed)} instructor-only files left out")
    check_stands_alone(run)
    seed_build(base / "build" if base else REF_BUILD, run.tree)
    run.times["handout"] = time.monotonic() - t0
    log = out / f"lab{run.lab}-build.log"
    rc, seconds = run_logged(["make", "--no-print-directory", f"JOBS={jobs}", "BUILD=build", "all",
                              *host_target], log, run.tree)
    run.times["build"] = seconds
    try:
        run.recompiled = sum(1 for line in log.read_text(errors="replace").splitlines()
                             if line.startswith(("  CXX", "  AS")))
    except OSError:
        run.recompiled = None
    run.built = rc == 0
    run.add("builds", run.built, f"{run.recompiled} files compiled in {seconds:.1f} s" if run.built
            else f"make failed; see {log}:\n{tail(log)}")
    say(f"  lab {run.lab}: handout {run.times['handout']:.1f} s, build {seconds:.1f} s "
        f"({run.recompiled} files compiled){'' if run.built else ' FAILED'}")
    return run.built


def reference_checks_of(future: Future | None, out: Path, labs: list[int]) -> tuple[list[Check], float]:
    """The reference tree must pass every test of every lab."""
    checks: list[Check] = []
    reference, seconds = future.result() if future else (None, 0.0)
    if future is None:
        return checks, seconds
    if reference is None:
        return [Check("reference graded", False,
                      f"see {out / 'reference-grade.log'}:\n{tail(out / 'reference-grade.log')}")], seconds
    for lab in labs:
        tests = lab_tests(reference, lab)
        if not tests:
            checks.append(Check(f"reference lab {lab} has tests", False, "no test ran"))
        for t in tests:
            checks.append(Check(f"reference lab {lab} passes: {t['id']}",
                                bool(t.get("passed")), "" if t.get("passed") else short(t)))
    return checks, seconds


def write_summary(path: Path, general, reference_checks, runs, jobs: int, wall: float,
                  reference_seconds: float, out: Path) -> int:
    all_checks = general + reference_checks + [c for run in runs for c in run.checks]
    passed = sum(c.passed for c in all_checks)
    doc = {
        "passed": passed, "failed": len(all_checks) - passed, "wall_time": round(wall, 1), "jobs": jobs,
        "general": [c.as_dict() for c in general],
        "reference": {"checks": [c.as_dict() for c in reference_checks],
                      "grade_seconds": round(reference_seconds, 1),
                      "results": str(out / "reference-results.json")},
        "labs": [{"lab": run.lab, "tree": str(run.tree),
                  "passed": sum(c.passed for c in run.checks),
                  "failed": sum(not c.passed for c in run.checks),
                  "files_compiled": run.recompiled,
                  "times": {k: round(v, 1) for k, v in run.times.items()},
                  "checks": [c.as_dict() for c in run.checks]} for run in runs],
    }
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return len(all_checks) - passed


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", "-j", type=int, default=_cpu_count(), help="CPUs to use (default: all)")
    p.add_argument("--lab", type=int, action="append", metavar="N", help="only lab N (repeatable)")
    p.add_argument("--out", type=Path, default=REF_BUILD / "handouts",
                   help="where the handouts and the summary go (default: BUILD/handouts)")
    p.add_argument("--no-reference-build", action="store_true",
                   help="do not run `make all` on the reference tree first (it must be built)")
    p.add_argument("--earlier", choices=("all", "previous"), default="all",
                   help="grade each handout on every earlier lab (all, the default) or on lab N-1 only")
    p.add_argument("--reference-results", type=Path, metavar="FILE",
                   help="the reference tree's grader results (results.json of a run over all suites)")
    args = p.parse_args(argv)
    if args.jobs < 1:
        p.error("--jobs must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    summary_path = out / "summary.json"
    summary_path.unlink(missing_ok=True)
    jobs = args.jobs
    print_lock = threading.Lock()

    def say(text: str) -> None:
        with print_lock:
            print(text, flush=True)

    # 1. The fences of the reference tree.
    tree_fences = fences.scan_tree(ROOT)
    labs = lab_numbers(ROOT)
    missing = [n for n in args.lab or [] if n not in labs]
    if missing:
        print(f"handout_check: no lab {', '.join(map(str, missing))} with a rubric.toml "
              f"(labs: {', '.join(map(str, labs)) or 'none'})", file=sys.stderr)
        return 2
    selected = sorted(set(args.lab)) if args.lab else labs
    general: list[Check] = [Check("fences are well-formed", not tree_fences.errors,
                                  "\n".join(str(e) for e in tree_fences.errors))]
    say(f"handouts: labs {', '.join(map(str, selected)) or 'none'}; "
        f"{sum(len(p.fences) for p in tree_fences.files.values())} fences in "
        f"{len(tree_fences.files)} files; {jobs} CPUs")
    # Labs that grade host unit tests need the host binary of each tree too.
    host_target = ["unit-tests-build"] if needs_host_tests(sorted(ROOT.glob("lab/*/rubric.toml"))) else []

    # 2. The reference build (make check has just built it; this is a quick no-op then).
    if not tree_fences.errors and not args.no_reference_build:
        rc, seconds = run_logged(["make", "--no-print-directory", f"JOBS={jobs}",
                                  f"BUILD={REF_BUILD_ARG}", "all", *host_target], out / "reference-build.log", ROOT)
        general.append(Check("the reference tree builds", rc == 0,
                             "" if rc == 0 else f"see {out / 'reference-build.log'}:\n"
                             f"{tail(out / 'reference-build.log')}"))
        say(f"  reference: make all {seconds:.1f} s{'' if rc == 0 else ' FAILED'}")
    ref_ok = all(c.passed for c in general)
    graders = ThreadPoolExecutor(max_workers=max(1, jobs // 2) + 1)
    reference_future = reference_grading(args, graders, labs, jobs, out) if ref_ok and labs else None

    # 3. Handouts, one build after another, each graded beside the next build.
    runs: list[LabRun] = []
    previous: LabRun | None = None
    for lab in selected if ref_ok else []:
        run = LabRun(lab, out / f"lab{lab}")
        runs.append(run)
        base = previous.tree if previous is not None and previous.built else None
        if not build_handout(run, base, out, jobs, host_target, say):
            previous = run if run.checks and run.checks[0].passed else previous
            continue
        first = lab - 1 if args.earlier == "previous" else min(labs)
        run.grading = graders.submit(grade, ROOT, run.tree, run.tree / "build",
                                     [m for m in labs if first <= m <= lab], jobs, run.tree / "build" / "grade",
                                     out / f"lab{lab}-results.json", out / f"lab{lab}-grade.log")
        previous = run

    # 4. Collect and report.
    for run in runs:
        if run.grading is not None:
            run.results, run.times["grade"] = run.grading.result()
            evaluate_handout(run, labs, out / f"lab{run.lab}-grade.log")
    reference_checks, reference_seconds = reference_checks_of(reference_future, out, labs)
    graders.shutdown()
    wall = time.monotonic() - started
    failed = write_summary(summary_path, general, reference_checks, runs, jobs, wall, reference_seconds, out)
    print_table(general, reference_checks, runs, labs, wall, summary_path, reference_seconds)
    return 0 if failed == 0 else 1


def _cell(checks: list[Check], prefix: str) -> str:
    chosen = [c for c in checks if c.name.startswith(prefix)]
    if not chosen:
        return "-"
    good = sum(c.passed for c in chosen)
    return f"{good}/{len(chosen)}" if len(chosen) > 1 or good != 1 else "ok"


def print_table(general, reference_checks, runs, labs, wall, summary_path, reference_seconds) -> None:
    print("\nhandout invariant")
    print(f"  {'lab':<5}{'handout':<9}{'build':<16}{'boots':<7}{'earlier labs pass':<19}"
          f"{'own tests fail':<16}{'seconds':>8}")
    for run in runs:
        build = _cell(run.checks, "builds")
        if "build" in run.times and build == "ok":
            build = f"ok ({run.recompiled} cc)"
        elif build == "0/1":
            build = "FAILED"
        seconds = sum(v for k, v in run.times.items())
        earlier = _cell([c for c in run.checks if " passes: " in c.name], "lab ")
        own = _cell([c for c in run.checks if "fails on the stub" in c.name or "has tests" in c.name], "lab ")
        print(f"  {run.lab:<5}{_cell(run.checks, 'handout'):<9}{build:<16}{_cell(run.checks, 'boots'):<7}"
              f"{earlier:<19}{own:<16}{seconds:>8.1f}")
    if reference_checks:
        per_lab = []
        for lab in labs:
            mine = [c for c in reference_checks if c.name.startswith(f"reference lab {lab} ")]
            per_lab.append(f"lab {lab} {sum(c.passed for c in mine)}/{len(mine)}")
        print(f"  reference tree, tests passing: {', '.join(per_lab)}  (graded in {reference_seconds:.1f} s)")
    problems = [c for c in general + reference_checks if not c.passed]
    problems += [c for run in runs for c in run.checks if not c.passed]
    if problems:
        print("\nfailed checks:")
        for run in runs:
            for c in run.checks:
                if not c.passed:
                    print(f"  lab {run.lab} handout: {c.name}")
                    for line in c.detail.splitlines():
                        print(f"      {line}")
        for c in general + reference_checks:
            if not c.passed:
                print(f"  {c.name}")
                for line in c.detail.splitlines():
                    print(f"      {line}")
    total = len(general) + len(reference_checks) + sum(len(r.checks) for r in runs)
    failed = len(problems)
    print(f"\nwrote {summary_path} ({wall:.1f} s)")
    print(f"{total - failed} passed, {failed} failed")


if __name__ == "__main__":
    sys.exit(main())
