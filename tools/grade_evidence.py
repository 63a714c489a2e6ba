#!/usr/bin/env python3
"""Which of a lab's points rest on what the host observes, and which on in-guest checks alone.

    python3 tools/grade_evidence.py --lab N

Student code runs in ring 0 with the test runner, so an in-guest check can in principle be
subverted; host-side evidence cannot (serial bytes the host compares, a screen it reads, trace
events QEMU counts, a disk image it inspects, a host unit test). For every run of the lab's
rubric this prints its points and its evidence, and the total of points that rest on in-guest
checks alone. Those points are covered by batch grading's other defences: only the lab's files
are taken from a submission, their objects may not reference the test runner, the diagnostic
channel, the exit port, fw_cfg or the command line, and the runner's protocol check calls a
second result or an extra end line `forged`. Each lab's NOTES.instructor.md carries this table.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lab" / "grader"))

from harness import payload, rubric  # noqa: E402

HOST_SERIAL_CHECKS = ("expect_bytes", "expect_received", "reject_received")
HOST_QMP_CHECKS = ("expect_vga", "reject_vga")
PER_RUN_INPUT = "COM1 input from a seed picked per run"   # listed, but not host-side evidence


def evidence(case) -> list[str]:
    """The host-side evidence of one run; [] when only in-guest checks decide it."""
    found = []
    if case.host_test:
        found.append(f"host unit test {case.host_test}")
    for peer in case.peers:
        kind = peer.get("kind")
        per_run = payload.peer_uses_run_seed(peer)
        if kind == "serial" and any(k in peer for k in HOST_SERIAL_CHECKS):
            found.append("COM1 bytes compared by the host" + (" (payload seed picked per run)" if per_run else ""))
        elif kind == "serial" and per_run:
            # The guest checks bytes it cannot know before the run (its code may not read the
            # command line that carries the seed): in-guest, but not precomputable.
            found.append(PER_RUN_INPUT)
        elif kind == "qmp" and any(k in peer for k in HOST_QMP_CHECKS):
            found.append("VGA screen read by the host")
        elif kind == "trace" and peer.get("checks"):
            found.append(f"{len(peer['checks'])} QEMU trace check{'s' if len(peer['checks']) != 1 else ''}")
        elif kind not in ("serial", "qmp", "trace") and set(peer) - {"kind", "image", "size", "id",
                                                                       "format", "interface"}:
            found.append(f"{kind} peer checks")
    return found


def table(lab: int) -> tuple[list[str], float, float]:
    for path in rubric.lab_manifests(ROOT):
        suite, cases = rubric.load(path)
        if suite.lab == lab:
            break
    else:
        raise SystemExit(f"grade_evidence: no rubric for lab {lab}")
    rows = ["| run | points | host-side evidence |", "|---|---|---|"]
    host = guest = 0.0
    for case in cases:
        found = evidence(case)
        if set(found) - {PER_RUN_INPUT}:
            host += case.points
        else:
            guest += case.points
        label = f"`{case.id}`" + (" (hidden)" if case.hidden else "")
        rows.append(f"| {label} | {case.points:g} | {'; '.join(found) or 'none: in-guest checks alone'} |")
    return rows, host, guest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lab", type=int, required=True)
    args = p.parse_args(argv)
    rows, host, guest = table(args.lab)
    print("\n".join(rows))
    print(f"\n{host:g} of {host + guest:g} points rest on host-side evidence; {guest:g} on in-guest "
          "checks alone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
