"""Unpacking one submission safely: a folder, a .tar.gz/.tgz/.tar, a .zip or a git bundle.

A submission is untrusted input. It is copied or unpacked into a fresh directory with every
member checked first, and a bad one is refused as a whole with a reason that goes into its row
of the results (it never stops the batch):

  * a path that is absolute or contains `..` ("member ../../etc/x leaves the tree");
  * a symlink or hard link whose target leaves the tree;
  * a device, FIFO or socket;
  * a huge file (more than MAX_FILE_BYTES), too many files, or more than MAX_TOTAL_BYTES in
    all (a zip bomb);
  * an archive that cannot be read.

`build/` and `.git/` are never unpacked (a stale build is never used, and a repository's
history is not needed); they still count towards the limits. A git bundle is cloned (in the
sandbox when there is one) and its HEAD exported with `git archive`, then checked like a tar.
A submission whose files sit in one top folder (conduit/, or student-name/) is entered.
"""
from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 32 << 20
MAX_TOTAL_BYTES = 512 << 20
MAX_MEMBERS = 50_000
SKIPPED_TOP = ("build", ".git")
TREE_FOLDERS = ("arch", "kernel", "drivers", "include", "lab", "tests", "tools", "docs", "user")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip", ".bundle")


class Rejected(Exception):
    """The submission cannot be graded; the message is the reason shown in its row."""


@dataclass
class Unpacked:
    root: Path                                   # the top of the submitted tree
    skipped: list[str] = field(default_factory=list)   # top-level folders never unpacked
    symlinks: list[str] = field(default_factory=list)  # relpaths of (internal) symlinks


def student_name(path: Path) -> str:
    name = path.name
    for suffix in ARCHIVE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def is_submission(path: Path) -> bool:
    return path.is_dir() or path.name.endswith(ARCHIVE_SUFFIXES)


def _check_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if name.startswith("/") or path.is_absolute():
        raise Rejected(f"broken archive: member {name!r} has an absolute path")
    if ".." in path.parts:
        raise Rejected(f"broken archive: member {name!r} has a '..' path that leaves the tree")
    return path


def _inside(link: PurePosixPath, target: str) -> bool:
    """Whether a link at `link` pointing to `target` stays inside the tree."""
    if target.startswith("/"):
        return False
    depth = 0
    for part in (link.parent / target).parts:
        if part == "..":
            depth -= 1
            if depth < 0:
                return False
        elif part not in ("", "."):
            depth += 1
    return True


class _Budget:
    def __init__(self):
        self.total = self.members = 0

    def take(self, name: str, size: int) -> None:
        self.members += 1
        self.total += max(0, size)
        if size > MAX_FILE_BYTES:
            raise Rejected(f"huge file: {name} is {size / (1 << 20):.1f} MiB "
                           f"(the limit is {MAX_FILE_BYTES >> 20} MiB)")
        if self.total > MAX_TOTAL_BYTES:
            raise Rejected(f"too big: more than {MAX_TOTAL_BYTES >> 20} MiB unpacked")
        if self.members > MAX_MEMBERS:
            raise Rejected(f"too many files (more than {MAX_MEMBERS})")


def _skipped(path: PurePosixPath, out: Unpacked) -> bool:
    """Whether a member lies under a top-level build/ or .git/ (of the tree or of its one top
    folder); they are never unpacked."""
    parts = path.parts
    # build/ inside one top folder (conduit/build/) too, but not a source folder's build/.
    depths = (0,) if parts and parts[0] in TREE_FOLDERS else (0, 1)
    for depth in depths:
        if len(parts) > depth and parts[depth] in SKIPPED_TOP:
            top = "/".join(parts[: depth + 1])
            if top not in out.skipped:
                out.skipped.append(top)
            return True
    return False


def _write(dest: Path, rel: PurePosixPath, data_source, mode: int) -> None:
    target = dest.joinpath(*rel.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as out:
        shutil.copyfileobj(data_source, out, 1 << 20)
    os.chmod(target, 0o755 if mode & 0o111 else 0o644)


def _symlink(dest: Path, rel: PurePosixPath, target: str, out: Unpacked) -> None:
    path = dest.joinpath(*rel.parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, path)
    out.symlinks.append(str(rel))


def _unpack_tar(source, dest: Path, out: Unpacked) -> None:
    budget = _Budget()
    try:
        with tarfile.open(fileobj=source, mode="r:*") as tar:
            for member in tar:
                rel = _check_name(member.name)
                budget.take(member.name, member.size if member.isfile() else 0)
                if member.issym() or member.islnk():
                    if not _inside(rel if member.issym() else PurePosixPath("x"), member.linkname):
                        raise Rejected(f"broken archive: link {member.name} -> {member.linkname} "
                                       "leaves the tree")
                if _skipped(rel, out) or not rel.parts:
                    continue
                if member.isdir():
                    dest.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
                elif member.isfile():
                    _write(dest, rel, tar.extractfile(member), member.mode)
                elif member.issym():
                    _symlink(dest, rel, member.linkname, out)
                elif member.islnk():
                    linked = dest.joinpath(*_check_name(member.linkname).parts)
                    if linked.is_file():
                        with open(linked, "rb") as data:
                            _write(dest, rel, data, member.mode)
                else:
                    raise Rejected(f"broken archive: {member.name} is a device, FIFO or socket")
    except (tarfile.TarError, EOFError, OSError, ValueError) as err:
        raise Rejected(f"broken archive: {err}") from None


def _unpack_zip(path: Path, dest: Path, out: Unpacked) -> None:
    budget = _Budget()
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                rel = _check_name(info.filename)
                budget.take(info.filename, info.file_size)
                mode = info.external_attr >> 16
                if _skipped(rel, out) or not rel.parts:
                    continue
                if stat.S_ISLNK(mode):
                    target = archive.read(info).decode("utf-8", errors="replace")
                    if not _inside(rel, target):
                        raise Rejected(f"broken archive: link {info.filename} -> {target} leaves the tree")
                    _symlink(dest, rel, target, out)
                elif info.is_dir():
                    dest.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
                elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):
                    raise Rejected(f"broken archive: {info.filename} is a device, FIFO or socket")
                else:
                    with archive.open(info) as data:
                        _write(dest, rel, _Capped(data, info.filename), mode)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as err:
        raise Rejected(f"broken archive: {err}") from None


