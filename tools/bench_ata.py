#!/usr/bin/env python3
"""ATA benchmark (`make bench-ata`): 64 MiB read and written sequentially in each mode of the
ATA driver, what each cost, and Linux's figures for the same machine beside them.

For each mode the kernel boots with `test=ata_bench` (tests/kernel/ata_bench.cpp) and a fresh
raw disk image of random bytes. The guest reads the first 64 MiB in 1 MiB requests, then writes
them with Python's random.Random(seed) bytes, straight through the block class (no cache: what
`dd bs=1M iflag=direct` measures on Linux). It reports, per direction, the time its requests
took, the channel's interrupts, and the CPU's busy and idle time meanwhile. This script checks
the data itself (the CRC of what the guest read against the image, the image after the writes
byte for byte) and prints the lecture's table: MiB/s, interrupts per MiB, CPU busy %, and the
ratio to Linux 6.1's ata_piix on the course machine (q35 + piix3-ide, TCG, 1 vCPU, medians of 9,
measured on this kind of host; they move with the host's load, so compare in one sitting).
It draws the throughput as a chart (build/bench-ata.svg, gnuplot) and exits 1 when the data
was wrong or a run failed. Speed is never asserted.

Usage: tools/bench_ata.py [--iso build/conduit.iso] [--mib 64] [--modes pio,irq,dma] [--runs 1]
                          [--out build/bench-ata]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

LINUX = {  # Linux 6.1 ata_piix, 64 MiB, dd bs=1M direct: (MiB/s, interrupts per MiB, CPU busy %)
    ("dma", "read"): (1107.0, 1.9, 27.7),    # 0.016 s system time for 64 MiB at 1107 MiB/s
    ("dma", "write"): (833.0, None, None),
    ("pio", "read"): (39.2, 128.0, None),
    ("pio", "write"): (37.8, 128.0, None),
}
REPORT_RE = re.compile(r"@@CONDUIT ata_bench op=(\w+) mode=(\w+) bytes=(\d+) ns=(\d+) interrupts=(\d+) "
                       r"busy_ns=(\d+) idle_ns=(\d+) crc32=(0x[0-9a-f]+)")
MIB = 1 << 20


def make_image(path: Path, mib: int, seed: int) -> int:
    """A random image 8 MiB larger than the benchmark's span; returns the CRC-32 of the span."""
    rng = random.Random(seed ^ 0x5A5A5A5A)
    crc = 0
    with open(path, "wb") as out:
        for i in range(mib + 8):
            chunk = rng.randbytes(MIB)
            if i < mib:
                crc = zlib.crc32(chunk, crc)
            out.write(chunk)
    return crc


def check_writes(path: Path, original: Path, mib: int, seed: int) -> str:
    expected = random.Random(seed)
    with open(path, "rb") as img, open(original, "rb") as orig:
        orig.seek(mib * MIB)   # past the span the guest wrote, the image must be as it was
        for i in range(mib + 8):
            got = img.read(MIB)
            want = expected.randbytes(MIB) if i < mib else orig.read(MIB)
            if got != want:
                where = next(k for k in range(len(want)) if k >= len(got) or got[k] != want[k])
                return f"byte {i * MIB + where} of the image is not what the guest was to write there"
    return ""


def run_mode(args, mode: str, seed: int, workdir: Path) -> dict[str, dict]:
    image, original = workdir / f"{mode}.img", workdir / f"{mode}.orig.img"
    crc = make_image(image, args.mib, seed)
    shutil.copyfile(image, original)
    log = workdir / f"{mode}.debugcon.log"
    cmdline = f"test=ata_bench ata.mode={mode} ata.bench.mib={args.mib} ata.bench.seed={seed} console=debugcon"
    argv = [args.qemu, "-accel", "tcg", "-machine", "q35", "-m", "256M", "-cdrom", str(args.iso), "-boot", "d",
            "-no-reboot", "-display", "none", "-nic", "none", "-serial", "null", "-monitor", "none",
            "-debugcon", f"file:{log}", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-device", "piix3-ide,id=pide", "-drive", f"if=none,id=disk0,file={image},format=raw",
            "-device", "ide-hd,drive=disk0,bus=pide.0", "-fw_cfg", f"name=opt/conduit/cmdline,string={cmdline}"]
    result = subprocess.run(argv, timeout=args.timeout, capture_output=True)
    text = log.read_text(errors="replace") if log.exists() else ""
    runs = {}
    for op, got_mode, nbytes, ns, irqs, busy, idle, got_crc in REPORT_RE.findall(text):
        runs[op] = {"mode": got_mode, "bytes": int(nbytes), "ns": int(ns), "irqs": int(irqs), "busy": int(busy),
                    "idle": int(idle), "crc": int(got_crc, 16)}
    problems = []
    if result.returncode != 33 or set(runs) != {"read", "write"}:
        problems.append(f"{mode}: the run did not finish (QEMU exit status {result.returncode}; "
                        f"log {args.out.parent / log.name})")
    elif runs["read"]["mode"] != mode:
        problems.append(f"{mode}: the driver ran in {runs['read']['mode']} mode")
    elif runs["read"]["crc"] != crc:
        problems.append(f"{mode}: the data read has CRC-32 {runs['read']['crc']:#010x}, the image {crc:#010x}")
    elif (wrong := check_writes(image, original, args.mib, seed)):
        problems.append(f"{mode}: {wrong}")
    for path in (image, original):
        path.unlink(missing_ok=True)
    if problems:
        shutil.copyfile(log, args.out.parent / log.name)   # kept for a look
    return {"runs": runs, "problems": problems}


