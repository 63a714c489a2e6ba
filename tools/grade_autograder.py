#!/usr/bin/env python3
"""Writes the Gradescope autograder zip for one lab: `make autograder LAB=N [UNSAFE=1]`.

    python3 tools/grade_autograder.py --lab N [--out build/autograder] [--unsafe]

The zip holds, at its root (Gradescope's autograder specification):

    setup.sh          installs the packages on Gradescope's image (lab/grader/autograder/)
    run_autograder    grades /autograder/submission as batch grading does (grade.py autograder)
    config.env        LAB=N, ALLOW_UNSAFE=0|1
    pristine/         the lab's pristine material, prebuilt (lab/grader/harness/pristine.py):
                      the handout tree with its build objects, the rubric with hidden variants

Nothing of the reference solution is in it: the tree is the handout, whose lab files are the
stubs. A submission is graded in bubblewrap's sandbox; when Gradescope's container does not
allow it, results.json says so and gives no points, unless the zip was made with --unsafe.
"""
from __future__ import annotations

import argparse
import os
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lab" / "grader"))

from harness import pristine as pristine_mod  # noqa: E402

TEMPLATES = ROOT / "lab" / "grader" / "autograder"
# Inside the pristine tree: outputs that are rebuilt or never needed by a submission's build.
LEFT_OUT = ("build/grade", "build/iso", "build/handouts", "build/batch", "build/check",
            "build/conduit.iso", "build/kernel.elf")


def _left_out(rel: str) -> bool:
    return any(rel == p or rel.startswith(p + "/") for p in LEFT_OUT)


def write_zip(pristine: Path, target: Path, lab: int, unsafe: bool) -> int:
    """The zip; returns the number of files in it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    count = 0
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o100755 << 16)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, (TEMPLATES / name).read_bytes())
            count += 1
        archive.writestr("config.env", f"LAB={lab}\nALLOW_UNSAFE={int(unsafe)}\n")
        count += 1
        for base, dirs, files in os.walk(pristine):
            dirs.sort()
            for name in sorted(files):
                path = Path(base) / name
                rel = path.relative_to(pristine).as_posix()
                if rel.startswith("tree/") and _left_out(rel[len("tree/"):]):
                    continue
                if path.is_symlink():
                    continue
                info = zipfile.ZipInfo.from_file(path, f"pristine/{rel}")
                info.compress_type = zipfile.ZIP_DEFLATED
                with open(path, "rb") as data:
                    archive.writestr(info, data.read())
                count += 1
    tmp.replace(target)
    return count


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lab", type=int, required=True)
    p.add_argument("--out", type=Path, default=ROOT / "build" / "autograder")
    p.add_argument("--unsafe", action="store_true",
                   help="grade without a sandbox where Gradescope's container allows none")
    p.add_argument("--seed", type=Path, action="append", default=[], help="build folders to seed from")
    p.add_argument("--pristine", type=Path, metavar="DIR",
                   help="zip this prepared pristine material (a batch run's OUT/pristine) as it is")
    args = p.parse_args(argv)
    out = args.out.resolve()
    seeds = [s.resolve() for s in args.seed] + [ROOT / "build" / "handouts" / f"lab{args.lab}" / "build",
                                                ROOT / "build"]
    try:
        if args.pristine:
            pristine = pristine_mod.load(args.pristine.resolve())
            if pristine.lab != args.lab:
                raise pristine_mod.PristineError(f"{args.pristine} is lab {pristine.lab}, not {args.lab}")
        else:
            pristine = pristine_mod.prepare(ROOT, args.lab, out / f"lab{args.lab}" / "pristine", seeds,
                                            max(1, len(os.sched_getaffinity(0))))
    except pristine_mod.PristineError as err:
        print(f"autograder: {err}", file=sys.stderr)
        return 2
    target = out / f"lab{args.lab}-autograder.zip"
    count = write_zip(pristine.dir, target, args.lab, args.unsafe)
    print(f"wrote {target} ({count} files, {target.stat().st_size / (1 << 20):.1f} MiB): upload it as "
          f"the programming assignment's autograder (lab {args.lab}, {sum(t.points for t in pristine.tests):g} points"
          f"{', UNSAFE: no sandbox' if args.unsafe else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