class _Capped(io.RawIOBase):
    """A zip member's data, refused past the file limit whatever its header claimed."""

    def __init__(self, raw, name: str):
        self.raw, self.name, self.count = raw, name, 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.count += len(data)
        if self.count > MAX_FILE_BYTES:
            raise Rejected(f"huge file: {self.name} unpacks to more than {MAX_FILE_BYTES >> 20} MiB")
        return data


def _copy_folder(source: Path, dest: Path, out: Unpacked) -> None:
    budget = _Budget()
    for base, dirs, files in os.walk(source, followlinks=False):
        base_path = Path(base)
        for name in sorted(dirs + files):
            full = base_path / name
            rel = PurePosixPath(full.relative_to(source).as_posix())
            info = full.lstat()
            budget.take(str(rel), info.st_size if stat.S_ISREG(info.st_mode) else 0)
            if stat.S_ISLNK(info.st_mode):
                target = os.readlink(full)
                if not _inside(rel, target):
                    raise Rejected(f"symlink {rel} -> {target} leaves the tree")
                if not _skipped(rel, out):
                    _symlink(dest, rel, target, out)
            elif stat.S_ISDIR(info.st_mode):
                if _skipped(rel, out):
                    dirs.remove(name)
                else:
                    dest.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
            elif stat.S_ISREG(info.st_mode):
                if not _skipped(rel, out):
                    with open(full, "rb") as data:
                        _write(dest, rel, data, info.st_mode)
            else:
                raise Rejected(f"{rel} is a device, FIFO or socket")


def _unpack_bundle(path: Path, dest: Path, out: Unpacked, sandbox) -> None:
    """git clone + git archive HEAD, in the sandbox when there is one (git parses the bundle)."""
    clone = dest.parent / "bundle-clone"
    shutil.rmtree(clone, ignore_errors=True)
    clone.mkdir(parents=True)
    shutil.copyfile(path, clone / "submission.bundle")
    if sandbox is not None:
        sandbox.adopt(clone)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(clone), "GIT_TERMINAL_PROMPT": "0"}
    steps = [["git", "clone", "--quiet", "--no-checkout", str(clone / "submission.bundle"),
              str(clone / "repo")],
             ["git", "-C", str(clone / "repo"), "archive", "--format=tar", "HEAD"]]
    output = b""
    for argv in steps:
        full = sandbox.wrap(argv, [clone]) if sandbox is not None else argv
        try:
            proc = subprocess.run(full, capture_output=True, timeout=300, env=env, cwd=clone)
        except subprocess.TimeoutExpired:
            raise Rejected("broken git bundle: git took more than 300 s") from None
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise Rejected(f"broken git bundle: {message[-1] if message else 'git failed'}")
        output = proc.stdout
    _unpack_tar(io.BytesIO(output), dest, out)
    shutil.rmtree(clone, ignore_errors=True)


def unpack(path: Path, dest: Path, sandbox=None) -> Unpacked:
    """Unpacks (or copies) the submission at path into dest (a new directory); raises Rejected.
    git (for a bundle) runs in `sandbox` (sandbox.Sandbox), or directly when it is None."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    out = Unpacked(root=dest)
    name = path.name
    if path.is_symlink() and not path.is_dir():
        raise Rejected("the submission itself is a symlink")
    if path.is_dir():
        _copy_folder(path, dest, out)
    elif name.endswith((".tar.gz", ".tgz", ".tar")):
        with open(path, "rb") as source:
            _unpack_tar(source, dest, out)
    elif name.endswith(".zip"):
        _unpack_zip(path, dest, out)
    elif name.endswith(".bundle"):
        _unpack_bundle(path, dest, out, sandbox)
    else:
        raise Rejected(f"not a submission: {name} is not a folder, .tar.gz, .zip or git bundle")
    out.root = _enter_top_folder(dest)
    top = out.root.relative_to(dest).as_posix()
    if top != ".":      # name what was skipped as the student sees their tree: build/, .git/
        out.skipped = [s[len(top) + 1:] if s.startswith(top + "/") else s for s in out.skipped]
        out.symlinks = [s[len(top) + 1:] if s.startswith(top + "/") else s for s in out.symlinks]
    return out


def _enter_top_folder(dest: Path) -> Path:
    """A tree packed inside one folder (conduit/...) is graded from that folder."""
    root = dest
    for _ in range(3):
        entries = [e for e in root.iterdir() if e.name not in ("__MACOSX",)]
        if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink() \
                and not (root / "Makefile").exists():
            root = entries[0]
        else:
            break
    return root
