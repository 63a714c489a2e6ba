"""The host's checks after a disk-plan run (disk_plan.py): the image against what the guest was
asked to write, the reads against the image, the faults against the kernel log."""
from __future__ import annotations

import re
from pathlib import Path

from .disk_plan import CHUNK_BYTES, SECTOR, Plan, crc_of, data_extents, reports


def _first_difference(actual: bytes, expected: bytes) -> int:
    for i, (a, e) in enumerate(zip(actual, expected)):
        if a != e:
            return i
    return min(len(actual), len(expected))


def _describe(offset: int, actual: int, expected: int, inside: bool) -> str:
    sector, byte = divmod(offset, SECTOR)
    if inside:
        return (f"sector {sector} of the image differs from what the guest wrote there: byte {byte} is "
                f"{actual:#04x}, expected {expected:#04x}")
    return (f"sector {sector} of the image changed although the plan wrote nothing there "
            f"(byte {byte} is {actual:#04x}, was {expected:#04x})")


def check_image(image: Path, original: Path | None, plan: Plan, base_extents) -> list[str]:
    """Every write byte for byte, nothing else changed. `original` is a copy of the image before
    the run (random fill); without it the image started as zeros plus `base_extents` (bytes)."""
    writes = [s for s in plan.steps if s.kind == "write" and s.fault is None]
    expected_data = {s.lba: s.data() for s in writes}
    ranges = [(s.lba * SECTOR, s.end * SECTOR, expected_data[s.lba]) for s in writes]
    # A write that fails part-way leaves its region half written: those bytes are not checked.
    unknown = [(s.lba * SECTOR, s.end * SECTOR) for s in plan.steps if s.kind == "write" and s.fault is not None]
    spans = _spans_to_check(image, original, ranges, base_extents)
    with open(image, "rb") as img, (open(original, "rb") if original else _Zeros(base_extents)) as orig:
        for start, end in spans:
            for pos in range(start, end, CHUNK_BYTES):
                length = min(CHUNK_BYTES, end - pos)
                img.seek(pos)
                actual = img.read(length)
                orig.seek(pos)
                expected = bytearray(orig.read(length))
                if len(actual) < length:
                    actual += bytes(length - len(actual))
                for lo, hi, data in ranges:
                    a, b = max(lo, pos), min(hi, pos + length)
                    if a < b:
                        expected[a - pos:b - pos] = data[a - lo:b - lo]
                for lo, hi in unknown:
                    a, b = max(lo, pos), min(hi, pos + length)
                    if a < b:
                        expected[a - pos:b - pos] = actual[a - pos:b - pos]
                if actual != expected:
                    i = _first_difference(actual, expected)
                    offset = pos + i
                    inside = any(lo <= offset < hi for lo, hi, _ in ranges)
                    return [_describe(offset, actual[i], expected[i], inside)]
    return []


def _spans_to_check(image, original, ranges, base_extents):
    if original is not None:
        return [(0, image.stat().st_size)]
    spans = [(lo, hi) for lo, hi, _ in ranges] + [(s, s + len(b)) for s, b in base_extents] + data_extents(image)
    spans.sort()
    merged = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


class _Zeros:
    """A read-only view of a zero image with a few known extents (its partition table)."""

    def __init__(self, extents):
        self.extents = extents
        self.pos = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def seek(self, pos):
        self.pos = pos

    def read(self, length):
        out = bytearray(length)
        for start, data in self.extents:
            a, b = max(start, self.pos), min(start + len(data), self.pos + length)
            if a < b:
                out[a - self.pos:b - self.pos] = data[a - start:b - start]
        self.pos += length
        return bytes(out)


def check_reports(image: Path, plan: Plan, debugcon: str, nonce: str) -> list[str]:
    """What the guest reported, step by step, against the image and the faults."""
    problems = []
    seen = reports(debugcon, nonce)
    for step in plan.steps:
        key = (str(step.lba), str(step.sectors))
        match = [(kind, f) for kind, f in seen if (f.get("lba"), f.get("sectors")) == key
                 and (kind == step.kind or f.get("op") == step.kind)]
        what = f"the {step.kind} of sectors {step.lba}-{step.end - 1}"
        if not match:
            problems.append(f"the guest never reported {what} (the plan did not run to its end)")
            continue
        kind, fields = match[0]
        if step.fault is not None:
            problems += _check_fault(step, kind, fields, debugcon, what)
        elif kind == "error":
            problems.append(f"{what} failed with {fields.get('errno')} although no fault was injected there")
        elif step.kind == "read":
            crc = crc_of(image, step.lba, step.sectors)
            if int(fields.get("crc32", "-1"), 16) != crc:
                problems.append(f"{what}: the guest read data with CRC-32 {fields.get('crc32')}, the image has "
                                f"{crc:#010x} there: the bytes read are not the disk's")
    return problems


def _check_fault(step, kind, fields, debugcon, what) -> list[str]:
    if kind != "error" or fields.get("errno") != "EIO":
        return [f"{what} covers sector {step.fault}, which fails on this disk, but the guest reported "
                f"{'success' if kind != 'error' else fields.get('errno')}: a failed sector must give EIO "
                "(does the driver check ERR before moving the data, or ignore DRQ?)"]
    if not re.search(rf"\b{step.kind} error at sector {step.fault}\b", debugcon):
        return [f"{what} failed with EIO, but no log line names the failing sector {step.fault} "
                f"(expected \"... {step.kind} error at sector {step.fault} ...\")"]
    return []
