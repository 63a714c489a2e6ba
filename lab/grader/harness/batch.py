"""Grading one submission from pristine material, in the sandbox (the batch driver's unit).

    1. unpack the submission safely (submission.py); a bad one is a row with the reason;
    2. compare it with the pristine tree: the lab's `[student] files` that differ are taken,
       every other change is listed in the report and not used (Makefile, tools/, tests,
       rubrics, a stale build/ ...);
    3. copy the pristine tree with its build, put the student's files in (with a fresh time,
       their old objects removed, so that make compiles exactly them), and build with the
       pristine Makefile inside the sandbox, with CPU, file-size, disk and time limits;
    4. static checks on the objects of the student's files (static_check.py): any finding
       zeroes the lab's tests with that reason, and they are not run;
    5. grade the lab's tests (hidden variants included) with the pristine rubric, every QEMU
       run and host test in the sandbox;
    6. write the student's report folder: result.json, results.json (the grader's own),
       gradescope.json, build.log, changes.txt, static.txt, and grade/<suite>/<test>/ logs.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import static_check, submission, writers
from .pristine import Pristine
from .qemu import RunOptions
from .results import Result, by_suite, evaluate
from .runner import ProcessRegistry, run_test
from .sandbox import Sandbox

BUILD_WALL_SECONDS = 900
DISK_LIMIT_BYTES = 2 << 30
LOG_LIMIT_BYTES = 4 << 20
SKIP_IN_COMPARISON = ("build", ".git", ".conduit-handout.json")


@dataclass
class BatchOptions:
    out: Path                       # OUT/: students/, work/, results.csv, results.json
    sandbox: bool = True            # False only with --unsafe
    qemu: list[str] = field(default_factory=lambda: ["qemu-system-x86_64"])
    accel: str = "tcg"
    make_jobs: int = 1
    qemu_jobs: int = 1
    tests: list[str] | None = None  # only these test ids or names (a quick check)
    force: bool = False
    keep_objects: bool = False
    timeout_scale: float = 1.0


def fingerprint(path: Path, pristine: Pristine, tests: list[str] | None) -> str:
    """Same submission, same pristine material, same selection: the old result stands."""
    digest = hashlib.sha256(f"{pristine.stamp.get('fingerprint')}\0{tests}\0".encode())
    if path.is_dir():
        for base, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in (".git", "build"))
            for name in sorted(files):
                full = Path(base) / name
                st = full.lstat()
                digest.update(f"{full.relative_to(path)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    else:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def _files(root: Path) -> dict[str, Path]:
    """Every regular file and symlink below root, by relative path, build/ and .git/ aside."""
    found = {}
    for base, dirs, files in os.walk(root):
        rel_base = Path(base).relative_to(root)
        if rel_base == Path("."):
            dirs[:] = [d for d in dirs if d not in SKIP_IN_COMPARISON]
        for name in files:
            rel = (rel_base / name).as_posix()
            if rel not in SKIP_IN_COMPARISON:
                found[rel] = Path(base) / name
    return found


def _same(a: Path, b: Path) -> bool:
    try:
        if a.is_symlink() or b.is_symlink():
            return a.is_symlink() and b.is_symlink() and os.readlink(a) == os.readlink(b)
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


@dataclass
class Comparison:
    taken: list[str] = field(default_factory=list)     # student files that differ: used
    unchanged: list[str] = field(default_factory=list)  # student files equal to the handout
    not_used: list[str] = field(default_factory=list)   # "changed: Makefile", "added: x", ...
    refused: list[str] = field(default_factory=list)    # student files that cannot be used


def compare(submitted: Path, pristine: Pristine) -> Comparison:
    rules = pristine.suite.student
    mine, theirs = _files(pristine.tree), _files(submitted)
    result = Comparison()
    for rel, path in sorted(theirs.items()):
        if rules.owns(rel):
            if path.is_symlink() or not path.is_file():
                result.refused.append(f"{rel}: a symlink, not a file (the handout's copy is used)")
            elif rel in mine and _same(path, mine[rel]):
                result.unchanged.append(rel)
            else:
                result.taken.append(rel)
        elif rel not in mine:
            result.not_used.append(f"added: {rel}")
        elif not _same(path, mine[rel]):
            result.not_used.append(f"changed: {rel}")
    for rel in sorted(set(mine) - set(theirs)):
        if not rules.owns(rel):
            result.not_used.append(f"removed: {rel}")
    return result


def _copy_tree(source: Path, dest: Path) -> None:
    """cp -a keeps times (the seeded objects stay newer than the sources) and is fast."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-a", "--reflink=auto", str(source), str(dest)], check=True)


