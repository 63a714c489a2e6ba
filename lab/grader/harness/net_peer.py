"""The `net` peer: the grader is the guest's Ethernet wire.

    [[test.peer]]
    kind = "net"
    steps = [
      { after = '@@CONDUIT ready name=lab7_ping nonce=${nonce}', ping = { count = 20 } },
      { udp_echo = { count = 1000, window = 16 } },
      { send = "done" },
    ]

With the default backend (`wire`), QEMU's NIC is connected to a unix datagram socket the peer
owns (`-netdev dgram`): every frame the guest sends arrives here, and every frame the peer sends
arrives at the NIC. The peer is a host on that wire (192.168.76.1 by default, the guest being
192.168.76.2: boot the guest with `net.ip=192.168.76.2/24`): it answers ARP, and its steps ping
the guest, exchange UDP with payloads chosen per run (from the nonce), flood at a bounded rate,
or send deliberately malformed frames. Every frame the guest sends is parsed strictly as it
arrives, and QEMU's `filter-dump` also writes a capture (net.pcap) that is checked afterwards.
The `user` backend is QEMU's user-mode network (slirp: DHCP, a gateway at 10.0.2.2) with the
same capture; it has no steps.

Steps run in order: `after` (a regex the guest prints, as for the other peers), `delay`, and one
action:
  ping = { count, min_size = 56, max_size = 56, timeout = 2.0, interval = 0.0 }
  udp_echo = { count, port = 7, min_size = 1, max_size = 1472, window = 1, timeout = 3.0 }
  udp_expect = { count, port = 5000, timeout = 10.0 }   datagrams from the guest (see below)
  burst = { count, port = 9, size = 64 }                as fast as the socket takes them
  flood = { rate, seconds, port = 9, size = 64 }        paced, bounded in rate and time
  malformed = true                                       netwire.MALFORMED, once each, in order
  send = "text"                                          one UDP datagram to the control port
`udp_expect` payloads: xorshift32 seeded with the low 32 bits of the nonce (1 if zero); for each
datagram: x = next; length = 1 + x % 1472; then one byte per next value (x & 0xFF).
Results (RTTs, rates) go to net-peer.json for the benchmarks.
"""
from __future__ import annotations

import errno
import json
import queue
import random
import socket
import struct
import threading
import time

from . import netwire as nw
from . import watch
from . import net_exchanges
from .peers import Peer, register

ACTIONS = ("ping", "udp_echo", "udp_expect", "burst", "flood", "malformed", "send")
STEP_KEYS = {"after", "delay", *ACTIONS}
HOST_MAC = "52:54:00:c0:ff:ee"
CONTROL_PORT = 9999
ECHO_SOURCE_PORT = 40100


def nonce_payloads(nonce: str, count: int) -> list[bytes]:
    """The `udp_expect` payloads (the guest computes the same, tests/kernel/net_test_support.h)."""
    x = (int(nonce, 16) & 0xFFFFFFFF) or 1

    def step() -> int:
        nonlocal x
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        return x

    out = []
    for _ in range(count):
        length = 1 + step() % 1472
        out.append(bytes(step() & 0xFF for _ in range(length)))
    return out


def _check_step(step, index: int) -> None:
    what = f"step {index + 1}"
    if not isinstance(step, dict):
        raise ValueError(f"{what} must be a table, e.g. {{ after = '...', ping = {{ count = 10 }} }}")
    unknown = sorted(set(step) - STEP_KEYS)
    if unknown:
        raise ValueError(f"{what}: unknown key '{unknown[0]}' (known: {', '.join(sorted(STEP_KEYS))})")
    actions = [a for a in ACTIONS if a in step]
    if len(actions) != 1:
        raise ValueError(f"{what}: exactly one action of {', '.join(ACTIONS)}")
    if "after" in step:
        watch.check_regex(step["after"], f"{what} 'after'")
    action = actions[0]
    value = step[action]
    if action == "send":
        if not isinstance(value, str):
            raise ValueError(f"{what}: 'send' must be a string")
    elif action == "malformed":
        if value is not True:
            raise ValueError(f"{what}: 'malformed' must be true")
    elif not isinstance(value, dict):
        raise ValueError(f"{what}: '{action}' must be a table of options")
    elif action != "flood" and not isinstance(value.get("count"), int):
        raise ValueError(f"{what}: '{action}' needs an integer 'count'")
    elif action == "flood" and not (isinstance(value.get("rate"), int) and value.get("seconds")):
        raise ValueError(f"{what}: 'flood' needs 'rate' (frames/s) and 'seconds' (bounded)")


