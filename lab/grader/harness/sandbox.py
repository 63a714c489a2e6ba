"""The sandbox that batch grading runs a submission's build and QEMU runs in.

Nothing from a submission may run with the grader's privileges: not its build, not its host
unit tests, not the QEMU that boots its kernel. Each of them runs as

    setpriv (drop to an unprivileged user, when the grader is root)
      prlimit (CPU seconds, file size, open files, processes)
        bwrap (bubblewrap, from Debian: new user, PID, network, IPC and UTS namespaces)
          the command

Inside, the system is read-only (/usr, /etc), /tmp is a small private tmpfs, there is no
network (an empty network namespace), and the only writable paths are the submission's own
work directory and the run's short socket directory. The grader's tree, its home, other
submissions and the rest of the disk are not there at all. Output is capped by the file-size
limit here and by the runner's 64 MiB output cap; disk use of the work directory is watched
by the batch driver (batch.py), which stops a build that grows past its cap.

available() says whether bubblewrap works on this machine (installed, and user namespaces
allowed); batch grading refuses to run without it unless told --unsafe.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SANDBOX_UID = 65534          # nobody: owns nothing, can write nothing outside the work dir
SANDBOX_GID = 65534


@dataclass
class Limits:
    cpu_seconds: int = 900           # per process tree started (a build, a QEMU run)
    file_bytes: int = 256 << 20      # largest file it may write
    open_files: int = 1024
    processes: int = 4096            # per user: a fork bomb stops here
    tmp_bytes: int = 512 << 20       # the private /tmp


def _probe(argv: list[str]) -> str | None:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    return None if proc.returncode == 0 else (proc.stderr.strip() or f"exit status {proc.returncode}")


class Sandbox:
    def __init__(self, roots: list[Path] | None = None, limits: Limits | None = None):
        self.roots = list(roots or [])    # writable in every command: the work directory
        self.limits = limits or Limits()
        self.drop_root = os.geteuid() == 0

    def available(self) -> str | None:
        """None when the sandbox works here; otherwise why not."""
        for tool in ("bwrap", "prlimit") + (("setpriv",) if self.drop_root else ()):
            if shutil.which(tool) is None:
                return f"{tool} is not installed (apt-get install bubblewrap util-linux)"
        problem = _probe(Sandbox(limits=self.limits).wrap(["/bin/true"]))
        if problem:
            return f"bubblewrap does not work here: {problem}"
        return None

    def adopt(self, *paths: Path) -> None:
        """Makes paths (recursively) the sandbox user's, so the unprivileged build and QEMU can
        write them. The grader, as root, still reads and removes them."""
        if not self.drop_root:
            return
        for path in paths:
            if not path.exists():
                continue
            os.chown(path, SANDBOX_UID, SANDBOX_GID, follow_symlinks=False)
            if path.is_dir() and not path.is_symlink():
                for base, dirs, files in os.walk(path):
                    for name in dirs + files:
                        os.chown(os.path.join(base, name), SANDBOX_UID, SANDBOX_GID,
                                 follow_symlinks=False)

    def wrap(self, argv: list[str], writable: list[Path] = (), cwd: Path | None = None) -> list[str]:
        """The command line that runs argv in the sandbox, able to write only the roots and
        `writable`."""
        limits = self.limits
        out: list[str] = []
        if self.drop_root:
            out += ["setpriv", f"--reuid={SANDBOX_UID}", f"--regid={SANDBOX_GID}",
                    "--clear-groups", "--"]
        out += ["prlimit", f"--cpu={limits.cpu_seconds}", f"--fsize={limits.file_bytes}",
                f"--nofile={limits.open_files}", f"--nproc={limits.processes}", "--"]
        out += ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
                "--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            target = Path("/") / name
            if target.is_symlink():
                out += ["--symlink", os.readlink(target), str(target)]
            elif target.is_dir():
                out += ["--ro-bind", str(target), str(target)]
        out += ["--proc", "/proc", "--dev", "/dev",
                "--size", str(limits.tmp_bytes), "--tmpfs", "/tmp"]
        for path in [*self.roots, *writable]:
            out += ["--bind", str(path), str(path)]
        out += ["--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
                "--setenv", "LANG", "C.UTF-8", "--setenv", "TMPDIR", "/tmp"]
        if cwd is not None:
            out += ["--chdir", str(cwd)]
        return out + ["--"] + list(argv)
