"""Seeding a tree's build directory with another build's objects, so make recompiles only what
differs (tools/handout_check.py for handouts, tools/grade_submissions.py for submissions).

Objects and dependency files are copied with their modification times. Each .d file names its
object as the build that wrote it did (for example /tmp/x/kernel/... after `make check
BUILD=/tmp/x`); it is renamed to the tree's build/..., or make would not connect the header
dependencies to the object. A file the tree changed is newer than the seeded object (the
handout generator keeps unchanged files' times), so it and whatever includes it recompile.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

# build/kernel: the kernel's objects; build/host: the host unit tests' objects, their
# precompiled header and compiler-flags stamp (tests/unit/unit.mk); build/user: the user
# programs' objects (user/user.mk; the programs are relinked and the initrd repacked).
SEEDED_DIRS = ("kernel", "host", "user/obj")
# The host build's outputs that are not objects: relinked or rerun, never seeded.
NOT_SEEDED = ("unit_tests", "unit_tests.xml")


def _ignore_outputs(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n in NOT_SEEDED]


def seed_build(source_build: Path, tree: Path, dirs: tuple[str, ...] = SEEDED_DIRS) -> None:
    for name in dirs:
        objects = source_build / name
        target = tree / "build" / name
        if not objects.is_dir():
            continue
        shutil.copytree(objects, target, symlinks=True, dirs_exist_ok=True, ignore=_ignore_outputs)
        _rename_dependency_targets(target, f"build/{name}")


def _rename_dependency_targets(target: Path, prefix: str) -> None:
    for dep in target.rglob("*.d"):
        try:
            text = dep.read_text()
        except (OSError, UnicodeDecodeError):
            continue
        rel = dep.relative_to(target).as_posix()[: -len(".d")] + ".o"
        wanted = f"{prefix}/{rel}"
        cut = text.find(".o:")
        if cut < 0 or text[: cut + 2] == wanted:
            continue
        st = dep.stat()
        dep.write_text(wanted + text[cut + 2:])
        os.utime(dep, ns=(st.st_atime_ns, st.st_mtime_ns))


def needs_host_tests(rubrics: list[Path]) -> bool:
    """Whether any of these rubrics grades host unit tests (host_test = ...)."""
    for path in rubrics:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if any(line.lstrip().startswith("host_test") for line in text.splitlines()):
            return True
    return False
