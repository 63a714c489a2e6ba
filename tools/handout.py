#!/usr/bin/env python3
"""Writes the student tree ("handout") for lab N from the reference tree.

    make handout LAB=N OUT=dir          (= python3 tools/handout.py --lab N --out dir)

What goes in: the repository's files as git sees them (tracked, plus untracked files that are
not ignored, so a new file counts before it is committed), with
  * fences of labs >= N replaced by their stub lines, fences of labs < N kept without their
    markers, INSTRUCTOR fences removed (tools/fences.py documents the syntax);
  * instructor-only material left out:
      - any file or directory whose name ends in ".instructor" or contains ".instructor."
        (lab/02-irq/NOTES.instructor.md, lab/04-ata/tests/hidden.instructor.cpp, ...);
      - the paths listed in lab/instructor-only.txt (shell globs relative to the repository
        root, one per line, '#' comments; a directory removes everything below it).
Tests and handouts of later labs stay: their code is stubbed, so they only fail, and the
student can read ahead.

File modes are kept. A file the handout does not change keeps its modification time, so a
build directory seeded with the reference build's objects recompiles only what changed
(tools/handout_check.py relies on this). With --base DIR (a previous handout), a changed file
whose content equals DIR's copy takes DIR's time instead, so DIR's build can seed this one.

OUT must not exist, be empty, or be a previous handout (it has .conduit-handout.json), which is
replaced entirely, its build/ included; OUT holding a git repository (a student's work) or
anything else is replaced only with --force (make handout FORCE=1), and OUT may not lie inside
the reference tree. The handout is a git repository with one commit, "Lab N handout", and its
README.md is the student README (tools/handout_readme.py), not the reference's. Nothing is
written when any fence is malformed.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fences  # noqa: E402
import handout_readme  # noqa: E402
import handout_rubric  # noqa: E402

INSTRUCTOR_LIST = "lab/instructor-only.txt"


class HandoutError(Exception):
    pass


# --- instructor-only material ------------------------------------------------------------

def load_instructor_patterns(root: Path) -> list[str]:
    path = root / INSTRUCTOR_LIST
    if not path.is_file():
        return []
    patterns = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            patterns.append(line.strip("/"))
    return patterns


def _instructor_name(component: str) -> bool:
    return component.endswith(".instructor") or ".instructor." in component


def is_instructor_only(relpath: str, patterns: list[str]) -> bool:
    parts = relpath.split("/")
    if any(_instructor_name(part) for part in parts):
        return True
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    return any(fnmatch.fnmatchcase(prefix, pattern) for pattern in patterns for prefix in prefixes)


# --- the plan ------------------------------------------------------------------------------

@dataclass
class Plan:
    lab: int
    root: Path
    copied: list[str] = field(default_factory=list)            # unchanged files
    rendered: dict[str, bytes] = field(default_factory=dict)   # changed files -> new content
    removed: list[str] = field(default_factory=list)           # instructor-only files
    stubbed: dict[int | str, int] = field(default_factory=dict)  # lab -> fences stubbed
    solved: dict[int, int] = field(default_factory=dict)       # lab -> fences kept
    hidden: dict[str, list[str]] = field(default_factory=dict)  # rubric -> hidden runs removed


def plan_handout(root: Path, lab: int, exclude: Path | None = None) -> Plan:
    """Decides every file's fate; raises HandoutError (listing every fence error) first."""
    root = root.resolve()
    names = fences.list_files(root, exclude)
    tree = fences.scan_tree(root, names)
    if tree.errors:
        raise HandoutError("malformed fences, nothing written:\n" +
                           "\n".join(f"  {err}" for err in tree.errors))
    if lab not in tree.labs:
        labs = ", ".join(map(str, sorted(tree.labs))) or "none"
        raise HandoutError(f"there is no lab {lab} (no lab/{lab:02d}-*/ directory; labs: {labs})")
    patterns = load_instructor_patterns(root)
    plan = Plan(lab, root)
    for name in names:
        if is_instructor_only(name, patterns):
            plan.removed.append(name)
            continue
        parsed = tree.files.get(name)
        if parsed is not None:
            plan.rendered[name] = parsed.render(lab).encode("utf-8")
            for fence in parsed.fences:
                if fence.removed_in(lab):
                    plan.stubbed[fence.lab] = plan.stubbed.get(fence.lab, 0) + 1
                else:
                    plan.solved[fence.lab] = plan.solved.get(fence.lab, 0) + 1
        if Path(name).name == "rubric.toml":
            _strip_hidden_runs(plan, name)
        elif parsed is None:
            plan.copied.append(name)
    _student_readme(plan, names)
    return plan


