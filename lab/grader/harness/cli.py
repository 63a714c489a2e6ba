"""Command line: choose suites and tests, run them in parallel, report, write results.

Everything about *which tree* is graded comes from --root (default: the tree this file is in).
That is the hook for batch grading: a batch driver unpacks each submission, overlays the
pristine rubrics and tests, builds it, and calls grade_tree() with that root and its own
output directory; nothing below depends on the current directory or on global state.
"""
from __future__ import annotations

import argparse
import difflib
import os
import shlex
import signal
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from pathlib import Path

from . import payload, report, rubric, writers
from .qemu import RunOptions, check_paths
from .results import Result, SuiteTotal, by_suite, evaluate
from .rubric import RubricError, TestCase
from .runner import ProcessRegistry, run_test

DEFAULT_ROOT = Path(__file__).resolve().parents[3]
HANDOUT_STAMP = ".conduit-handout.json"     # tools/fences.py writes it into every handout


class UsageError(Exception):
    """Bad selection or setup; printed without a traceback, exit status 2."""


def _cpu_count() -> int:
    """CPUs this process may use (a container or taskset may allow fewer than the host has)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:
        return os.cpu_count() or 1


def _seed(text: str) -> int:
    """--seed: a payload seed as cmd.txt shows it (decimal or 0x...)."""
    try:
        return payload.check_seed(int(text, 0), "--seed")
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err) if "--seed" in str(err) else
                                         f"--seed must be an integer, got {text!r}") from None


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="grade.py", description="Boot Conduit once per test in QEMU and grade the results.",
        epilog="Examples: grade.py --lab 1 | grade.py --test uart_putc | grade.py --all-suites -j 4")
    p.add_argument("--lab", type=int, action="append", metavar="N", help="grade lab N (repeatable)")
    p.add_argument("--test", action="append", metavar="NAME",
                   help="only this test (NAME or NAME@variant; repeatable); searches every suite")
    p.add_argument("--suite", action="append", type=Path, metavar="RUBRIC",
                   help="a rubric.toml to run (repeatable; default: every lab/*/rubric.toml)")
    p.add_argument("--all-suites", action="store_true",
                   help="every lab plus tests/kernel (not the grader self-tests)")
    p.add_argument("-j", "--jobs", type=int, default=_cpu_count(), metavar="J",
                   help="QEMUs in parallel (default: number of CPUs)")
    p.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the tree to grade")
    p.add_argument("--iso", type=Path, help="bootable ISO (default ROOT/build/conduit.iso)")
    p.add_argument("--elf", type=Path, help="kernel with symbols for backtraces "
                   "(default: kernel.elf next to the ISO)")
    p.add_argument("--host-tests", type=Path, metavar="BINARY",
                   help="host unit-test binary for host_test entries "
                   "(default: host/unit_tests next to the ISO)")
    p.add_argument("--out", type=Path, help="output directory (default ROOT/build/grade)")
    p.add_argument("--json", nargs="?", const="", metavar="FILE",
                   help="also write results JSON to FILE (OUT/results.json is always written)")
    p.add_argument("--junit", nargs="?", const="", metavar="FILE",
                   help="write JUnit XML (default FILE: OUT/junit.xml)")
    p.add_argument("--gradescope", type=Path, metavar="FILE", help="write Gradescope results JSON")
    p.add_argument("--qemu", default="qemu-system-x86_64", metavar="COMMAND",
                   help="QEMU binary or wrapper command (split like a shell would)")
    p.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"),
                   help="QEMU accelerator (default tcg; ACCEL=kvm in the environment opts in)")
    p.add_argument("--timeout-scale", type=float,
                   default=float(os.environ.get("GRADE_TIMEOUT_SCALE", "1")), metavar="F",
                   help="multiply every progress timeout (GRADE_TIMEOUT_SCALE); rarely needed, "
                   "since time spent waiting for a host CPU is not counted anyway")
    hidden = p.add_mutually_exclusive_group()
    hidden.add_argument("--hidden", dest="hidden", action="store_true", default=None,
                        help="also run the instructor's hidden variants (default: only in the "
                        "instructor's tree, never in a handout)")
    hidden.add_argument("--no-hidden", dest="hidden", action="store_false",
                        help="leave the hidden variants out")
    p.add_argument("--seed", type=_seed, metavar="S",
                   help='payload seed for tests whose payloads say seed = "run" (default: a fresh '
                        "one per run); replays a run from its cmd.txt")
    p.add_argument("--list", action="store_true", help="list the selected tests and exit")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print every QEMU command, and details for passing tests too")
    args = p.parse_args(argv)
    if args.jobs < 1 or args.timeout_scale <= 0:
        p.error("-j and --timeout-scale must be positive")
    return args


def _suite_paths(args: argparse.Namespace, root: Path) -> list[Path]:
    if args.suite:
        return [p.resolve() for p in args.suite]
    paths = rubric.lab_manifests(root)
    if args.all_suites or (args.test and not args.lab):
        kernel = rubric.kernel_manifest(root)
        if kernel.is_file():
            paths.append(kernel)
    if not paths:
        raise UsageError(f"no rubrics found under {root}/lab/*/rubric.toml")
    return paths


def include_hidden(args: argparse.Namespace, root: Path) -> bool:
    """Hidden variants run in the instructor's tree and in batch grading (which passes
    --hidden); a handout's rubrics have none (tools/handout.py removes them), and a tree
    stamped as a handout never runs them even if someone put them back."""
    if getattr(args, "hidden", None) is not None:
        return args.hidden
    return not (root / HANDOUT_STAMP).exists()


def _folder_lab(path: Path) -> int | None:
    """The lab number a rubric's folder says (lab/02-interrupts/rubric.toml -> 2)."""
    head = path.parent.name.split("-", 1)[0]
    return int(head) if path.parent.parent.name == "lab" and head.isdigit() else None


