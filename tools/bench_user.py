#!/usr/bin/env python3
"""User-space benchmark (`make bench-user`): what it costs to cross into the kernel and back.

Boots the kernel once with `test=user_bench` (tests/kernel/user_bench.cpp) on the course
machine plus a second serial port (COM2, whose other end is null: the measurements use its
loopback mode), with the 16550 driver in irq mode, and prints:

  * the cost of a system call: getpid(), and a one-byte read() of /dev/zero, which adds the
    descriptor lookup, the device's ops table and the copy to user memory;
  * a one-byte read through the TTY (/dev/ttyS1 in raw mode, the UART in loopback): the round
    trip write -> THR -> RBR -> receive interrupt -> top half -> TTY -> the sleeping read()
    returns; the read() alone within it; and a read of a byte that is already buffered;
  * an interrupt round trip on the same UART, in-kernel driver against user-mode driver: a
    kernel thread writing a byte and sleeping until the 16550 driver's top half has received
    it (that driver's receive trigger level is 14, so a lone byte arrives by character
    timeout); then like for like, the UART programmed with trigger level 1: a minimal in-kernel
    driver, and a process doing the same through /dev/uio0 with ioperm (t_uio loopback).

Numbers are averages over --rounds round trips (and 50x as many system calls). The load
average is printed with them: on a shared machine, measure when it is low.

Usage: tools/bench_user.py [--iso build/conduit.iso] [--rounds 2000] [-v]
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

NOTE_RE = re.compile(r"user_bench (?:ubench )?(?P<kind>\w+) (?P<fields>.*)$")


def parse_fields(text: str) -> dict[str, int]:
    fields = {}
    for word in text.split():
        key, _, value = word.partition("=")
        if value.isdigit():
            fields[key] = int(value)
    return fields


def run(args) -> dict[str, dict[str, int]]:
    cmdline = f"test=user_bench nonce=bench uart.mode=irq console=debugcon user.bench.rounds={args.rounds}"
    cmd = [args.qemu, "-accel", args.accel, "-machine", "q35", "-m", "128M", "-cdrom", args.iso, "-boot", "d",
           "-no-reboot", "-display", "none", "-nic", "none", "-serial", "null", "-serial", "null",
           "-monitor", "none", "-debugcon", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-fw_cfg", f"name=opt/conduit/cmdline,string={cmdline}"]
    results: dict[str, dict[str, int]] = {}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, errors="replace")
    failure = ""
    try:
        for line in proc.stdout:
            if args.verbose:
                sys.stdout.write("  | " + line)
            match = NOTE_RE.search(line.strip())
            if match:
                results[match["kind"]] = parse_fields(match["fields"])
            if line.startswith("@@CONDUIT test-fail"):
                failure = line.split("reason=", 1)[-1].strip()
            if line.startswith("@@CONDUIT end"):
                break
    finally:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if failure:
        sys.exit(f"bench-user: the benchmark failed: {failure}")
    return results


def us(ns: int) -> str:
    return f"{ns / 1000:8.2f} us"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iso", default="build/conduit.iso")
    parser.add_argument("--qemu", default="qemu-system-x86_64")
    parser.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"))
    parser.add_argument("--rounds", type=int, default=2000)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()
    results = run(args)
    needed = {"syscall", "tty", "kernel_driver", "minimal_kernel_driver", "user_driver"}
    if not needed <= set(results):
        print(f"bench-user: missing results {sorted(needed - set(results))} (rerun with -v)")
        return 1
    s, t, k, m, u = (results[n] for n in ("syscall", "tty", "kernel_driver", "minimal_kernel_driver", "user_driver"))
    print(f"User space on QEMU/{args.accel} (q35), {args.rounds} round trips, {s['calls']} system calls; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} when it started")
    print(f"  system call, getpid()                       {us(s['getpid_ns'])}")
    print(f"  system call, read() of 1 byte of /dev/zero  {us(s['read_zero_ns'])}")
    print(f"  TTY read of 1 byte, round trip (ttyS1, loopback, irq mode)")
    print(f"    write + interrupt + read() returning      {us(t['round_trip_ns'])}")
    print(f"    of which read() waiting for the byte      {us(t['read_wait_ns'])}")
    print(f"    read() of a byte already buffered         {us(t['buffered_read_ns'])}")
    print(f"  interrupt round trip on COM2 in loopback (write THR -> RX interrupt -> byte read)")
    print(f"    the kernel's 16550 driver, trigger 14     {us(k['round_trip_ns'])}   (a lone byte waits for the character timeout)")
    print(f"    minimal in-kernel driver, trigger 1       {us(m['round_trip_ns'])}")
    print(f"    user-mode driver, trigger 1 (uio+ioperm)  {us(u['round_trip_ns'])}"
          f"   ({u['round_trip_ns'] / max(1, m['round_trip_ns']):.1f}x the in-kernel one)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
