#!/usr/bin/env python3
"""Makes a folder of submissions that try what a determined student would, for batch grading.

    python3 tools/grade_fixtures.py --lab 2 --out DIR [--small] [--copies N]

Each submission is the lab's handout (tools/handout.py) with something done to it; the table
says what, and what batch grading must give it (EXPECTED, checked by tests/tools/test_batch.py
and printed by --list):

  reference            the reference solution's files for the lab              full marks
  handout              the bare handout                                         zero
  forger               reads the nonce from the command line, prints a pass     zero, static check
                       line and the end line, leaves through the exit port
  runner-caller        calls the test runner (ktest::) to report a pass          zero, static check
  makefile-rewrites    its Makefile rewrites the tests at parse time            zero, Makefile not used
  extra-rubric         adds lab/99-extra/rubric.toml (lab = 2, 100 points)      zero of the lab's points
  stale-build          ships a build/ with the reference's ISO, fresh times     zero, build/ ignored
  deps-writes-outside  its tools/deps.sh writes a file outside the tree          zero, deps.sh not used
  dotdot               a tarball with a '..' member                              rejected
  symlink-escape       a tarball with a symlink to /etc                          rejected
  huge-file            a zip with a 40 MiB file                                  rejected
  does-not-build       a syntax error in a lab file                              does not build
  bundle               a git bundle of the reference solution                   full marks

--small makes the quick set `make check` grades (reference, handout, forger, a combined
tamperer: Makefile + extra rubric + stale build + deps.sh, dotdot, symlink-escape,
does-not-build). --copies N makes N copies of the reference instead (for timing).
Every file that tries to write outside the tree writes CANARY; batch grading must leave it
absent.
"""
from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lab" / "grader"))

import handout  # noqa: E402
from harness import rubric  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CANARY = "/tmp/conduit-batch-canary"

# (name, expected status, expected score: "full" or 0, words the reason or report must show)
EXPECTED = {
    "reference": ("graded", "full", ""),
    "handout": ("graded", 0, ""),
    "forger": ("static-check", 0, "references the kernel command line"),
    "runner-caller": ("static-check", 0, "references the test runner"),
    "makefile-rewrites": ("graded", 0, "changed: Makefile"),
    "extra-rubric": ("graded", 0, "added: lab/99-extra/rubric.toml"),
    "stale-build": ("graded", 0, "ignored: build/"),
    "deps-writes-outside": ("graded", 0, "changed: tools/deps.sh"),
    "tamperer": ("graded", 0, "changed: Makefile"),
    "dotdot": ("rejected", 0, "'..' path"),
    "symlink-escape": ("rejected", 0, "leaves the tree"),
    "huge-file": ("rejected", 0, "huge file"),
    "does-not-build": ("build-failed", 0, "does not build"),
    "bundle": ("graded", "full", ""),
}
SMALL = ("reference", "handout", "forger", "tamperer", "dotdot", "symlink-escape", "does-not-build")

FORGER = r'''
// --- added by the forger: report a pass for whatever test runs, then leave -------------------
#include <arch/platform.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
namespace {
[[noreturn]] void forge_a_pass()
{
    auto nonce = kernel_cmdline().get(kstd::StringView("nonce"));
    auto test = kernel_cmdline().get(kstd::StringView("test"));
    if (nonce.has_value() && test.has_value()) {
        kprint("@@CONDUIT test-pass name=%.*s nonce=%.*s\n", int(test->length()), test->characters(),
               int(nonce->length()), nonce->characters());
        kprint("@@CONDUIT end passed=1 failed=0 nonce=%.*s\n", int(nonce->length()), nonce->characters());
    }
    arch::qemu_exit(arch::ExitCode::Success);
}
}
'''
# Where the forger strikes: the first lab function a test calls (lab 2: switching to irq mode).
FORGE_CALL = ("ErrorOr<void> irq_start([[maybe_unused]] Port& port)\n{\n", "    forge_a_pass();\n")

RUNNER_CALLER = r'''
// --- added by the runner caller: let the test runner itself report success -------------------
#include <kernel/test.h>
namespace {
[[maybe_unused]] bool const g_called = (ktest::note("all good"), ktest::find("uart_irq_tx_64k") != nullptr);
}
'''

EVIL_MAKEFILE = f'''
# --- added: rewrite every lab test into one that passes, at parse time, and phone home ------
$(shell sed -i 's/EXPECT/(void)/g' lab/*/tests/*.cpp 2>/dev/null; echo pwned > {CANARY})
'''

EVIL_DEPS = f'''#!/usr/bin/env bash
# "installs dependencies": writes outside its tree
echo pwned > {CANARY}; echo pwned > "$HOME/conduit-canary" 2>/dev/null; exit 0
'''

EXTRA_RUBRIC = '''[suite]
name = "extra"
lab = 2
title = "Free points"
[[test]]
name = "boot_symbols_resolve"
points = 100
'''


def student_files(lab: int) -> list[str]:
    for path in rubric.lab_manifests(ROOT):
        suite, _ = rubric.load(path)
        if suite.lab == lab and suite.student is not None:
            return sorted(rel for rel in (p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*")
                                          if p.is_file() and "build/" not in p.as_posix())
                          if suite.student.owns(rel) and not rel.startswith("build/"))
    raise SystemExit(f"grade_fixtures: lab {lab} has no rubric with a [student] table")


def copy_tree(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True)
    (dest / ".conduit-handout.json").unlink(missing_ok=True)
    return dest


def with_reference_files(tree: Path, files: list[str]) -> None:
    for rel in files:
        shutil.copyfile(ROOT / rel, tree / rel)


def append(tree: Path, rel: str, text: str) -> None:
    with open(tree / rel, "a") as fh:
        fh.write(text)


