#!/usr/bin/env python3
"""Network benchmark (`make bench-net`): the e1000 and the stack, measured, next to Linux 6.1's
e1000 in the same QEMU (TCG, one vCPU, measured on this machine by the project).

  ping      the guest pings the gateway of QEMU's user network (10.0.2.2) 100 times, 10 ms
            apart: round trip median and 90th percentile (the guest's clock)
  echo      the host sends 1000-byte UDP payloads to the guest's echo service through QEMU's
            user network (hostfwd): one at a time (round trip), then 16 in flight (echoes/s);
            with NAPI and without, and the interrupts each packet cost
  livelock  the host floods the guest with UDP at rising rates (bounded in rate and time, over a
            unix socket: loopback only) while a normal-priority kernel thread counts its progress
            and the host pings the guest: the receive-livelock curve, NAPI on and off, with no
            interrupt moderation (ITR 0, QEMU's mitigation off) so that NAPI is the only remedy.
            The guest runs under -icount (shift=5: a 31-MIPS CPU whose clock counts instructions,
            kept in step with the host's clock), so what it measures does not depend on how busy
            the host is, and a flood the host can offer saturates it. "max" offers frames as fast
            as QEMU takes them (blocking sends)

Each part boots the kernel with a bench test (tests/kernel/net_bench.cpp) that reports what the
guest saw; the host adds its own view. Prints tables, the ratios to Linux, and for the livelock a
chart (gnuplot: a text chart here, and build/bench/net-livelock.png). Asserts nothing about
speed; exits 1 when a run failed. Run it on a quiet machine: the load average is printed with
the figures.

Usage: tools/bench_net.py [--iso build/conduit.iso] [--parts ping,echo,livelock]
                          [--rates 250,500,1000,max] [--window-seconds 1] [--icount shift=5,align=on]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "lab" / "grader"))
from harness import netwire as nw   # noqa: E402

LINUX = {"ping_median_ms": 0.69, "ping_p90_ms": 0.96, "echo_rate": 6246, "echo_rtt_us": 377}
NOTE_RE = re.compile(r"note: bench_net (\S+) (.*)$", re.M)
GUEST_IP, HOST_IP = "192.168.76.2", "192.168.76.1"
GUEST_MAC = "52:54:00:12:34:56"
MAX_RATE = 200_000   # "max" floods: the cap on frames per second, for the time bound


def fields(text: str) -> dict[str, str]:
    return dict(pair.split("=", 1) for pair in text.split() if "=" in pair)


class Guest:
    """One QEMU boot running one bench test; the debug console goes to a file we tail."""

    def __init__(self, iso: Path, test: str, words: str, net_args: list[str], workdir: Path, extra=()):
        self.log = workdir / f"{test}-{int(time.time() * 1000)}.log"
        cmdline = f"test={test} nonce=0 console=debugcon {words}".replace(",", ",,")
        argv = ["qemu-system-x86_64", "-accel", "tcg", "-machine", "q35", "-m", "128M", "-cdrom", str(iso),
                "-boot", "d", "-no-reboot", "-display", "none", "-nic", "none", "-serial", "none",
                "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-debugcon", f"file:{self.log}", "-fw_cfg", f"name=opt/conduit/cmdline,string={cmdline}",
                *net_args, *extra]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)

    def text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_for(self, pattern: str, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if re.search(pattern, self.text()):
                return True
            if self.proc.poll() is not None:
                return bool(re.search(pattern, self.text()))
            time.sleep(0.02)
        return False

    def finish(self, timeout: float = 60) -> str:
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        text = self.text()
        if "test-pass name=" not in text:
            tail = "\n".join(text.splitlines()[-12:])
            raise RuntimeError(f"the guest's bench test did not pass; last lines:\n{tail}")
        return text

    def notes(self, kind: str) -> list[dict[str, str]]:
        return [fields(rest) for what, rest in NOTE_RE.findall(self.text()) if what == kind]


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


# --- ping ---------------------------------------------------------------------------------------

def bench_ping(args, workdir: Path) -> dict:
    guest = Guest(args.iso, "bench_net_ping", f"net.bench.count={args.pings}",
                  ["-netdev", "user,id=n0", "-device", "e1000,netdev=n0"], workdir)
    guest.finish(120)
    rtts = [int(n["rtt_ns"]) / 1e6 for n in guest.notes("ping") if "rtt_ns" in n]
    if not rtts:
        raise RuntimeError("no ping replies")
    return {"count": len(rtts), "median_ms": statistics.median(rtts), "p90_ms": percentile(rtts, 0.9),
            "min_ms": min(rtts)}


# --- echo ---------------------------------------------------------------------------------------

def echo_serial(sock: socket.socket, count: int, size: int) -> list[float]:
    payload = os.urandom(size)
    rtts = []
    for i in range(count):
        data = i.to_bytes(4, "big") + payload[4:]
        started = time.perf_counter()
        sock.send(data)
        while True:
            try:
                if sock.recv(2048) == data:
                    rtts.append(time.perf_counter() - started)
                    break
            except socket.timeout:
                break
    return rtts


def echo_window(sock: socket.socket, count: int, size: int, window: int) -> tuple[int, float]:
    payload = os.urandom(size)
    sent = received = 0
    started = time.perf_counter()
    while received < count:
        while sent < count and sent - received < window:
            sock.send(sent.to_bytes(4, "big") + payload[4:])
            sent += 1
        try:
            sock.recv(2048)
            received += 1
        except socket.timeout:
            break   # lost datagrams: stop; the rate counts what came back
    return received, time.perf_counter() - started


def bench_echo(args, workdir: Path, napi: bool) -> dict:
    echo_port, control_port = free_udp_port(), free_udp_port()
    netdev = f"user,id=n0,hostfwd=udp:127.0.0.1:{echo_port}-:7,hostfwd=udp:127.0.0.1:{control_port}-:9999"
    guest = Guest(args.iso, "bench_net_echo", f"e1000.napi={'on' if napi else 'off'}",
                  ["-netdev", netdev, "-device", "e1000,netdev=n0"], workdir)
    if not guest.wait_for(r"@@CONDUIT ready name=bench_net_echo", 60):
        guest.finish(5)
    time.sleep(1.2)   # QEMU's e1000 takes no frame for a second after the receiver is set up
    control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    control.connect(("127.0.0.1", control_port))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", echo_port))
    sock.settimeout(1.0)
    echo_serial(sock, 20, args.echo_size)   # warm up: ARP, caches
    control.send(b"serial")
    time.sleep(0.05)
    rtts = echo_serial(sock, args.echo_serial, args.echo_size)
    control.send(b"end")
    time.sleep(0.05)
    control.send(b"window")
    time.sleep(0.05)
    received, seconds = echo_window(sock, args.echo_window_count, args.echo_size, 16)
    control.send(b"end")
    guest.finish(60)
    serial, window = guest.notes("serial")[0], guest.notes("window")[0]
    return {"napi": napi, "rtt_median_us": statistics.median(rtts) * 1e6 if rtts else 0,
            "rtt_lost": args.echo_serial - len(rtts), "rate": received / seconds if seconds else 0,
            "window_received": received, "window_count": args.echo_window_count,
            "irq_per_packet_serial": int(serial["interrupts"]) / max(1, int(serial["rx"]) + int(serial["tx"])),
            "irq_per_packet_window": int(window["interrupts"]) / max(1, int(window["rx"]) + int(window["tx"])),
            "busy_window": int(window["busy_ns"]) / max(1, int(window["busy_ns"]) + int(window["idle_ns"])),
            "bounces": int(window["dma_bounces"]) + int(serial["dma_bounces"])}


# --- livelock -----------------------------------------------------------------------------------

class Wire:
    """The guest's Ethernet for the livelock runs: answers ARP, floods, pings."""

    def __init__(self, workdir: Path):
        self.dir = Path(tempfile.mkdtemp(prefix="bn-", dir="/tmp"))
        self.here, self.nic = str(self.dir / "wire.sock"), str(self.dir / "nic.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.here)
        self.sock.settimeout(0.02)
        self.guest_mac, self.host_mac = nw.mac_bytes(GUEST_MAC), nw.mac_bytes("52:54:00:c0:ff:ee")
        self.guest_ip, self.host_ip = nw.ip_bytes(GUEST_IP), nw.ip_bytes(HOST_IP)
        self.stop = threading.Event()
        self.pings_sent = self.pings_answered = 0
        self.ping_sent_at: dict[int, float] = {}
        self.rtts: list[float] = []
        self.thread = threading.Thread(target=self._receive, daemon=True)
        self.thread.start()

    def args(self) -> list[str]:
        # No interrupt moderation at all (QEMU's own 128 us minimum off, ITR 0 in the guest): every
        # frame may interrupt, as on hardware without coalescing; NAPI is then the only remedy.
        return ["-netdev", f"dgram,id=n0,local.type=unix,local.path={self.nic},remote.type=unix,remote.path={self.here}",
                "-device", f"e1000,netdev=n0,mac={GUEST_MAC},mitigation=off"]

    def send(self, frame: bytes, block: bool = True) -> bool:
        try:
            self.sock.sendto(frame, self.nic) if block else self.sock.sendto(frame, socket.MSG_DONTWAIT, self.nic)
            return True
        except (BlockingIOError, socket.timeout, FileNotFoundError, ConnectionRefusedError):
            return False

    def _receive(self) -> None:
        while not self.stop.is_set():
            try:
                frame = self.sock.recv(4096)
            except (socket.timeout, OSError):
                continue
            p = nw.parse(frame)
            if p.ethertype == nw.ETHERTYPE_ARP and p.arp_op == 1 and p.arp_tpa == self.host_ip:
                self.send(nw.ethernet(p.src, self.host_mac, nw.ETHERTYPE_ARP,
                                      nw.arp(2, self.host_mac, self.host_ip, p.arp_sha, p.arp_spa)))
            elif p.icmp_type == 0 and p.icmp_id == 0x4242 and p.icmp_seq in self.ping_sent_at:
                self.pings_answered += 1
                self.rtts.append(time.monotonic() - self.ping_sent_at.pop(p.icmp_seq))

    def ip_frame(self, proto: int, payload: bytes) -> bytes:
        return nw.ethernet(self.guest_mac, self.host_mac, nw.ETHERTYPE_IPV4,
                           nw.ipv4(self.host_ip, self.guest_ip, proto, payload))

    def flood(self, rate: int, until, cap_seconds: float = 300) -> tuple[int, int, float]:
        """`rate` frames/s of 64-byte UDP to port 9 until `until()` says the guest has measured
        (at most cap_seconds), a ping every 50 ms among them. Non-blocking: a frame QEMU does not
        take is refused, not queued. Rate 0 is "max": blocking sends, as fast as QEMU takes them
        (the socket's buffer stays full, so the NIC is offered a frame whenever it has room).
        Returns (sent, refused, seconds)."""
        frame = self.ip_frame(nw.PROTO_UDP, nw.udp(self.host_ip, self.guest_ip, 40300, 9, bytes(22)))
        start, sent, refused, seq = time.monotonic(), 0, 0, 0
        next_ping = start
        total = int((rate or MAX_RATE) * cap_seconds)
        for i in range(total):
            if i % 64 == 0 and until():
                break
            now = time.monotonic()
            due = start + i / rate if rate else now
            if due > now + 0.0005:
                time.sleep(due - now)
            if now >= next_ping:
                seq += 1
                self.ping_sent_at[seq] = time.monotonic()
                self.send(self.ip_frame(nw.PROTO_ICMP, nw.icmp_echo(8, 0x4242, seq, b"livelock")), block=False)
                self.pings_sent += 1
                next_ping += 0.05
            if self.send(frame, block=not rate):
                sent += 1
            else:
                refused += 1
        return sent, refused, time.monotonic() - start

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def bench_livelock_point(args, workdir: Path, napi: bool, rate: int) -> dict:
    """One boot: a flood while the worker counts, then one while the reader reads. The guest runs
    with -icount (its clock counts instructions), so its measurements do not depend on how busy
    the host is; the host floods until the guest says it has measured."""
    wire = Wire(workdir)
    window_ms = int(args.window_seconds * 1000)
    guest = Guest(args.iso, "bench_net_livelock",
                  f"net.ip={GUEST_IP}/24 e1000.napi={'on' if napi else 'off'} e1000.itr=0 net.bench.window_ms={window_ms}",
                  wire.args(), workdir,
                  extra=("-icount", args.icount) if args.icount != "off" else ())
    try:
        done = wire.ip_frame(nw.PROTO_UDP, nw.udp(wire.host_ip, wire.guest_ip, 9999, 9999, b"done"))
        sent = refused = 0
        host_seconds = 0.0
        for ready, measured in ((r"@@CONDUIT ready name=bench_net_livelock", r"@@CONDUIT measured name="),
                                (r"@@CONDUIT ready-2 name=bench_net_livelock", r"@@CONDUIT measured-2 name=")):
            if not guest.wait_for(ready, 300):
                guest.finish(5)
            took, lost, spent = wire.flood(rate, lambda m=measured: re.search(m, guest.text()) is not None)
            sent, refused, host_seconds = sent + took, refused + lost, host_seconds + spent
            time.sleep(0.3)
            wire.send(done)
        guest.finish(300)
    finally:
        wire.close()
    note, flood = guest.notes("livelock")[0], guest.notes("flood")[0]
    reader, reading = guest.notes("reader")[0], guest.notes("reading")[0]
    idle_rate = (int(note["idle_rate"]) + int(note["idle_rate_after"])) / 2   # before and after the flood
    flood_rate = int(note["flood_rate"])
    seconds = int(flood["ns"]) / 1e9
    reader_seconds = int(reading["ns"]) / 1e9
    return {"napi": napi, "rate": rate, "offered": (sent + refused) // 2, "taken_by_nic": sent // 2,
            "host_rate": sent / host_seconds if host_seconds else 0,
            "progress": flood_rate / idle_rate if idle_rate else 0,
            "delivered_rate": int(reader["delivered"]) / reader_seconds if reader_seconds else 0,
            "stack_rate": int(flood["rx"]) / seconds if seconds else 0,
            "busy": int(flood["busy_ns"]) / max(1, int(flood["busy_ns"]) + int(flood["idle_ns"])),
            "irq_rate": int(flood["interrupts"]) / seconds if seconds else 0,
            "pings": f"{wire.pings_answered}/{wire.pings_sent}",
            "ping_median_ms": statistics.median(wire.rtts) * 1000 if wire.rtts else float("nan")}


def chart(points: list[dict], out: Path) -> None:
    if not shutil.which("gnuplot"):
        print("(gnuplot is not installed: no chart; tools/deps.sh installs it)")
        return
    data = out.with_suffix(".dat")
    with open(data, "w") as fh:
        for napi in (True, False):
            fh.write(f'"NAPI {"on" if napi else "off"}"\n')
            for p in sorted((p for p in points if p["napi"] == napi), key=lambda p: p["rate"] or p["host_rate"]):
                fh.write(f'{p["rate"] or round(p["host_rate"])} {100 * p["progress"]:.1f} {p["delivered_rate"]:.0f}\n')
            fh.write("\n\n")
    common = (f'set title "A normal thread\'s progress under a UDP flood (% of idle)"; set xlabel "offered frames/s"; '
              f'set ylabel "progress %"; set yrange [0:110]; set key top right; '
              f'plot "{data}" index 0 using 1:2 with linespoints title "NAPI on", '
              f'"{data}" index 1 using 1:2 with linespoints title "NAPI off"')
    subprocess.run(["gnuplot", "-e", f"set terminal dumb 80 24; {common}"], check=False)
    subprocess.run(["gnuplot", "-e", f'set terminal png size 800,500; set output "{out}"; {common}'], check=False)
    print(f"chart: {out}")


# --- main ---------------------------------------------------------------------------------------

def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--iso", type=Path, default=ROOT / "build" / "conduit.iso")
    p.add_argument("--parts", default="ping,echo,livelock")
    p.add_argument("--pings", type=int, default=100)
    p.add_argument("--echo-size", type=int, default=1000)
    p.add_argument("--echo-serial", type=int, default=500)
    p.add_argument("--echo-window-count", type=int, default=5000)
    p.add_argument("--rates", default="250,500,1000,max",
                   help="livelock: offered frames/s (max: as fast as QEMU takes them)")
    p.add_argument("--window-seconds", type=float, default=1.0, help="the guest's measuring windows (its clock)")
    p.add_argument("--icount", default="shift=5,align=on",
                   help="livelock: QEMU's -icount for the guest ('off': none)")
    args = p.parse_args()
    parts = set(args.parts.split(","))
    workdir = ROOT / "build" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} ({os.cpu_count()} CPUs)")
    try:
        if "ping" in parts:
            r = bench_ping(args, workdir)
            print(f"\nping the gateway (10.0.2.2), {r['count']} pings:   median {r['median_ms']:.3f} ms "
                  f"(Linux {LINUX['ping_median_ms']}, ratio {r['median_ms'] / LINUX['ping_median_ms']:.2f}), "
                  f"p90 {r['p90_ms']:.3f} ms (Linux {LINUX['ping_p90_ms']}, ratio {r['p90_ms'] / LINUX['ping_p90_ms']:.2f}), "
                  f"min {r['min_ms']:.3f} ms")
        if "echo" in parts:
            print(f"\nUDP echo through QEMU's user network, {args.echo_size}-byte payloads:")
            print(f"  {'mode':<10}{'rtt 1-at-a-time':>17}{'echoes/s (16 in flight)':>25}{'irq/pkt serial':>16}"
                  f"{'irq/pkt window':>16}{'CPU busy':>10}")
            for napi in (True, False):
                r = bench_echo(args, workdir, napi)
                print(f"  {'NAPI on' if napi else 'NAPI off':<10}{r['rtt_median_us']:>14.0f} us{r['rate']:>25.0f}"
                      f"{r['irq_per_packet_serial']:>16.2f}{r['irq_per_packet_window']:>16.2f}{100 * r['busy_window']:>9.0f}%")
                if napi:
                    print(f"  {'Linux':<10}{LINUX['echo_rtt_us']:>14} us{LINUX['echo_rate']:>25}"
                          f"   ratio: rtt {r['rtt_median_us'] / LINUX['echo_rtt_us']:.2f}, "
                          f"rate {r['rate'] / LINUX['echo_rate']:.2f}")
                if r["bounces"]:
                    print(f"    ({r['bounces']} DMA mappings went through the bounce pool)")
                if r["window_received"] < r["window_count"] or r["rtt_lost"]:
                    print(f"    ({r['window_count'] - r['window_received']} windowed and {r['rtt_lost']} "
                          "serial echoes did not come back)")
        if "livelock" in parts:
            rates = [0 if r == "max" else int(r) for r in args.rates.split(",")]
            print(f"\nreceive livelock: 64-byte UDP floods, measured over {args.window_seconds} s of the guest's clock. Flood 1: a normal-priority thread's "
                  "progress (% of its idle rate), the CPU's busy time, the frames the stack processed per second and "
                  "the NIC's interrupts; the host pings every 50 ms. Flood 2: the datagrams per second a "
                  "normal-priority reader gets")
            print("  (offered and sent per second of the host's clock; stack, interrupts and reader per second of "
                  "the guest's)")
            print(f"  {'mode':<10}{'offered/s':>10}{'sent/s':>8}{'progress':>10}{'busy':>6}{'stack/s':>9}{'irq/s':>8}"
                  f"{'pings':>10}{'ping ms':>9}{'reader/s':>10}")
            points = []
            for napi in (True, False):
                for rate in rates:
                    r = bench_livelock_point(args, workdir, napi, rate)
                    points.append(r)
                    print(f"  {'NAPI on' if napi else 'NAPI off':<10}{r['rate'] or 'max':>10}{r['host_rate']:>8.0f}"
                          f"{100 * r['progress']:>9.0f}%{100 * r['busy']:>5.0f}%{r['stack_rate']:>9.0f}"
                          f"{r['irq_rate']:>8.0f}{r['pings']:>10}{r['ping_median_ms']:>9.2f}{r['delivered_rate']:>10.0f}")
            chart(points, workdir / "net-livelock.png")
    except RuntimeError as err:
        print(f"bench-net: {err}")
        return 1
    print(f"\nload average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
