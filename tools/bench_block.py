#!/usr/bin/env python3
"""Block layer benchmark (`make bench-block`): sequential, random and mixed workloads on the ATA
disk in DMA mode, under each I/O scheduler, with the buffer cache on and off.

The kernel boots once with `test=block_bench` (tests/kernel/block_bench.cpp), a fresh raw disk
image of --disk-mib MiB (the first --area-mib MiB random bytes) attached to a PIIX3 IDE as hda,
and `ata.mode=dma`. Each run is --threads kernel threads doing --ops synchronous 4 KiB requests
each (so up to that many wait in the disk's queue); the guest prints one line per run with its
own clock, the queue's counters and the cache's. This script prints the table, writes
build/bench/block.csv, and draws build/bench/block.svg (and .png) with gnuplot: throughput per
workload for each scheduler with the cache off and on, and the head's travel (seek distance).

Nothing is asserted about speed: the figures move with the host's load, which the script
prints next to them. The exit status is 1 when a run failed (an I/O error, a missing line).

Usage: tools/bench_block.py [--iso build/conduit.iso] [--threads 8] [--ops 256] [--area-mib 64]
                            [--disk ram0] [--workloads seq,rand,mixed] [--schedulers fifo,...]
"""
from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

LINE_RE = re.compile(r"block_bench disk=(?P<disk>\S+) workload=(?P<workload>\S+) sched=(?P<sched>\S+) "
                     r"cache=(?P<cache>\S+) ops=(?P<ops>\d+) bytes=(?P<bytes>\d+) ns=(?P<ns>\d+) "
                     r"mean_ns=(?P<mean>\d+) p99_ns=(?P<p99>\d+) seek=(?P<seek>\d+) commands=(?P<commands>\d+) "
                     r"merges=(?P<merges>\d+) hits=(?P<hits>\d+) misses=(?P<misses>\d+) ra_hits=(?P<ra>\d+)")
ROOT = Path(__file__).resolve().parent.parent


def make_image(path: Path, size_mib: int, area_mib: int) -> None:
    with open(path, "wb") as out:
        for _ in range(area_mib):
            out.write(os.urandom(1 << 20))
        out.truncate(size_mib << 20)


def run_guest(args, image: Path, out: Path) -> str:
    nonce = secrets.token_hex(8)
    words = [f"test=block_bench nonce={nonce} console=debugcon", f"bench.disk={args.disk}",
             f"bench.threads={args.threads}", f"bench.ops={args.ops}", f"bench.area_mib={args.area_mib}",
             f"bench.workloads={args.workloads}", f"bench.schedulers={args.schedulers}", "bench.cache=off,on"]
    if args.disk == "hda":
        words.append("ata.mode=dma")
    else:
        words += ["ramdisk.timing=disk", f"ramdisk.size={min(args.area_mib, 64)}M"]
    debugcon = out / "debugcon.log"
    cmd = [args.qemu, "-accel", args.accel, "-machine", "q35", "-m", "256M", "-cdrom", str(args.iso),
           "-boot", "d", "-no-reboot", "-display", "none", "-nic", "none", "-serial", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-debugcon", f"file:{debugcon}",
           "-device", "piix3-ide,id=bench_ide",
           "-drive", f"if=none,id=bench_disk,file={image},format=raw",
           "-device", "ide-hd,drive=bench_disk,bus=bench_ide.0",
           "-fw_cfg", "name=opt/conduit/cmdline,string=" + " ".join(words).replace(",", ",,")]
    (out / "cmd.txt").write_text(" ".join(cmd) + "\n")
    started = time.monotonic()
    proc = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=args.max_seconds)
    print(f"(guest ran {time.monotonic() - started:.1f} s, QEMU exit status {proc.returncode})")
    text = debugcon.read_text(errors="replace")
    if proc.returncode != 33:
        tail = "\n".join(text.splitlines()[-15:])
        print(f"the benchmark run failed (exit status {proc.returncode}); last lines:\n{tail}", file=sys.stderr)
    return text


def parse(text: str) -> list[dict]:
    rows = []
    for match in LINE_RE.finditer(text):
        row = {k: (int(v) if v.isdigit() else v) for k, v in match.groupdict().items()}
        seconds = row["ns"] / 1e9
        row["mib_s"] = row["bytes"] / (1 << 20) / seconds if seconds else 0.0
        row["iops"] = row["ops"] / seconds if seconds else 0.0
        lookups = row["hits"] + row["misses"]
        row["hit_pct"] = 100.0 * row["hits"] / lookups if lookups else 0.0
        rows.append(row)
    return rows