def _load_all(args: argparse.Namespace, root: Path) -> list:
    """Every selected rubric. One lab's broken rubric does not block another: with --lab, a
    broken rubric of another lab is only a warning; grading every lab, the broken ones are
    reported (args.rubric_errors; the exit status is then 2) and the others graded. A rubric
    named with --suite, or one of the selected labs, must load."""
    loaded, args.rubric_errors = [], []
    for path in _suite_paths(args, root):
        try:
            loaded.append(rubric.load(path))
        except RubricError as err:
            lab = _folder_lab(path)
            if args.suite or lab is None or (args.lab and lab in args.lab):
                raise
            if args.lab:
                print(f"grade.py: warning: lab {lab} is not graded now, but its rubric is "
                      f"broken: {err}", file=sys.stderr)
            else:
                args.rubric_errors.append(str(err))
    names: dict[str, Path] = {}
    for suite, _ in loaded:
        if suite.name in names:
            raise RubricError(f"suite name '{suite.name}' is used by {names[suite.name]} and "
                              f"{suite.path}: results and logs are kept per suite name")
        names[suite.name] = suite.path
    return loaded


def select_tests(args: argparse.Namespace, root: Path) -> list[TestCase]:
    loaded = _load_all(args, root)
    if args.lab:
        loaded = [(s, cases) for s, cases in loaded if s.lab in args.lab]
        if not loaded:
            raise UsageError(f"no rubric for lab {', '.join(map(str, args.lab))} "
                             f"(looked at lab/*/rubric.toml, [suite] lab = N)")
    cases = [case for _, group in loaded for case in group]
    if not include_hidden(args, root):
        cases = [case for case in cases if not case.hidden]
    if not args.test:
        return cases
    chosen = []
    for wanted in args.test:
        hits = [c for c in cases if wanted in (c.id, c.name, f"{c.suite.name}/{c.id}")]
        if not hits:
            close = difflib.get_close_matches(wanted, sorted({c.id for c in cases}), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UsageError(f"no test named '{wanted}' in the selected suites{hint}")
        chosen += [c for c in hits if c not in chosen]
    return chosen


def run_tests(tests: list[TestCase], options: RunOptions, jobs: int,
              progress: report.Progress) -> list[Result]:
    """Runs every test (J at a time); results come back in rubric order."""
    registry = ProcessRegistry()

    def one(test: TestCase) -> Result:
        progress.start(test)
        return evaluate(run_test(test, options, registry), options)

    results: list[Result | None] = [None] * len(tests)
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        # Longest timeouts first: a slow test started last would stretch the whole run.
        order = sorted(range(len(tests)), key=lambda i: -tests[i].timeout)
        futures = {pool.submit(one, tests[index]): index for index in order}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                result = future.result()
                results[futures[future]] = result
                progress.finish(result)
                if options.verbose:
                    sys.stdout.write(f"      {shlex.join(result.record.argv)}\n")
            progress.tick()
    except BaseException:
        # Ctrl-C (or a grader bug): stop every QEMU before unwinding, leave no orphans.
        registry.kill_all()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown()
    return [r for r in results if r is not None]


def make_options(args: argparse.Namespace, tests: list[TestCase] | None = None) -> RunOptions:
    root = args.root.resolve()
    iso = (args.iso or root / "build" / "conduit.iso").resolve()
    options = RunOptions(
        root=root, iso=iso,
        out=(args.out or root / "build" / "grade").resolve(),
        qemu=shlex.split(args.qemu), accel=args.accel, timeout_scale=args.timeout_scale,
        # The ELF must be the one the ISO was made from, or backtraces get the wrong names.
        kernel_elf=(args.elf or iso.parent / "kernel.elf").resolve(), verbose=args.verbose,
        host_tests=(args.host_tests or iso.parent / "host" / "unit_tests").resolve(),
        seed=args.seed)
    if not options.qemu:
        raise UsageError("--qemu must name a program")
    boots = tests is None or any(t.host_test is None for t in tests)
    if boots and (not options.iso.exists() or options.iso.is_dir()):
        raise UsageError(f"no ISO at {options.iso}: build it first (make), or pass --iso")
    problem = check_paths(options)
    if problem:
        raise UsageError(problem)
    return options


def grade_tree(tests: list[TestCase], options: RunOptions, jobs: int) -> list[SuiteTotal]:
    """Runs and reports; the reusable core for one tree (see the module docstring)."""
    elf = options.kernel_elf
    if elf and elf.is_file() and options.iso.is_file() and \
            elf.stat().st_mtime > options.iso.stat().st_mtime + 1:
        print(f"warning: {elf} is newer than {options.iso}; the ISO may be stale (run make)",
              file=sys.stderr)
    suites = sorted({t.suite.name for t in tests})
    print(f"grading {len(tests)} test{'s' if len(tests) != 1 else ''} "
          f"({', '.join(suites)}) with {min(jobs, len(tests))} QEMU at a time; "
          f"ISO {report.rel_path(options.iso)}", flush=True)
    progress = report.Progress(len(tests))
    try:
        results = run_tests(tests, options, jobs, progress)
    finally:
        progress.close()
    for result in results:
        if not result.passed:
            report.print_failure(result)
        elif options.verbose:
            print(f"    {result.test.suite.name}/{result.test.id}: {result.reason}  "
                  f"[{result.record.testdir}]")
    return by_suite(results)


class Terminated(BaseException):
    """SIGTERM or SIGHUP (CI cancelled the job, the terminal closed). Handled like Ctrl-C:
    every QEMU runs in its own session, so nobody else would stop them."""


def _on_signal(signum, frame):
    raise Terminated(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    started = time.monotonic()
    try:
        tests = select_tests(args, args.root.resolve())
        if args.list:
            for t in tests:
                print(f"{t.suite.name}/{t.id}  points={t.points:g} machine={t.machine} "
                      f"timeout={t.timeout:g}s" + (f" expect={t.expect_outcome}" if t.expect_outcome else "")
                      + (" hidden" if t.hidden else ""))
            return 0
        options = make_options(args, tests)
    except (RubricError, UsageError) as err:
        print(f"grade.py: {err}", file=sys.stderr)
        return 2
    for error in args.rubric_errors:
        print(f"grade.py: not graded: {error}", file=sys.stderr)
    try:
        totals = grade_tree(tests, options, args.jobs)
    except (KeyboardInterrupt, Terminated):
        print("\ngrade.py: interrupted; every QEMU was stopped", file=sys.stderr)
        return 130
    _write_outputs(args, options, totals, time.monotonic() - started)
    report.print_tables(totals)
    for error in args.rubric_errors:
        print(f"\nnot graded (broken rubric): {error}")
    report.print_summary(totals)
    if args.rubric_errors:
        return 2
    return 0 if all(t.failed == 0 for t in totals) else 1


def _write_outputs(args: argparse.Namespace, options: RunOptions, totals: list[SuiteTotal],
                   wall: float) -> None:
    meta = {"root": str(options.root), "iso": str(options.iso), "qemu": options.qemu,
            "accel": options.accel, "jobs": args.jobs, "timeout_scale": options.timeout_scale,
            "wall_time": round(wall, 3)}
    json_path = Path(args.json).resolve() if args.json else None
    junit = None
    if args.junit is not None:
        junit = Path(args.junit).resolve() if args.junit else options.out / "junit.xml"
    written = writers.write_all(totals, meta, options.out, json_path, junit,
                                args.gradescope.resolve() if args.gradescope else None, wall)
    print("\nwrote " + ", ".join(report.rel_path(p) for p in written))
