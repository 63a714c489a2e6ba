#!/usr/bin/env python3
"""Boot benchmark: median time from QEMU start to the kernel's first test line, over several
boots under TCG, plus the size of the kernel image. Prints numbers; asserts nothing."""
import argparse
import os
import statistics
import subprocess
import sys
import time

MARKERS = {
    "boot": b"@@CONDUIT boot ",
    "first_test": b"@@CONDUIT test-begin ",
    "end": b"@@CONDUIT end ",
}


def one_boot(args):
    """Boots the ISO once with test=<args.test>; returns seconds to each marker."""
    cmd = [args.qemu, "-accel", args.accel, "-machine", args.machine, "-m", "128M",
           "-cdrom", args.iso, "-boot", "d", "-no-reboot", "-display", "none", "-nic", "none",
           "-serial", "null", "-monitor", "none", "-debugcon", "stdio",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-fw_cfg", f"name=opt/conduit/cmdline,string=test={args.test} nonce=bench"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL)
    seen = {}
    try:
        for line in proc.stdout:
            now = time.monotonic() - start
            for name, marker in MARKERS.items():
                if name not in seen and line.startswith(marker):
                    seen[name] = now
            if "end" in seen:
                break
    finally:
        proc.wait(timeout=30)
    seen["exit"] = time.monotonic() - start
    return seen


def image_sizes(elf):
    out = subprocess.run(["size", "-A", elf], capture_output=True, text=True, check=True).stdout
    sections = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].startswith(".") and parts[1].isdigit():
            sections[parts[0]] = int(parts[1])
    return sections


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--iso", default="build/conduit.iso")
    p.add_argument("--elf", default="build/kernel.elf")
    p.add_argument("--boots", type=int, default=7)
    p.add_argument("--machine", default="q35")
    p.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"))
    p.add_argument("--qemu", default="qemu-system-x86_64")
    p.add_argument("--test", default="boot_constructors_ran")
    args = p.parse_args()

    runs = [one_boot(args) for _ in range(args.boots)]
    print(f"bench-boot: {args.boots} boots, machine {args.machine}, accel {args.accel}, test={args.test}")
    for name in ("boot", "first_test", "end", "exit"):
        values = [r[name] for r in runs if name in r]
        if len(values) != len(runs):
            print(f"  {name:<11} missing in {len(runs) - len(values)} of {len(runs)} boots")
            continue
        print(f"  {name:<11} median {statistics.median(values) * 1000:7.1f} ms   "
              f"min {min(values) * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms")
    sections = image_sizes(args.elf)
    text = sections.get(".text", 0)
    rodata = sections.get(".rodata", 0)
    data = sections.get(".data", 0)
    bss = sections.get(".bss", 0)
    print(f"  kernel image: .text {text / 1024:.1f} KiB, .rodata {rodata / 1024:.1f} KiB, "
          f".data {data / 1024:.1f} KiB, .bss {bss / 1024:.1f} KiB "
          f"(loaded {(text + rodata + data + bss) / 1024:.1f} KiB)")
    stripped = os.path.join(os.path.dirname(args.iso), "iso", "boot", "kernel.elf")
    for label, path in (("kernel.elf (with DWARF)", args.elf), ("kernel.elf on the ISO", stripped),
                        ("conduit.iso", args.iso)):
        if os.path.exists(path):
            print(f"  {label:<24} {os.path.getsize(path) / 1024:8.1f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