def print_table(rows: list[dict], load: str) -> None:
    print(f"\n{'workload':<8} {'sched':<9} {'cache':<5} {'MiB/s':>8} {'IOPS':>8} {'mean ms':>8} {'p99 ms':>8} "
          f"{'seek (sectors)':>15} {'commands':>9} {'merges':>7} {'hit %':>6}")
    for r in rows:
        print(f"{r['workload']:<8} {r['sched']:<9} {r['cache']:<5} {r['mib_s']:8.2f} {r['iops']:8.0f} "
              f"{r['mean'] / 1e6:8.3f} {r['p99'] / 1e6:8.3f} {r['seek']:15,} {r['commands']:9,} {r['merges']:7,} "
              f"{r['hit_pct']:6.1f}")
    print(f"\nload average at the start and the end: {load}")


def write_csv(rows: list[dict], path: Path) -> None:
    keys = ["workload", "sched", "cache", "mib_s", "iops", "mean", "p99", "seek", "commands", "merges", "hits",
            "misses", "ra", "ops", "bytes", "ns"]
    with open(path, "w") as out:
        out.write(",".join(keys) + "\n")
        for r in rows:
            out.write(",".join(f"{r[k]:.3f}" if isinstance(r[k], float) else str(r[k]) for k in keys) + "\n")


def draw(rows: list[dict], out: Path, title: str) -> list[Path]:
    """Two bar charts side by side: MiB/s and seek distance, by workload and scheduler x cache."""
    if not shutil.which("gnuplot"):
        print("gnuplot is not installed (tools/deps.sh installs gnuplot-nox): no chart")
        return []
    workloads = list(dict.fromkeys(r["workload"] for r in rows))
    series = list(dict.fromkeys((r["sched"], r["cache"]) for r in rows))
    data = out / "block.dat"
    with open(data, "w") as f:
        f.write("workload " + " ".join(f"{s}/cache-{c}" for s, c in series) + " "
                + " ".join(f"{s}/cache-{c}" for s, c in series) + "\n")
        for w in workloads:
            values = {(r["sched"], r["cache"]): r for r in rows if r["workload"] == w}
            f.write(w + " " + " ".join(f"{values[s]['mib_s']:.3f}" if s in values else "0" for s in series) + " "
                    + " ".join(f"{values[s]['seek'] / 1e6:.3f}" if s in values else "0" for s in series) + "\n")
    n = len(series)
    made = []
    for terminal, suffix in (("svg size 1100,500 dynamic font 'sans,11'", "svg"), ("pngcairo size 1100,500", "png")):
        target = out / f"block.{suffix}"
        script = f"""
set terminal {terminal}
set output '{target}'
set multiplot layout 1,2 title "{title}"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set key below font ',9' maxrows 2
set yrange [0:*]
set grid ytics
set title 'throughput (MiB/s, higher is better)'
plot for [i=2:{n + 1}] '{data}' using i:xtic(1) title columnheader(i)
set title 'seek distance (millions of sectors, lower is better)'
plot for [i={n + 2}:{2 * n + 1}] '{data}' using i:xtic(1) title columnheader(i)
unset multiplot
"""
        proc = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
        if proc.returncode == 0:
            made.append(target)
        else:
            print(f"gnuplot ({suffix}): {proc.stderr.strip()[:300]}")
    return made


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iso", default=str(ROOT / "build" / "conduit.iso"))
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"))
    p.add_argument("--disk", default="hda", choices=["hda", "ram0"],
                   help="hda: the ATA disk in DMA mode (default); ram0: the RAM disk emulating a disk")
    p.add_argument("--disk-mib", type=int, default=256)
    p.add_argument("--area-mib", type=int, default=64)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--ops", type=int, default=256, help="4 KiB requests per thread per run")
    p.add_argument("--workloads", default="seq,rand,mixed")
    p.add_argument("--schedulers", default="fifo,elevator,deadline")
    p.add_argument("--max-seconds", type=int, default=900)
    p.add_argument("--out", default=str(ROOT / "build" / "bench"))
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    image = out / "block.img"
    make_image(image, args.disk_mib, min(args.area_mib, args.disk_mib))
    load_before = " ".join(open("/proc/loadavg").read().split()[:3])
    print(f"Block layer benchmark: {args.disk} ({'ATA, DMA mode' if args.disk == 'hda' else 'RAM disk emulating a disk'}), "
          f"{args.threads} threads x {args.ops} requests of 4 KiB per run in the first {args.area_mib} MiB; "
          f"QEMU q35, {args.accel}")
    text = run_guest(args, image, out)
    load_after = " ".join(open("/proc/loadavg").read().split()[:3])
    rows = parse(text)
    if not rows:
        print("no block_bench lines in the guest's output", file=sys.stderr)
        return 1
    print_table(rows, f"{load_before} / {load_after}")
    write_csv(rows, out / "block.csv")
    charts = draw(rows, out, f"Conduit block layer: {args.disk}, {args.threads} threads x 4 KiB requests")
    print(f"wrote {out / 'block.csv'}" + "".join(f", {c}" for c in charts))
    expected = len(args.workloads.split(",")) * len(args.schedulers.split(",")) * 2
    if len(rows) != expected:
        print(f"expected {expected} runs, got {len(rows)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