def tar_of(tree: Path, target: Path, extra=None) -> Path:
    with tarfile.open(target, "w:gz") as tar:
        tar.add(tree, arcname=tree.name.removesuffix(".tmp"))
        if extra:
            extra(tar)
    shutil.rmtree(tree)
    return target


def _forge(tree: Path, driver: str) -> None:
    text = (tree / driver).read_text()
    includes = [m.end() for m in re.finditer(r"^#include .*$", text, re.MULTILINE)]
    cut = includes[-1] + 1 if includes else 0
    text = text[:cut] + FORGER + text[cut:]
    if FORGE_CALL[0] in text:
        text = text.replace(FORGE_CALL[0], FORGE_CALL[0] + FORGE_CALL[1], 1)
    else:
        text += "namespace { [[maybe_unused]] int const g_forged = (forge_a_pass(), 0); }\n"
    (tree / driver).write_text(text)


def _tamper(name: str, tree: Path, files: list[str], driver: str, lab: int) -> None:
    """What the submission does to its copy of the handout."""
    if name in ("reference", "bundle"):
        with_reference_files(tree, files)
    if name == "forger":
        _forge(tree, driver)
    if name == "runner-caller":
        append(tree, driver, RUNNER_CALLER)
    if name in ("makefile-rewrites", "tamperer"):
        append(tree, "Makefile", EVIL_MAKEFILE)
    if name in ("extra-rubric", "tamperer"):
        (tree / "lab" / "99-extra").mkdir()
        (tree / "lab" / "99-extra" / "rubric.toml").write_text(EXTRA_RUBRIC.replace("lab = 2", f"lab = {lab}"))
    if name in ("deps-writes-outside", "tamperer"):
        (tree / "tools" / "deps.sh").write_text(EVIL_DEPS)
    if name in ("stale-build", "tamperer"):
        build = tree / "build"
        build.mkdir()
        for product in ("conduit.iso", "kernel.elf"):
            if (ROOT / "build" / product).is_file():
                shutil.copyfile(ROOT / "build" / product, build / product)
    if name == "does-not-build":
        append(tree, driver, "\nthis is not C++ at all;\n")


def _zip_tree(tree: Path, target: Path, top: str, extra=None) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(tree.rglob("*")):
            if path.is_file():
                archive.write(path, f"{top}/{path.relative_to(tree).as_posix()}")
        if extra:
            extra(archive)
    shutil.rmtree(tree)
    return target


def _package(name: str, tree: Path, out: Path, driver: str) -> Path:
    """How the submission is handed in: a folder, or an archive (some of them broken)."""
    if name == "dotdot":
        def escape(tar):
            data = f"echo pwned > {CANARY}\n".encode()
            info = tarfile.TarInfo("../../escape.sh")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        return tar_of(tree, out / "dotdot.tar.gz", escape)
    if name == "symlink-escape":
        def link(tar):
            info = tarfile.TarInfo(f"{tree.name.removesuffix('.tmp')}/{driver}")
            info.type, info.linkname = tarfile.SYMTYPE, "../../../../../../etc/passwd"
            tar.addfile(info)
        return tar_of(tree, out / "symlink-escape.tar.gz", link)
    if name == "huge-file":
        top = tree.name.removesuffix(".tmp")
        return _zip_tree(tree, out / "huge-file.zip", top,
                         lambda archive: archive.writestr(f"{top}/data.bin", b"\0" * (40 << 20)))
    if name == "makefile-rewrites":
        return _zip_tree(tree, out / "makefile-rewrites.zip", "conduit")
    if name == "stale-build":
        return tar_of(tree, out / "stale-build.tar.gz")
    if name == "bundle":
        return _bundle(tree, out / "bundle.bundle")
    final = out / name
    tree.rename(final)
    return final


def make(name: str, handout_tree: Path, out: Path, files: list[str], lab: int) -> Path:
    """One submission called name in out; returns its path."""
    tree = copy_tree(handout_tree, out / f"{name}.tmp")
    driver = next((f for f in files if FORGE_CALL[0] in (tree / f).read_text()),
                  next(f for f in files if f.endswith(".cpp")))
    _tamper(name, tree, files, driver, lab)
    return _package(name, tree, out, driver)


def _bundle(tree: Path, target: Path) -> Path:
    env = {**os.environ, "GIT_AUTHOR_NAME": "s", "GIT_AUTHOR_EMAIL": "s@example.org",
           "GIT_COMMITTER_NAME": "s", "GIT_COMMITTER_EMAIL": "s@example.org"}
    for argv in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "lab"],
                 ["git", "bundle", "create", "-q", str(target), "HEAD"]):
        subprocess.run(argv, cwd=tree, env=env, check=True, capture_output=True)
    shutil.rmtree(tree)
    return target


def make_all(lab: int, out: Path, names: list[str], copies: int = 0) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = student_files(lab)
    with tempfile.TemporaryDirectory(prefix="fixtures-") as tmp:
        handout_tree = Path(tmp) / "conduit"
        handout.make_handout(ROOT, lab, handout_tree, git=False)
        if copies:
            made = []
            for index in range(1, copies + 1):
                path = make("reference", handout_tree, out, files, lab)
                made.append(path.rename(out / f"reference-{index:02d}"))
            return made
        return [make(name, handout_tree, out, files, lab) for name in names]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lab", type=int, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--small", action="store_true", help="the quick set make check grades")
    p.add_argument("--copies", type=int, default=0, help="N copies of the reference instead")
    args = p.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"grade_fixtures: {args.out} is not empty", file=sys.stderr)
        return 2
    names = list(SMALL) if args.small else [n for n in EXPECTED if n != "tamperer"]
    for path in make_all(args.lab, args.out, names, args.copies):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