def figures(run: dict) -> tuple[float, float, float]:
    mib = run["bytes"] / MIB
    rate = mib / (run["ns"] / 1e9)
    busy = 100.0 * run["busy"] / max(1, run["busy"] + run["idle"])
    return rate, run["irqs"] / mib, busy


def ratio(value: float, linux) -> str:
    return f"{value / linux:5.2f}x" if linux else "    -"


def print_table(results: dict[str, dict[str, list]], mib: int) -> list[tuple]:
    rows = []
    print(f"\n{mib} MiB sequential, 1 MiB requests, no cache (median of {len(next(iter(results.values()))['read'])} "
          f"run(s) per mode)\n")
    print(f"{'mode':5} {'op':6} {'MiB/s':>9} {'irq/MiB':>9} {'CPU busy':>9} | {'Linux MiB/s':>11} {'irq/MiB':>8} "
          f"{'busy':>6} | {'vs Linux':>8}")
    for mode, ops in results.items():
        for op in ("read", "write"):
            samples = [figures(r) for r in ops[op]]
            rate = statistics.median(s[0] for s in samples)
            irqs = statistics.median(s[1] for s in samples)
            busy = statistics.median(s[2] for s in samples)
            linux = LINUX.get((mode, op), (None, None, None))
            lrate = f"{linux[0]:11.1f}" if linux[0] else f"{'-':>11}"
            lirq = f"{linux[1]:8.1f}" if linux[1] else f"{'-':>8}"
            lbusy = f"{linux[2]:5.0f}%" if linux[2] else f"{'-':>6}"
            print(f"{mode:5} {op:6} {rate:9.1f} {irqs:9.1f} {busy:8.0f}% | {lrate} {lirq} {lbusy} | "
                  f"{ratio(rate, linux[0]):>8}")
            rows.append((mode, op, rate, linux[0] or 0))
    return rows


def draw(rows: list[tuple], out: Path) -> None:
    if not shutil.which("gnuplot"):
        print("(gnuplot not found: no chart; tools/deps.sh installs gnuplot-nox)")
        return
    data = out.with_suffix(".dat")
    with open(data, "w") as f:
        f.write("label conduit linux\n")
        for mode, op, rate, linux in rows:
            f.write(f'"{mode} {op}" {rate:.2f} {linux if linux else "NaN"}\n')
    script = f"""
set terminal svg size 800,480 dynamic font "sans,12"
set output "{out.with_suffix('.svg')}"
set title "ATA/IDE on the course machine (QEMU q35 + piix3-ide, TCG): sequential 1 MiB requests"
set ylabel "MiB/s (log scale)"
set logscale y
set yrange [0.5:*]
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key top left
set grid ytics
plot "{data}" using 2:xtic(1) title "Conduit" lc rgb "#3b7dd8", '' using 3 title "Linux 6.1 ata\\_piix" lc rgb "#e08a2e"
"""
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    print(f"chart: {out.with_suffix('.svg')}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iso", type=Path, default=Path("build/conduit.iso"))
    parser.add_argument("--qemu", default="qemu-system-x86_64")
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--modes", default="pio,irq,dma")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=int, default=900)
    parser.add_argument("--out", type=Path, default=Path("build/bench-ata"))
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    results: dict[str, dict[str, list]] = {}
    problems = []
    with tempfile.TemporaryDirectory(prefix="bench-ata-", dir=args.out.parent) as tmp:
        for mode in args.modes.split(","):
            results[mode] = {"read": [], "write": []}
            for run in range(args.runs):
                outcome = run_mode(args, mode, random.randrange(1, 1 << 31), Path(tmp))
                problems += outcome["problems"]
                for op, data in outcome["runs"].items():
                    results[mode][op].append(data)
                print(f"  {mode} run {run + 1}: " + ("ok" if not outcome["problems"] else "FAILED"), flush=True)
        complete = {m: r for m, r in results.items() if r["read"] and r["write"]}
        if complete:
            draw(print_table(complete, args.mib), args.out)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for problem in problems:
        print(f"error: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