@register
class NetPeer(Peer):
    kind = "net"
    unique = True
    schema = {"backend": (str, False), "device": (str, False), "mac": (str, False),
              "guest_ip": (str, False), "host_ip": (str, False), "netdev_id": (str, False),
              "pcap": (bool, False), "steps": (list, False), "capture_expect": (dict, False),
              "expect_mac_logged": (bool, False)}

    @classmethod
    def check(cls, spec: dict) -> None:
        if spec.get("backend", "wire") not in ("wire", "user"):
            raise ValueError("'backend' must be \"wire\" (the peer is the wire) or \"user\" (slirp)")
        if spec.get("backend") == "user" and spec.get("steps"):
            raise ValueError("the user backend (slirp) has no steps: the guest talks to QEMU's gateway")
        for key in ("guest_ip", "host_ip"):
            if key in spec:
                nw.ip_bytes(spec[key])
        if spec.get("mac", "random") != "random":
            nw.mac_bytes(spec["mac"])
        for index, step in enumerate(spec.get("steps", [])):
            _check_step(step, index)
        for key, value in spec.get("capture_expect", {}).items():
            if key not in nw.CAPTURE_COUNTS or not isinstance(value, int):
                raise ValueError(f"capture_expect: '{key}' must be one of {', '.join(nw.CAPTURE_COUNTS)} "
                                 "with a minimum count")
            if not spec.get("pcap", True):
                raise ValueError("capture_expect needs the capture (pcap = true)")

    def __init__(self, spec: dict, ctx):
        super().__init__(spec, ctx)
        self.backend = spec.get("backend", "wire")
        self.guest_mac = self._guest_mac(spec.get("mac", "52:54:00:12:34:56"))
        self.host_mac = nw.mac_bytes(HOST_MAC)
        self.guest_ip = nw.ip_bytes(spec.get("guest_ip", "192.168.76.2"))
        self.host_ip = nw.ip_bytes(spec.get("host_ip", "192.168.76.1"))
        self.steps = list(spec.get("steps", []))
        self.log = watch.StepLog(len(self.steps))
        self.stop = threading.Event()
        self.sock: socket.socket | None = None
        self.qemu_path = ""
        self.frames: queue.Queue = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.problems: list[str] = []
        self.results: dict = {}
        self.frames_in = self._seen = 0
        self.frames_out = 0
        self.unreachable_ports: list[int] = []
        self.echo_requests_answered = 0

    # --- life cycle ---------------------------------------------------------------------------

    def prepare(self) -> list[str]:
        netdev = self.spec.get("netdev_id", "net0")
        device = self.spec.get("device", "e1000")
        mac = nw.mac_text(self.guest_mac)
        pcap = str(self.ctx.testdir / "net.pcap").replace(",", ",,")
        args = []
        if self.backend == "user":
            args += ["-netdev", f"user,id={netdev}"]
        else:
            here = self.ctx.short_dir() / "wire.sock"
            self.qemu_path = str(self.ctx.short_dir() / "nic.sock")
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(str(here))
            self.sock.settimeout(0.05)
            args += ["-netdev", f"dgram,id={netdev},local.type=unix,local.path={self.qemu_path},"
                                f"remote.type=unix,remote.path={here}"]
        args += ["-device", f"{device},netdev={netdev},mac={mac}"]
        if self.spec.get("pcap", True):
            args += ["-object", f"filter-dump,id=conduit_dump,netdev={netdev},file={pcap}"]
        return args

    def started(self, pid: int) -> None:
        if self.sock is None:
            return
        for target, name in ((self._receive, "net-peer-rx"), (self._run_steps, "net-peer-steps")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self.threads.append(thread)

    def poll(self) -> bool:
        progressed, self._seen = self.frames_in != self._seen, self.frames_in
        return progressed

    def finish(self) -> list[str]:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
        problems = self.log.unfinished(self._describe_step, lambda i: self.steps[i].get("after"))
        problems += self.problems[:8]
        if self.spec.get("pcap", True):
            problems += self._check_capture()
        if self.spec.get("expect_mac_logged"):
            problems += self._check_mac_logged()
        with open(self.ctx.testdir / "net-peer.json", "w") as fh:
            json.dump({"frames_in": self.frames_in, "frames_out": self.frames_out,
                       "echo_requests_answered": self.echo_requests_answered, **self.results}, fh, indent=1)
        return problems

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=5)
        if self.sock is not None:
            self.sock.close()

    def _guest_mac(self, text: str) -> bytes:
        """`mac = "random"`: a locally administered address of QEMU's 52:54:00 prefix, from the
        nonce, so that only a driver that reads the EEPROM can know it."""
        if text != "random":
            return nw.mac_bytes(text)
        seed = int(self.ctx.nonce, 16) if self._hex_nonce() else 0x123456
        return bytes([0x52, 0x54, 0x00, (seed >> 16) & 0xFF, (seed >> 8) & 0xFF, seed & 0xFF])

    def _check_mac_logged(self) -> list[str]:
        wanted = f"MAC {nw.mac_text(self.guest_mac)}"
        for name in ("debugcon.log", "serial.log"):
            path = self.ctx.testdir / name
            if path.exists() and wanted in path.read_text(errors="replace"):
                return []
        return [f"the guest never printed '{wanted}': this run's NIC has that address in its EEPROM "
                "(the driver prints the MAC it read when it probes)"]

    def _describe_step(self, index: int) -> str:
        action = next(a for a in ACTIONS if a in self.steps[index])
        return f"net step {index + 1} ({action})"

    def _check_capture(self) -> list[str]:
        path = self.ctx.testdir / "net.pcap"
        if not path.exists():
            return ["no packet capture was written (net.pcap): QEMU's filter-dump did not run"]
        try:
            frames = nw.read_pcap(path)
        except ValueError as err:
            return [f"packet capture: {err}"]
        problems, guest = nw.check_capture(frames, self.guest_mac)
        counts = nw.count_capture(frames, self.guest_mac)
        self.results["capture"] = {"frames": len(frames), "guest_frames": guest, **counts}
        for key, minimum in self.spec.get("capture_expect", {}).items():
            if counts[key] < minimum:
                problems.append(f"the capture has {counts[key]} {nw.CAPTURE_COUNTS[key]}, at least {minimum} expected")
        if guest == 0:
            problems.append(f"the capture (net.pcap, {len(frames)} frames) has no frame sent by the guest "
                            f"({nw.mac_text(self.guest_mac)})")
        return problems

    # --- the wire ------------------------------------------------------------------------------

    def _send(self, frame: bytes, block: bool = True) -> bool:
        """One frame to the NIC. False when QEMU is not taking any (non-blocking and full)."""
        try:
            if block:
                self.sock.settimeout(5.0)
            else:
                self.sock.setblocking(False)
            self.sock.sendto(frame, self.qemu_path)
            self.frames_out += 1
            return True
        except (BlockingIOError, socket.timeout):
            return False
        except OSError as err:
            if err.errno in (errno.ENOENT, errno.ECONNREFUSED):
                return False   # QEMU is gone (or not there yet)
            raise
        finally:
            self.sock.settimeout(0.05)

    def _receive(self) -> None:
        """Answers ARP for the host address, checks every frame the guest sends, and queues the
        rest for the step in progress."""
        while True:
            try:
                frame = self.sock.recv(65536)
            except socket.timeout:
                if self.stop.is_set():
                    return   # QEMU is gone and nothing is left to read
                continue
            except OSError:
                return
            self.frames_in += 1
            parsed = nw.parse(frame)
            if parsed.src == self.guest_mac and parsed.problems:
                self.problems.append(f"the guest sent a malformed frame ({len(frame)} bytes): {parsed.problems[0]}")
            if parsed.ethertype == nw.ETHERTYPE_ARP and parsed.arp_op == 1 and parsed.arp_tpa == self.host_ip:
                reply = nw.arp(2, self.host_mac, self.host_ip, parsed.arp_sha, parsed.arp_spa)
                self._send(nw.ethernet(parsed.src, self.host_mac, nw.ETHERTYPE_ARP, reply))
                continue
            if parsed.icmp_type == 8 and parsed.ip_dst == self.host_ip and not parsed.problems:
                self.echo_requests_answered += 1   # the guest pings us: answer as a host would
                reply = nw.icmp_echo(0, parsed.icmp_id, parsed.icmp_seq, parsed.data)
                self._send(nw.ethernet(parsed.src, self.host_mac, nw.ETHERTYPE_IPV4,
                                       nw.ipv4(self.host_ip, parsed.ip_src, nw.PROTO_ICMP, reply)))
                continue
            if parsed.icmp_type == 3:
                # A destination unreachable quotes the datagram's IP header and 8 bytes of UDP.
                quoted = parsed.data
                if len(quoted) >= 28:
                    self.unreachable_ports.append(struct.unpack("!H", quoted[22:24])[0])
            self.frames.put((time.monotonic(), parsed))

    def _ip_frame(self, proto: int, payload: bytes, broadcast: bool = False) -> bytes:
        packet = nw.ipv4(self.host_ip, self.guest_ip, proto, payload, ident=self.frames_out & 0xFFFF)
        return nw.ethernet(nw.BROADCAST_MAC if broadcast else self.guest_mac, self.host_mac, nw.ETHERTYPE_IPV4, packet)

    def _udp_frame(self, sport: int, dport: int, data: bytes) -> bytes:
        return self._ip_frame(nw.PROTO_UDP, nw.udp(self.host_ip, self.guest_ip, sport, dport, data))

    def _next_frame(self, deadline: float):
        """The next frame the guest sent; False when none came yet (ask again); None at the
        deadline, or once QEMU has stopped and every frame it sent has been taken."""
        remaining = deadline - time.monotonic()
        try:
            if remaining <= 0 or self.stop.is_set():
                return self.frames.get_nowait()[1] if self.stop.is_set() else None
            return self.frames.get(timeout=min(remaining, 0.05))[1]
        except queue.Empty:
            return None if self.stop.is_set() else False

    # --- steps ---------------------------------------------------------------------------------

    def _run_steps(self) -> None:
        outputs = watch.OutputWatch(self.ctx.testdir, self.stop)
        try:
            for index, step in enumerate(self.steps):
                if not watch.begin_step(self.log, index, step, outputs, self.stop, self.ctx.nonce, self.ctx.test_id):
                    return
                action = next(a for a in ACTIONS if a in step)
                rng = random.Random(int(self.ctx.nonce, 16) ^ (index * 0x9E3779B9) if self._hex_nonce() else index)
                getattr(self, f"_step_{action}")(step[action], rng)
                self.log.done[index] = True
        except Exception as err:   # a peer bug must show up as a reason, not a silent hang
            self.log.error = f"net peer failed in a step: {type(err).__name__}: {err}"
        finally:
            outputs.close()

    def _hex_nonce(self) -> bool:
        try:
            int(self.ctx.nonce, 16)
            return True
        except ValueError:
            return False

    def _step_send(self, text: str, rng) -> None:
        self._send(self._udp_frame(CONTROL_PORT, CONTROL_PORT, text.encode()))

    def _step_malformed(self, _value, rng) -> None:
        for name, _counter, _how in nw.MALFORMED:
            self._send(nw.malformed_frame(name, self.guest_mac, self.host_mac, self.guest_ip, self.host_ip))
            time.sleep(0.002)
        deadline = time.monotonic() + 2.0
        while 4999 not in self.unreachable_ports and time.monotonic() < deadline and not self.stop.is_set():
            time.sleep(0.02)
        self.results["malformed"] = {"sent": len(nw.MALFORMED), "port_unreachable": 4999 in self.unreachable_ports}
        if 4999 not in self.unreachable_ports:
            self.problems.append("no ICMP port unreachable came back for the datagram to closed port 4999")

    def _step_burst(self, options: dict, rng) -> None:
        data = bytes(rng.randrange(256) for _ in range(max(0, options.get("size", 64) - 42)))
        frame = self._udp_frame(40200, options.get("port", 9), data)
        started = time.monotonic()
        sent = sum(self._send(frame) for _ in range(options["count"]))
        self.results["burst"] = {"count": options["count"], "sent": sent,
                                 "seconds": round(time.monotonic() - started, 3)}

    def _step_flood(self, options: dict, rng) -> None:
        rate, seconds = options["rate"], float(options["seconds"])
        frame = self._udp_frame(40300, options.get("port", 9), bytes(max(0, options.get("size", 64) - 42)))
        start, sent, refused = time.monotonic(), 0, 0
        total = int(rate * seconds)
        for i in range(total):
            due = start + i / rate
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            if self.stop.is_set():
                break
            if self._send(frame, block=False):
                sent += 1
            else:
                refused += 1
        elapsed = time.monotonic() - start
        self.results["flood"] = {"offered": total, "sent": sent, "refused_by_nic": refused,
                                 "seconds": round(elapsed, 3), "rate": round(sent / elapsed) if elapsed else 0}

    def _step_ping(self, options: dict, rng) -> None:
        self.results["ping"] = net_exchanges.run_ping(self, options, rng)

    def _step_udp_echo(self, options: dict, rng) -> None:
        self.results["udp_echo"] = net_exchanges.run_udp_echo(self, options, rng)

    def _step_udp_expect(self, options: dict, rng) -> None:
        self.results["udp_expect"] = net_exchanges.run_udp_expect(self, options)