def overlay(tree: Path, submitted: Path, taken: list[str]) -> None:
    """The student's files into the tree, each newer than everything (their mtimes in an
    archive are the student's to choose), their old objects gone, so make compiles them."""
    now = time.time()
    for rel in taken:
        target = tree / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            target.unlink()
        shutil.copyfile(submitted / rel, target)
        os.utime(target, (now, now))
        for obj in (tree / "build" / "kernel" / f"{rel}.o",
                    tree / "build" / "host" / Path(rel).with_suffix(".o")):
            if obj.exists():
                obj.unlink()


def _du(path: Path) -> int:
    total = 0
    for base, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:
                pass
    return total


def run_limited(argv: list[str], log: Path, watch: Path, wall: float, cwd: Path | None = None,
                disk_limit: int = DISK_LIMIT_BYTES) -> tuple[int | None, str | None]:
    """Runs a (sandboxed) command with its output in log; stops it past `wall` seconds, past
    disk_limit bytes used below `watch`, or past LOG_LIMIT_BYTES of output. Returns (exit
    status or None, why it was stopped or None)."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        started, why, checks = time.monotonic(), None, 0
        while proc.poll() is None:
            time.sleep(0.2)
            checks += 1
            if time.monotonic() - started > wall:
                why = f"still running after {wall:.0f} s"
            elif checks % 10 == 0 and _du(watch) > disk_limit:
                why = f"used more than {disk_limit >> 20} MiB of disk"
            elif log.stat().st_size > LOG_LIMIT_BYTES:
                why = f"printed more than {LOG_LIMIT_BYTES >> 20} MiB"
            if why:
                os.killpg(proc.pid, 9)
                proc.wait()
                return None, why
    return proc.returncode, None


def build_error(log: Path) -> str:
    """The first compiler or linker error of a build log, as one line."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return "(no build log)"
    for line in lines:
        if " error: " in line or line.startswith(("make: ***", "/usr/bin/ld:")) or "undefined reference" in line:
            return line.strip()[:300]
    tail = [l for l in lines if l.strip()][-1:]
    return tail[0].strip()[:300] if tail else "(the build printed nothing)"


class NullProgress:
    """run_tests' progress interface, silent: a batch prints one line per submission."""

    def start(self, test) -> None:
        pass

    def finish(self, result) -> None:
        pass

    def tick(self) -> None:
        pass


def grade_tests(pristine: Pristine, tree: Path, report: Path, options: BatchOptions,
                sandbox: Sandbox | None) -> list[Result]:
    from .cli import run_tests       # late: cli imports this module's caller
    tests = [t for t in pristine.tests if not options.tests
             or any(w in (t.id, t.name) for w in options.tests)]
    run_options = RunOptions(
        root=tree, iso=tree / "build" / "conduit.iso", out=report / "grade",
        qemu=list(options.qemu), accel=options.accel, timeout_scale=options.timeout_scale,
        kernel_elf=tree / "build" / "kernel.elf", host_tests=tree / "build" / "host" / "unit_tests",
        sandbox=sandbox)
    results = run_tests(tests, run_options, options.qemu_jobs, NullProgress())
    writers.write_all(by_suite(results), {"root": str(tree), "lab": pristine.lab}, report, None,
                      None, report / "gradescope.json", sum(r.record.wall_time for r in results))
    return results


def row_tests(pristine: Pristine, options: BatchOptions, results: list[Result] | None,
              zero_reason: str | None) -> list[dict]:
    """One entry per lab test: its points, score, verdict and reason."""
    by_id = {r.test.id: r for r in results or []}
    rows = []
    for test in pristine.tests:
        if options.tests and not any(w in (test.id, test.name) for w in options.tests):
            continue
        result = by_id.get(test.id)
        if result is not None:
            rows.append({"id": test.id, "points": test.points, "score": result.score,
                         "verdict": result.verdict.kind, "reason": "" if result.passed else result.reason,
                         "hidden": test.hidden})
        else:
            rows.append({"id": test.id, "points": test.points, "score": 0.0,
                         "verdict": "not-run", "reason": zero_reason or "not run", "hidden": test.hidden})
    return rows


def write_text(path: Path, lines: list[str]) -> None:
    path.write_text("".join(f"{line}\n" for line in lines) or "(none)\n")


def save_row(report: Path, row: dict) -> None:
    (report / "result.json").write_text(writers.dumps(row))


def load_row(report: Path, wanted: str) -> dict | None:
    try:
        row = json.loads((report / "result.json").read_text())
    except (OSError, ValueError):
        return None
    return row if row.get("fingerprint") == wanted else None


def new_sandbox(work: Path, options: BatchOptions) -> Sandbox | None:
    if not options.sandbox:
        return None
    return Sandbox(roots=[work])



def _sandboxed_runner(sandbox: Sandbox | None):
    """nm and objdump read the student's objects: untrusted input, so in the sandbox too."""
    def run(argv: list[str]) -> str:
        full = sandbox.wrap(argv) if sandbox is not None else argv
        return subprocess.run(full, capture_output=True, text=True, errors="replace",
                              timeout=120).stdout
    return run