def _student_readme(plan: Plan, names: list[str]) -> None:
    """The handout's README.md is written for students (tools/handout_readme.py); the
    reference's own README, for the course's builders, stays behind."""
    template = handout_readme.TEMPLATE
    if not (plan.root / template).is_file():
        return
    for group in (plan.copied, plan.removed):
        if template in group:
            group.remove(template)
    plan.rendered.pop(template, None)
    plan.removed.append(template)
    if "README.md" in plan.copied:
        plan.copied.remove("README.md")
    shipped = set(plan.copied) | set(plan.rendered)
    labs = fences.discover_labs(plan.root)
    plan.rendered["README.md"] = handout_readme.render(plan.root, labs, plan.lab, shipped).encode("utf-8")


def _strip_hidden_runs(plan: Plan, name: str) -> None:
    """Hidden test variants never reach a handout (tools/handout_rubric.py)."""
    if name in plan.rendered:
        text = plan.rendered[name].decode("utf-8")
    else:
        try:
            text = (plan.root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise HandoutError(f"{name}: cannot read: {err}") from None
    try:
        stripped, removed = handout_rubric.strip_hidden(text, name)
    except handout_rubric.HiddenError as err:
        raise HandoutError(str(err)) from None
    if removed:
        plan.hidden[name] = removed
        plan.rendered[name] = stripped.encode("utf-8")
    elif name not in plan.rendered:
        plan.copied.append(name)


# --- writing -------------------------------------------------------------------------------

def prepare_out(out: Path, root: Path, force: bool = False, allow_inside: bool = False) -> None:
    """OUT must be new, empty, or a previous handout nobody worked in. A git repository (a
    student's work, or a handout someone started on) or anything else is replaced only with
    force (FORCE=1); OUT inside the reference tree only for the tools that build there."""
    out = out.resolve()
    if out == root or root.is_relative_to(out) or out in (Path("/"), Path.home()):
        raise HandoutError(f"refusing to write the handout over {out}")
    if not allow_inside and out.is_relative_to(root):
        raise HandoutError(f"{out} is inside the reference tree {root}: write the handout "
                           "somewhere else (it would nest a student's git repository in the "
                           "reference's, and the reference's file list would pick it up)")
    if out.exists() and not out.is_dir():
        raise HandoutError(f"{out} exists and is not a directory")
    if out.is_dir() and any(out.iterdir()):
        if not force and (out / ".git").exists():
            raise HandoutError(f"{out} holds a git repository, perhaps with a student's work; "
                               "refusing to replace it (FORCE=1 replaces it)")
        if not force and not (out / fences.HANDOUT_STAMP).is_file():
            raise HandoutError(f"{out} is not empty and is not a previous handout (no "
                               f"{fences.HANDOUT_STAMP}); refusing to overwrite it (FORCE=1 replaces it)")
        for entry in out.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    out.mkdir(parents=True, exist_ok=True)


def _source_commit(root: Path) -> dict:
    try:
        commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "-C", str(root), "status", "--porcelain"],
                                    capture_output=True, text=True, check=True).stdout.strip())
        return {"commit": commit, "dirty": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def write_handout(plan: Plan, out: Path, base: Path | None = None, *, git: bool = True,
                  force: bool = False, allow_inside: bool = False) -> None:
    root = plan.root
    out = out.resolve()
    prepare_out(out, root, force, allow_inside)
    for name in plan.copied:
        source, target = root / name, out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)          # content, mode and modification time
    for name, content in plan.rendered.items():
        source, target = root / name, out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        os.chmod(target, source.stat().st_mode & 0o7777)
        if base is not None:
            previous = base / name
            try:
                if previous.is_file() and previous.read_bytes() == content:
                    st = previous.stat()
                    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
            except OSError:
                pass
    stamp = {"lab": plan.lab, "source": _source_commit(root), "generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
             "tool": "tools/handout.py"}
    (out / fences.HANDOUT_STAMP).write_text(json.dumps(stamp, indent=2) + "\n")
    if git:
        _initial_commit(out, plan.lab)


