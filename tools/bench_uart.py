#!/usr/bin/env python3
"""UART benchmark (`make bench-uart`): the same buffer out of and into COM1, once with the 16550
driver in poll mode and once in irq mode, and what each cost.

For each mode the kernel boots with `test=uart_bench` (tests/kernel/uart_bench.cpp). COM1 is a
unix socket this script listens on; the debug console is QEMU's stdout. The guest sends
"BENCH-TX\\n" and N bytes of the grader's xorshift32 sequence (seed 42), which this script checks
as they arrive; then, after the guest's ready line, this script sends N bytes (seed 43), which
the guest checks. The guest reports, per direction, its own time (TSC clock), the UART
interrupts it took and the idle thread's accounting (CPU busy = busy / (busy + idle)); this
script adds the host's view of the throughput. Prints a table; asserts nothing about speed, but
exits 1 when a transfer was wrong or incomplete.

Two runs by default:
  * "as fast as the host": --bytes (256 KiB) each way. QEMU's 16550 is not paced by its baud
    rate: a byte leaves as soon as the host's socket takes it (qemu-platform-facts.md section 4),
    so the line is about as fast as the CPU can feed it and both modes spend most of the CPU
    moving bytes by PIO;
  * "at line speed": --paced-bytes (32 KiB) each way with the host reading and writing no faster
    than a real 115200-baud line (11,520 bytes/s). Now the device is slower than the CPU, which is
    when interrupts pay: poll mode spins for the whole transfer, irq mode sleeps between bytes.

Usage: tools/bench_uart.py [--iso build/conduit.iso] [--bytes 262144] [--paced-bytes 32768]
                           [--line-baud 115200] [--modes poll,irq]
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

NOTE_RE = re.compile(rb"uart_bench dir=(?P<dir>tx|rx) mode=(?P<mode>\w+) bytes=(?P<bytes>\d+) ns=(?P<ns>\d+) "
                     rb"interrupts=(?P<irqs>\d+) busy_ns=(?P<busy>\d+) idle_ns=(?P<idle>\d+)")
HEADER = b"BENCH-TX\n"
TX_SEED, RX_SEED = 42, 43


def xorshift32(seed: int, count: int) -> bytes:
    """The grader's `generate` sequence (lab/grader/README.md)."""
    x = seed or 0x2545F491
    out = bytearray(count)
    for i in range(count):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x & 0xFF
    return bytes(out)


class SerialHost:
    """COM1's other end: receives and checks the guest's data, sends the host's."""

    def __init__(self, path: str, expected: bytes, rate: float):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        self.conn: socket.socket | None = None
        self.expected = expected
        self.rate = rate   # bytes per second each way, 0 for "as fast as possible"
        self.buffer = bytearray()
        self.rx_first: float | None = None   # host time of the first data byte from the guest
        self.rx_last: float | None = None
        self.received = 0
        self.error = ""
        self.connected = threading.Event()
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def _receive(self) -> None:
        self.listener.settimeout(60)
        try:
            self.conn, _ = self.listener.accept()
        except OSError as err:
            self.error = f"QEMU never connected to the serial socket: {err}"
            self.connected.set()
            return
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        self.connected.set()
        started = False
        while True:
            if self.rate and self.rx_first is not None:
                self._pace(self.rx_first, self.received)
            try:
                data = self.conn.recv(64 if self.rate else 65536)
            except OSError:
                return
            if not data:
                return
            now = time.monotonic()
            if not started:
                self.buffer += data
                cut = self.buffer.find(HEADER)
                if cut < 0:
                    continue
                data = bytes(self.buffer[cut + len(HEADER):])
                started = True
                if not data:
                    continue
            if self.rx_first is None:
                self.rx_first = now
            want = self.expected[self.received:self.received + len(data)]
            if data[:len(want)] != want and not self.error:
                bad = next(i for i in range(len(want)) if data[i] != want[i])
                self.error = f"guest byte {self.received + bad:,} is {data[bad]:#04x}, expected {want[bad]:#04x}"
            self.received += min(len(data), len(self.expected) - self.received)
            if self.received >= len(self.expected) and self.rx_last is None:
                self.rx_last = now

    def _pace(self, start: float, done: int) -> None:
        """Sleeps until `done` bytes since `start` are no faster than the line rate."""
        delay = start + done / self.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)

    def send(self, data: bytes) -> tuple[float, float]:
        self.connected.wait()
        start = time.monotonic()
        if not self.rate:
            self.conn.sendall(data)
            return start, time.monotonic()
        for offset in range(0, len(data), 64):
            self._pace(start, offset)
            self.conn.sendall(data[offset:offset + 64])
        return start, time.monotonic()

    def close(self) -> None:
        for s in (self.conn, self.listener):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass


