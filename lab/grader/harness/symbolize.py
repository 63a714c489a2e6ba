"""Adds source locations to the kernel's panic backtrace with addr2line.

The kernel already prints `function+offset`; the grader appends `file:line` from
build/kernel.elf (which keeps its DWARF; the ISO's copy is stripped). This is best effort:
without addr2line or the ELF the report is shown as the kernel printed it.
"""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from .protocol import BACKTRACE_RE


def _lookup_addresses(lines: list[str]) -> list[tuple[int, int]]:
    """(line index, address to look up) for every backtrace frame."""
    found = []
    for index, line in enumerate(lines):
        match = BACKTRACE_RE.match(line)
        if match:
            frame, address = int(match.group(1)), int(match.group(2), 16)
            # Frames above #0 are return addresses, which point after the call; one byte
            # back lands inside the call instruction and so on the calling line.
            found.append((index, address - 1 if frame > 0 and address else address))
    return found


def symbolize(report: list[str], elf: Path | None, root: Path | None = None) -> list[str]:
    if not report or elf is None or not elf.is_file():
        return report
    tool = shutil.which("addr2line")
    frames = _lookup_addresses(report)
    if tool is None or not frames:
        return report
    try:
        result = subprocess.run([tool, "-e", str(elf)] + [hex(a) for _, a in frames],
                                capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return report
    locations = result.stdout.splitlines()
    if len(locations) != len(frames):
        return report
    out = list(report)
    for (index, _), location in zip(frames, locations):
        if location.startswith("??"):
            continue
        location = location.split(" (discriminator")[0]
        if root is not None:
            prefix = str(root.resolve()) + "/"
            location = location.replace(prefix, "")
        out[index] = f"{out[index]}  ({location})"
    return out