def _initial_commit(out: Path, lab: int) -> None:
    """The student's tree starts as a git repository with one commit, the handout, so that
    `git diff` shows exactly their work. The user's hooks and signing settings stay out."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Conduit handout", "GIT_AUTHOR_EMAIL": "handout@conduit.invalid",
           "GIT_COMMITTER_NAME": "Conduit handout", "GIT_COMMITTER_EMAIL": "handout@conduit.invalid"}
    quiet = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]
    try:
        for argv in (["init", "-q"], ["add", "-A"],
                     ["commit", "-q", "--no-verify", "-m", f"Lab {lab} handout"]):
            subprocess.run(["git", *quiet, *argv], cwd=out, env=env, check=True, capture_output=True)
    except FileNotFoundError:
        print("handout: git is not installed; the handout is not a git repository", file=sys.stderr)
    except subprocess.CalledProcessError as err:
        raise HandoutError(f"git {' '.join(err.cmd[len(quiet) + 1:])} failed in {out}: "
                           f"{err.stderr.decode(errors='replace').strip()}") from None


def describe(plan: Plan, out: Path) -> str:
    def counts(d):
        return ", ".join(f"{'instructor' if k == fences.INSTRUCTOR else 'lab ' + str(k)}: {v}"
                         for k, v in sorted(d.items(), key=lambda kv: (kv[0] == fences.INSTRUCTOR,
                                                                       kv[0] if kv[0] != fences.INSTRUCTOR else 0)))
    lines = [f"handout for lab {plan.lab}: {len(plan.copied) + len(plan.rendered)} files -> {out}",
             f"  stubbed fences ({sum(plan.stubbed.values())}): {counts(plan.stubbed) or 'none'}",
             f"  solved fences  ({sum(plan.solved.values())}): {counts(plan.solved) or 'none'}",
             f"  changed files: {len(plan.rendered)}; instructor-only files left out: {len(plan.removed)}"]
    if plan.hidden:
        lines.append(f"  hidden test runs left out: {sum(map(len, plan.hidden.values()))} "
                     f"({', '.join(sorted(plan.hidden))})")
    return "\n".join(lines)


def make_handout(root: Path, lab: int, out: Path, base: Path | None = None, *, force: bool = False,
                 allow_inside: bool = False, git: bool = True) -> Plan:
    plan = plan_handout(root, lab, exclude=out)
    write_handout(plan, out, base, git=git, force=force, allow_inside=allow_inside)
    return plan


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lab", type=int, required=True, metavar="N")
    p.add_argument("--out", type=Path, required=True, metavar="DIR")
    p.add_argument("--root", type=Path, default=fences.repo_root(), help="reference tree (default: this one)")
    p.add_argument("--base", type=Path, metavar="DIR",
                   help="a previous handout whose file times changed-but-identical files take")
    p.add_argument("-q", "--quiet", action="store_true")
    p.add_argument("--force", action="store_true",
                   help="replace OUT even if it holds a git repository or other work (FORCE=1)")
    args = p.parse_args(argv)
    try:
        plan = make_handout(args.root, args.lab, args.out, args.base.resolve() if args.base else None,
                            force=args.force)
    except HandoutError as err:
        print(f"handout: {err}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(describe(plan, args.out.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
