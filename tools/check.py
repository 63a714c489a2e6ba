#!/usr/bin/env python3
"""`make check`: runs every test stage and ends with one `N passed, M failed` line.

Stages (each counts its own tests):
  symbols   the kernel objects need no runtime symbol outside tools/undefined-allowlist.txt
  fences    every solution fence in the tree is well-formed (tools/fences.py --check)
  rules     the house rules (tools/check_rules.py): asm and port I/O only in arch/, no arch
            internals, driver or other lab headers where they do not belong; file:line and rule
  unit      host unit tests (Catch2, ASan+UBSan), from build/host/unit_tests.xml
  grader    the grader's own tests (Python unittest, including its QEMU self-test suite)
  tools     the handout tools' own tests (tests/tools, Python unittest)
  kernel    every in-kernel test suite through the grader, one QEMU per test
  handouts  the lab invariant: each handout builds, boots, passes earlier labs, scores 0 on its own
  batch     batch grading of cheating submissions in the sandbox, and the Gradescope autograder
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The Makefile passes its BUILD (make check BUILD=/tmp/x keeps everything out of build/).
BUILD = os.path.abspath(os.path.join(ROOT, os.environ.get("BUILD", "build")))


# Started from `make check`, the environment carries the parent make's jobserver, whose pipe
# does not survive into our children; each make we start uses the Makefile's own -j instead.
for variable in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
    os.environ.pop(variable, None)


def run(cmd, **kw):
    print(f"\n==> {' '.join(cmd)}", flush=True)
    return subprocess.run(cmd, cwd=ROOT, **kw)


def stage_symbols(_args):
    objects = sorted(glob.glob(os.path.join(BUILD, "kernel", "**", "*.o"), recursive=True))
    # Only objects of sources that still exist: a file moved or removed since the last build
    # leaves its old object behind in build/, and that one is not part of the kernel any more.
    kernel_build = os.path.join(BUILD, "kernel")
    objects = [o for o in objects if os.path.exists(os.path.join(ROOT, os.path.relpath(o, kernel_build)[:-2]))]
    ok = run(["bash", "tools/check_symbols.sh", *objects]).returncode == 0
    return (1, 0) if ok else (0, 1)


def stage_unit(_args):
    report = os.path.join(BUILD, "host", "unit_tests.xml")
    if os.path.exists(report):
        os.remove(report)   # a report left by an earlier run must never be counted
    made = run(["make", "--no-print-directory", f"BUILD={BUILD}", "unit-tests"]).returncode == 0
    if not made and not os.path.exists(report):
        print("unit: no JUnit report: the unit tests did not build or crashed before writing it")
        return (0, 1)
    cases = ET.parse(report).getroot().iter("testcase")
    passed = failed = 0
    for case in cases:
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        else:
            passed += 1
    if not made and failed == 0:
        failed = 1   # make failed although every reported case passed (e.g. a sanitizer abort)
    return (passed, failed) if passed + failed else (0, 1)


def stage_fences(_args):
    ok = run([sys.executable, "tools/fences.py", "--check"]).returncode == 0
    return (1, 0) if ok else (0, 1)


def stage_rules(_args):
    ok = run([sys.executable, "tools/check_rules.py"]).returncode == 0
    return (1, 0) if ok else (0, 1)


def stage_grader(_args):
    return unittest_stage("lab/grader/tests")


def stage_tools(_args):
    return unittest_stage("tests/tools")


def unittest_stage(directory):
    proc = run([sys.executable, "-m", "unittest", "discover", "-s", directory],
               capture_output=True, text=True)
    output = proc.stdout + proc.stderr
    print(output[-4000:] if proc.returncode else output[-600:])
    ran = re.search(r"^Ran (\d+) tests?", output, re.M)
    if not ran:
        return (0, 1)
    total = int(ran.group(1))
    bad = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", output))
    skipped = sum(int(n) for n in re.findall(r"skipped=(\d+)", output))
    return (total - bad - skipped, bad)


def stage_kernel(args):
    results = os.path.join(BUILD, "check", "results.json")
    if os.path.exists(results):
        os.remove(results)
    run([sys.executable, "lab/grader/grade.py", "--all-suites", "-j", str(args.jobs),
         "--iso", os.path.join(BUILD, "conduit.iso"), "--elf", os.path.join(BUILD, "kernel.elf"),
         "--host-tests", os.path.join(BUILD, "host", "unit_tests"),
         "--out", os.path.join(BUILD, "check", "grade"), "--json", results,
         "--junit", os.path.join(BUILD, "check", "junit.xml")])
    if not os.path.exists(results):
        print("kernel: the grader wrote no results.json")
        return (0, 1)
    with open(results) as f:
        doc = json.load(f)
    summary = doc["summary"]
    return (summary["passed"], summary["failed"]) if summary["passed"] + summary["failed"] else (0, 1)


def instructor_tool(path):
    """The handout and batch checks need the reference tree: a student's handout has neither
    their tools nor anything for them to check, so there these stages are skipped."""
    if os.path.exists(os.path.join(ROOT, path)):
        return True
    print(f"\n==> skipped: {path} is not in this tree (a handout)")
    return False


def summary_stage(tool, summary, args, extra=()):
    """A stage whose tool writes {passed, failed} into a summary file (handouts, batch)."""
    if not instructor_tool(tool):
        return None
    proc = run([sys.executable, tool, "--jobs", str(args.jobs), *extra])
    if not os.path.exists(summary):
        return (0, 1)
    with open(summary) as f:
        doc = json.load(f)
    return (doc["passed"], doc["failed"]) if proc.returncode == 0 or doc["failed"] else (0, 1)


def stage_handouts(args):
    """Each handout graded on its own lab and the lab below (the full check of every earlier lab
    is `make handout-check`); the reference's results come from the kernel stage."""
    return summary_stage("tools/handout_check.py", os.path.join(BUILD, "handouts", "summary.json"), args,
                         ["--earlier", "previous",
                          "--reference-results", os.path.join(BUILD, "check", "results.json")])


def stage_batch(args):
    """Batch grading of the cheating fixtures and the Gradescope autograder (tools/grade_check.py);
    after the handouts stage, whose lab trees seed its pristine build."""
    return summary_stage("tools/grade_check.py", os.path.join(BUILD, "grade-check", "summary.json"), args)


STAGES = [("symbols", stage_symbols), ("fences", stage_fences), ("rules", stage_rules), ("unit", stage_unit),
          ("grader", stage_grader), ("tools", stage_tools), ("kernel", stage_kernel),
          ("handouts", stage_handouts), ("batch", stage_batch)]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    p.add_argument("--only", action="append", choices=[name for name, _ in STAGES])
    args = p.parse_args()

    rows = []
    started = time.monotonic()
    for name, stage in STAGES:
        if args.only and name not in args.only:
            continue
        t0 = time.monotonic()
        counts = stage(args)
        if counts is None:
            continue
        rows.append((name, counts[0], counts[1], time.monotonic() - t0))

    print("\ncheck summary")
    print(f"  {'stage':<10}{'passed':>8}{'failed':>8}{'seconds':>9}")
    for name, passed, failed, seconds in rows:
        print(f"  {name:<10}{passed:>8}{failed:>8}{seconds:>9.1f}")
    total_passed = sum(r[1] for r in rows)
    total_failed = sum(r[2] for r in rows)
    print(f"  total time {time.monotonic() - started:.1f} s")
    print(f"{total_passed} passed, {total_failed} failed")
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
