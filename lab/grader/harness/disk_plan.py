"""Disk plans: per-run disk images with host-picked content, the I/O the guest does on them,
and the checks the host makes afterwards (the `disk_plan` peer, disk_plan_peer.py).

The host owns the evidence. For each run it
  * makes a fresh raw image: random bytes from a per-run seed (`fill = "random"`), or a sparse
    file of zeros (`fill = "zero"`, for disks of any size), with an MBR or GPT if asked (sfdisk),
  * picks where the guest writes and reads (non-overlapping regions, random places), the seed of
    every write's data, and the sectors that fail (through QEMU's blkdebug),
  * hands the guest a plan (include/kernel/test_disk.h documents its format) through fw_cfg.
After the run it checks, against the image file itself, that every write is there byte for
byte, that no other byte changed, that each CRC-32 the guest reported for a read is the CRC
of those sectors, and that every injected fault was reported as EIO naming its sector.

Written data: Python's random.Random(seed).randbytes(n); the guest runs the same generator
(kernel/test/python_random.cpp).
"""
from __future__ import annotations

import os
import random
import re
import subprocess
import zlib
from dataclasses import dataclass, field
from pathlib import Path

SECTOR = 512
ALIGN = 8                       # regions start on 4 KiB
CHUNK_BYTES = 1 << 20
RESERVED_HEAD = 2048            # sectors kept for partition tables
RESERVED_TAIL = 64              # GPT's backup
REPORT_RE = re.compile(r"^@@CONDUIT disk-(read|write|error) (.*) nonce=(\S+)\s*$", re.MULTILINE)


@dataclass
class Step:
    kind: str                   # "read" or "write"
    lba: int
    sectors: int
    seed: int = 0
    fault: int | None = None    # a sector that fails (blkdebug): the step must end with EIO

    def line(self) -> str:
        words = [self.kind, str(self.lba), str(self.sectors)]
        if self.kind == "write":
            words.append(str(self.seed))
        if self.fault is not None:
            words.append("eio")
        return " ".join(words)

    def data(self) -> bytes:
        return random.Random(self.seed).randbytes(self.sectors * SECTOR)

    @property
    def end(self) -> int:
        return self.lba + self.sectors


@dataclass
class Plan:
    device: str
    chunk: int
    sectors: int                # of the disk
    steps: list[Step] = field(default_factory=list)

    def text(self) -> str:
        lines = [f"device {self.device}", f"capacity {self.sectors}", f"chunk {self.chunk}"]
        lines += [s.line() for s in self.steps]
        return "\n".join(lines) + "\n"

    def faults(self) -> list[tuple[str, int]]:
        return [(s.kind, s.fault) for s in self.steps if s.fault is not None]


def parse_size(value) -> int:
    if isinstance(value, int):
        return value
    match = re.fullmatch(r"(\d+)\s*([KMGT]?)i?B?", str(value).strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"size {value!r} is not a number of bytes (\"64M\", \"130G\")")
    return int(match.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30, "T": 40}[match.group(2).upper()]


def pick_regions(rng: random.Random, sectors: int, count: int, length: int, low: int, taken: list[tuple[int, int]]):
    """`count` regions of `length` sectors in [low, sectors - RESERVED_TAIL), overlapping
    nothing in `taken` (which grows)."""
    low = max(low, RESERVED_HEAD)
    high = sectors - RESERVED_TAIL - length
    if high <= low:
        raise ValueError(f"a disk of {sectors} sectors has no room for {length}-sector regions above {low}")
    picked = []
    for _ in range(count):
        for _attempt in range(1000):
            lba = rng.randrange(low, high) // ALIGN * ALIGN
            if all(lba + length <= a or b <= lba for a, b in taken):
                taken.append((lba, lba + length))
                picked.append(lba)
                break
        else:
            raise ValueError(f"could not place {count} regions of {length} sectors on the disk")
    return picked


def make_image(path: Path, size: int, fill: str, rng: random.Random, table: str) -> None:
    with open(path, "wb") as out:
        if fill == "random":
            remaining = size
            while remaining:
                chunk = min(remaining, CHUNK_BYTES)
                out.write(rng.randbytes(chunk))
                remaining -= chunk
        else:
            out.truncate(size)
    if fill == "random":
        with open(path, "r+b") as out:        # a clean first megabyte: no accidental table
            out.write(bytes(RESERVED_HEAD * SECTOR))
    if table in ("mbr", "gpt"):
        label = "dos" if table == "mbr" else "gpt"
        script = (f"label: {label}\nstart=2048, size=4096, type={'83' if table == 'mbr' else 'L'}\n"
                  f"start=6144, type={'c' if table == 'mbr' else 'L'}\n")
        subprocess.run(["sfdisk", "--quiet", "--no-reread", "--no-tell-kernel", str(path)], input=script.encode(),
                       check=True, capture_output=True)


def data_extents(path: Path) -> list[tuple[int, int]]:
    """(start, end) byte ranges of a sparse file that hold data."""
    extents = []
    with open(path, "rb") as f:
        fd, size, pos = f.fileno(), os.fstat(f.fileno()).st_size, 0
        while pos < size:
            try:
                start = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError:
                break
            end = os.lseek(fd, start, os.SEEK_HOLE)
            extents.append((start, end))
            pos = end
    return extents


def crc_of(path: Path, lba: int, sectors: int) -> int:
    crc = 0
    with open(path, "rb") as f:
        f.seek(lba * SECTOR)
        remaining = sectors * SECTOR
        while remaining:
            block = f.read(min(remaining, CHUNK_BYTES))
            if not block:
                break
            crc = zlib.crc32(block, crc)
            remaining -= len(block)
    return crc


def reports(debugcon: str, nonce: str) -> list[tuple[str, dict[str, str]]]:
    out = []
    for kind, fields, line_nonce in REPORT_RE.findall(debugcon):
        if line_nonce == nonce:
            out.append((kind, dict(word.split("=", 1) for word in fields.split() if "=" in word)))
    return out