def _short(results_rows: list[dict]) -> str:
    failed = [t for t in results_rows if t["score"] < t["points"]]
    if not failed:
        return ""
    first = failed[0]
    more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
    return f"{first['id']}: {first['verdict']}: {first['reason'][:200]}{more}"


def grade_submission(path: Path, name: str, pristine: Pristine, options: BatchOptions) -> dict:
    """Grades one submission; never raises for anything the submission does."""
    report, work = options.out / "students" / name, options.out / "work" / name
    wanted = fingerprint(path, pristine, options.tests)
    if not options.force:
        old = load_row(report, wanted)
        if old is not None:
            return {**old, "resumed": True}
    for folder in (report, work):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    os.chmod(work, 0o755)
    started = time.monotonic()
    row = {"student": name, "submission": str(path), "fingerprint": wanted, "lab": pristine.lab,
           "status": "", "score": 0.0, "max_score": 0.0, "reason": "", "build_error": "",
           "taken": [], "not_used": [], "static": [], "tests": [], "times": {}, "resumed": False}
    sandbox = new_sandbox(work, options)
    try:
        _pipeline(path, row, pristine, options, report, work, sandbox)
    finally:
        row["max_score"] = sum(t["points"] for t in row["tests"]) or \
            sum(t.points for t in pristine.tests)
        row["score"] = sum(t["score"] for t in row["tests"])
        row["times"]["total"] = round(time.monotonic() - started, 2)
        _tidy(work, options)
        save_row(report, row)
    return row


def _stop(row: dict, status: str, reason: str, pristine: Pristine, options: BatchOptions) -> None:
    row["status"], row["reason"] = status, reason
    row["tests"] = row_tests(pristine, options, None, reason)


def _pipeline(path, row, pristine, options, report, work, sandbox) -> None:
    clock = time.monotonic()
    try:
        unpacked = submission.unpack(path, work / "submitted", sandbox)
    except submission.Rejected as err:
        return _stop(row, "rejected", str(err), pristine, options)
    comparison = compare(unpacked.root, pristine)
    row["taken"] = comparison.taken
    row["not_used"] = comparison.not_used + comparison.refused + \
        [f"ignored: {top}/ (never used)" for top in unpacked.skipped]
    write_text(report / "changes.txt", [f"taken: {r}" for r in comparison.taken] +
               [f"unchanged: {r}" for r in comparison.unchanged] + row["not_used"])
    tree = work / "tree"
    _copy_tree(pristine.tree, tree)
    overlay(tree, unpacked.root, comparison.taken)
    row["times"]["unpack"] = round(time.monotonic() - clock, 2)
    clock = time.monotonic()
    if sandbox is not None:
        sandbox.adopt(work)
    targets = ["all"] + (["unit-tests-build"] if pristine.host_tests else [])
    argv = ["make", "--no-print-directory", f"JOBS={options.make_jobs}", "BUILD=build", *targets]
    argv = sandbox.wrap(argv, cwd=tree) if sandbox is not None else argv
    status, why = run_limited(argv, report / "build.log", work, BUILD_WALL_SECONDS,
                              cwd=None if sandbox is not None else tree)
    row["times"]["build"] = round(time.monotonic() - clock, 2)
    if status != 0:
        row["build_error"] = why or build_error(report / "build.log")
        return _stop(row, "build-failed", f"does not build: {row['build_error']}", pristine, options)
    clock = time.monotonic()
    findings = static_check.check(tree, pristine.suite.student, comparison.taken,
                                  _sandboxed_runner(sandbox))
    row["static"] = [f.as_dict() for f in findings]
    write_text(report / "static.txt", [f.line() for f in findings])
    row["times"]["static"] = round(time.monotonic() - clock, 2)
    if findings:
        return _stop(row, "static-check", static_check.summary(findings), pristine, options)
    clock = time.monotonic()
    results = grade_tests(pristine, tree, report, options, sandbox)
    row["times"]["grade"] = round(time.monotonic() - clock, 2)
    row["tests"] = row_tests(pristine, options, results, None)
    row["status"], row["reason"] = "graded", _short(row["tests"])
    if row["not_used"]:
        shown = ", ".join(n.split(": ", 1)[-1] for n in row["not_used"][:3])
        more = f" and {len(row['not_used']) - 3} more" if len(row["not_used"]) > 3 else ""
        row["reason"] = "; ".join(filter(None, [row["reason"], f"not used: {shown}{more}"]))


def _tidy(work: Path, options: BatchOptions) -> None:
    """Keeps the tree's sources, ISO and kernel.elf (cmd.txt reruns need them), drops the
    objects, which are most of its size."""
    if options.keep_objects:
        return
    for name in ("kernel", "host", "iso"):
        shutil.rmtree(work / "tree" / "build" / name, ignore_errors=True)
    shutil.rmtree(work / "bundle-clone", ignore_errors=True)
