"""The pristine material batch grading builds every submission from.

For lab N, PRISTINE/ holds:

    tree/            the handout for lab N, made by the handout generator (tools/handout.py)
                     from the instructor's reference tree, built (build/: the objects every
                     submission's build is seeded with, so only the student's files compile)
    rubric.toml      the reference's rubric for lab N, hidden variants included (the handout's
                     copy has them cut out); batch grading reads rubrics only from here
    pristine.json    lab, source commit, a fingerprint of the material, whether host tests
                     are needed
    build.log

It is made once per batch and reused while the reference has not changed (the fingerprint
covers every file the handout holds and the rubric). The Gradescope autograder ships one,
prebuilt, so that grading on Gradescope needs no reference tree (autograder.py).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import rubric
from .rubric import Suite, TestCase

STAMP = "pristine.json"
SCHEMA = "conduit-pristine/1"


class PristineError(Exception):
    pass


@dataclass
class Pristine:
    dir: Path
    lab: int
    suite: Suite
    tests: list[TestCase]
    host_tests: bool
    stamp: dict

    @property
    def tree(self) -> Path:
        return self.dir / "tree"

    @property
    def rubric(self) -> Path:
        return self.dir / "rubric.toml"


def _tools(reference: Path):
    """The reference tree's handout tools (tools/handout.py, fences.py, build_seed.py)."""
    tools = str(reference / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    import build_seed  # noqa: E402
    import fences      # noqa: E402
    import handout     # noqa: E402
    return fences, handout, build_seed


def _lab_rubric(reference: Path, lab: int) -> tuple[Path, str]:
    fences, _, _ = _tools(reference)
    folder = fences.discover_labs(reference).get(lab)
    if folder is None or not (folder / "rubric.toml").is_file():
        raise PristineError(f"there is no lab {lab} with a rubric.toml in {reference}/lab/")
    path = folder / "rubric.toml"
    rel = path.relative_to(reference).as_posix()
    parsed = fences.scan_tree(reference, [rel]).files.get(rel)
    # Fences render as for the handout (INSTRUCTOR blocks go), but hidden runs stay.
    return path, parsed.render(lab) if parsed is not None else path.read_text(encoding="utf-8")


def _fingerprint(plan, rubric_text: str) -> str:
    digest = hashlib.sha256(rubric_text.encode())
    for name in sorted(plan.copied):
        st = (plan.root / name).lstat()
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    for name in sorted(plan.rendered):
        digest.update(name.encode() + b"\0" + hashlib.sha256(plan.rendered[name]).digest())
    return digest.hexdigest()


def _best_seed(seeds: list[Path], stamp: str) -> Path | None:
    """The build to copy objects from: of the handout trees among the seeds (the previous
    pristine tree, make check's build/handouts/labN), the most recently generated, since it is
    the closest to the reference as it is now; else the first build that exists."""
    builds = [s for s in seeds if (s / "kernel").is_dir()]
    handouts = [s for s in builds if (s.parent / stamp).is_file()]
    if handouts:
        return max(handouts, key=lambda s: (s.parent / stamp).stat().st_mtime)
    return builds[0] if builds else None


def prepare(reference: Path, lab: int, dest: Path, seeds: list[Path], jobs: int,
            say=print) -> Pristine:
    """Makes (or reuses) PRISTINE for lab N from the reference tree; seeds are build
    directories to copy objects from (the first that exists), e.g. the reference's build/."""
    fences, handout, build_seed = _tools(reference)
    rubric_path, rubric_text = _lab_rubric(reference, lab)
    plan = handout.plan_handout(reference, lab, exclude=dest)
    fingerprint = _fingerprint(plan, rubric_text)
    stamp_path = dest / STAMP
    if stamp_path.is_file():
        try:
            old = json.loads(stamp_path.read_text())
        except ValueError:
            old = {}
        if old.get("fingerprint") == fingerprint and (dest / "tree" / "build" / "conduit.iso").is_file():
            say(f"pristine lab {lab}: unchanged, reusing {dest}")
            return load(dest)
    started = time.monotonic()
    # The previous pristine tree is the best seed: files it has unchanged keep their times
    # and its objects stay current for them.
    previous = dest.with_name(dest.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if (dest / "tree" / "build" / "kernel").is_dir():
        dest.rename(previous)
        seeds = [previous / "tree" / "build"] + list(seeds)
    elif dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    tree = dest / "tree"
    seed = _best_seed(seeds, fences.HANDOUT_STAMP)
    # A handout tree next to the seed (build/handouts/labN from make check): files equal to
    # its copies take its times, so its objects are current for them.
    base = seed.parent if seed is not None and (seed.parent / fences.HANDOUT_STAMP).is_file() else None
    handout.write_handout(plan, tree, base, git=False, force=True, allow_inside=True)
    (dest / "rubric.toml").write_text(rubric_text, encoding="utf-8")
    suite, tests = rubric.load(dest / "rubric.toml")
    if suite.student is None:
        raise PristineError(f"{rubric_path}: a lab graded in batch needs a [student] table "
                            "(which files a student may change)")
    if seed is not None:
        build_seed.seed_build(seed, tree)
    host = any(t.host_test for t in tests)
    targets = ["all"] + (["unit-tests-build"] if host else [])
    log = dest / "build.log"
    with open(log, "w") as out:
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "BUILD")}
        rc = subprocess.run(["make", "--no-print-directory", f"JOBS={jobs}", "BUILD=build", *targets],
                            cwd=tree, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
    shutil.rmtree(previous, ignore_errors=True)
    if rc != 0:
        raise PristineError(f"the pristine tree for lab {lab} does not build; see {log}")
    stamp = {"schema": SCHEMA, "lab": lab, "fingerprint": fingerprint, "host_tests": host,
             "source": handout._source_commit(reference), "rubric": str(rubric_path),
             "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    say(f"pristine lab {lab}: handout and build in {time.monotonic() - started:.1f} s -> {dest}")
    return load(dest)


SOURCE_TIME = 1_000_000_000        # 2001: every source of the pristine tree
BUILT_TIME = SOURCE_TIME + 86_400  # a day later: everything under build/


def settle_times(tree: Path) -> None:
    """The pristine tree is built and consistent by construction, but an unzip (Python's
    zipfile restores no times) or a copy may have lost the order of its times, and make would
    then recompile everything. Sources get one old time and build outputs a later one, so make
    sees exactly what was true when it was built; a student's file, put in later with the
    current time, is the only thing newer."""
    for base, dirs, files in os.walk(tree):
        built = Path(base) == tree / "build" or (tree / "build") in Path(base).parents
        when = BUILT_TIME if built else SOURCE_TIME
        for name in files + dirs:
            path = os.path.join(base, name)
            if not os.path.islink(path):
                os.utime(path, (when, when))


def load(dest: Path) -> Pristine:
    """A prepared PRISTINE (as `prepare` or the autograder zip left it)."""
    try:
        stamp = json.loads((dest / STAMP).read_text())
    except (OSError, ValueError) as err:
        raise PristineError(f"{dest} is not prepared pristine material ({STAMP}: {err})") from None
    if stamp.get("schema") != SCHEMA:
        raise PristineError(f"{dest / STAMP}: unknown schema {stamp.get('schema')!r}")
    suite, tests = rubric.load(dest / "rubric.toml")
    if suite.student is None:
        raise PristineError(f"{dest / 'rubric.toml'} has no [student] table")
    settle_times(dest / "tree")
    return Pristine(dir=dest, lab=stamp["lab"], suite=suite, tests=tests,
                    host_tests=bool(stamp.get("host_tests")), stamp=stamp)