def run_mode(args, mode: str, count: int, rate: float) -> dict:
    tx_data, rx_data = xorshift32(TX_SEED, count), xorshift32(RX_SEED, count)
    with tempfile.TemporaryDirectory(prefix="bench-uart-") as tmp:
        sock = os.path.join(tmp, "com1")
        host = SerialHost(sock, tx_data, rate)
        cmdline = (f"test=uart_bench nonce=bench uart.mode={mode} console=debugcon "
                   f"uart.bench.bytes={count} uart.bench.dir=both")
        cmd = [args.qemu, "-accel", args.accel, "-machine", args.machine, "-m", "128M",
               "-cdrom", args.iso, "-boot", "d", "-no-reboot", "-display", "none", "-nic", "none",
               "-chardev", f"socket,id=com1,path={sock}", "-serial", "chardev:com1",
               "-monitor", "none", "-debugcon", "stdio",
               "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
               "-fw_cfg", f"name=opt/conduit/cmdline,string={cmdline}"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE)
        result = {"mode": mode, "notes": {}, "error": "", "host_tx": None, "host_rx": None}
        try:
            for line in proc.stdout:
                match = NOTE_RE.search(line)
                if match:
                    result["notes"][match["dir"].decode()] = {k: (v.decode() if k in ("dir", "mode") else int(v))
                                                              for k, v in match.groupdict().items()}
                if line.startswith(b"@@CONDUIT ready name=uart_bench"):
                    start, end = host.send(rx_data)
                    result["host_rx"] = end - start
                if line.startswith(b"@@CONDUIT test-fail"):
                    result["error"] = line.decode(errors="replace").split("reason=", 1)[-1].strip()
                if line.startswith(b"@@CONDUIT end"):
                    break
        finally:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            time.sleep(0.1)
            host.close()
        if host.rx_first is not None and host.rx_last is not None and host.rx_last > host.rx_first:
            result["host_tx"] = host.rx_last - host.rx_first
        if host.error and not result["error"]:
            result["error"] = host.error
        if host.received < len(tx_data) and not result["error"]:
            result["error"] = f"the host received {host.received:,} of {len(tx_data):,} bytes"
        if not result["error"] and set(result["notes"]) != {"tx", "rx"}:
            result["error"] = "the guest did not report both directions (see its output with -v)"
        return result


def rate(count: int, seconds: float | None) -> str:
    if not seconds:
        return "-"
    return f"{count / seconds / 1024:,.0f}"


def print_table(title: str, results: list[dict]) -> bool:
    print(title)
    print(f"  {'mode':<5}{'dir':<4}{'bytes':>9}{'guest KiB/s':>13}{'host KiB/s':>12}{'UART irqs':>11}"
          f"{'bytes/irq':>11}{'CPU busy':>10}")
    failed = False
    for r in results:
        failed = failed or bool(r["error"])
        for direction in ("tx", "rx"):
            note = r["notes"].get(direction)
            if not note:
                print(f"  {r['mode']:<5}{direction:<4}{'-':>9}  (no report)")
                continue
            busy, idle = note["busy"], note["idle"]
            guest = rate(note["bytes"], note["ns"] / 1e9)
            host = rate(note["bytes"], r["host_tx"] if direction == "tx" else r["host_rx"])
            per_irq = f"{note['bytes'] / note['irqs']:,.1f}" if note["irqs"] else "-"
            cpu = f"{100 * busy / (busy + idle):.0f}%" if busy + idle else "-"
            print(f"  {note['mode']:<5}{direction:<4}{note['bytes']:>9,}{guest:>13}{host:>12}{note['irqs']:>11,}"
                  f"{per_irq:>11}{cpu:>10}")
    for r in results:
        if r["error"]:
            print(f"  {r['mode']}: FAILED: {r['error']}")
    print()
    return failed


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iso", default="build/conduit.iso")
    p.add_argument("--bytes", type=int, default=256 * 1024, help="bytes each way, unpaced (default 262144; 0 skips)")
    p.add_argument("--paced-bytes", type=int, default=32 * 1024,
                   help="bytes each way at line speed (default 32768; 0 skips)")
    p.add_argument("--line-baud", type=int, default=115200, help="line speed of the paced run (10 bits per byte)")
    p.add_argument("--modes", default="poll,irq")
    p.add_argument("--machine", default="q35")
    p.add_argument("--accel", default=os.environ.get("ACCEL", "tcg"))
    p.add_argument("--qemu", default="qemu-system-x86_64")
    args = p.parse_args()
    if not os.path.isfile(args.iso):
        print(f"bench_uart: no ISO at {args.iso} (run make first)", file=sys.stderr)
        return 2
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    print(f"\nUART benchmark: COM1 (16550 driver, divisor for 115200 baud), QEMU {args.machine} "
          f"{args.accel.upper()}, the serial line on a unix socket")
    print("  tx = guest to host, rx = host to guest; KiB/s by the guest's TSC clock and by the host; "
          "CPU busy from the idle thread's accounting\n")
    failed = False
    if args.bytes:
        results = [run_mode(args, mode, args.bytes, 0) for mode in modes]
        failed |= print_table(f"as fast as the host takes and gives bytes ({args.bytes:,} bytes each way):",
                              results)
    if args.paced_bytes:
        line_rate = args.line_baud / 10
        results = [run_mode(args, mode, args.paced_bytes, line_rate) for mode in modes]
        failed |= print_table(f"at line speed, {args.line_baud} baud = {line_rate:,.0f} bytes/s "
                              f"({args.paced_bytes:,} bytes each way):", results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
