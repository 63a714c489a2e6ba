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


def _annotation(printed: str, function: str, location: str) -> str:
    """What to append to one frame: the source line, plus the demangled function when the
    kernel printed something else (a mangled name, or a wrong nearest symbol)."""
    location = location.split(" (discriminator")[0]
    file = location.rsplit(":", 1)[0]
    # Assembly has no DWARF function entries; addr2line then names some unrelated function.
    if function in ("??", "") or function.split("(")[0] == printed or file.endswith((".S", ".s")):
        return location
    return f"{function}, {location}"


def lookup(addresses: list[int], elf: Path | None, root: Path | None = None,
           wrap=None) -> list[tuple[str, str]] | None:
    """(function, file:line) for each address, with paths relative to root; None when
    addr2line or the ELF is missing or answers oddly. Pass return addresses minus one. A
    submission's ELF is untrusted input: `wrap` runs addr2line in the batch sandbox."""
    tool = shutil.which("addr2line")
    if not addresses or tool is None or elf is None or not elf.is_file():
        return None
    try:
        argv = [tool, "-f", "-C", "-e", str(elf)] + [hex(a) for a in addresses]
        result = subprocess.run(wrap(argv) if wrap else argv, capture_output=True, text=True,
                                timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    answers = result.stdout.splitlines()
    if len(answers) != 2 * len(addresses):
        return None
    prefix = str(root.resolve()) + "/" if root is not None else None
    out = []
    for number in range(len(addresses)):
        function, location = answers[2 * number], answers[2 * number + 1]
        location = location.split(" (discriminator")[0]
        if prefix:
            location = location.replace(prefix, "")
        if location.startswith("./"):
            location = location[2:]
        out.append((function, location))
    return out


def symbolize(report: list[str], elf: Path | None, root: Path | None = None, wrap=None) -> list[str]:
    frames = _lookup_addresses(report)
    found = lookup([address for _, address in frames], elf, root, wrap) if report and frames else None
    if found is None:
        return report
    out = list(report)
    for (index, _), (function, location) in zip(frames, found):
        if location.startswith("??"):
            continue
        words = out[index].split()
        printed = words[2].split("+")[0] if len(words) > 2 else ""
        out[index] = f"{out[index]}  ({_annotation(printed, function, location)})"
    return out
