"""The `net` peer and its packet code, without QEMU: frames built and parsed (and every malformed
frame of the bad-input tests found malformed), pcap captures judged, rubric options refused with
a reason, and the peer's steps against a fake guest on the NIC's end of the wire, which answers
correctly or with the bugs the peer must name (an altered echo, a lost reply)."""
import socket
import struct
import tempfile
import threading
import time
import unittest
from pathlib import Path

from peer_support import make_ctx, make_peer
from harness import netwire as nw
from harness import peers
from harness.net_peer import nonce_payloads
from harness.rubric import RubricError

GUEST_MAC, HOST_MAC = nw.mac_bytes("52:54:00:12:34:56"), nw.mac_bytes("52:54:00:c0:ff:ee")
GUEST_IP, HOST_IP = nw.ip_bytes("192.168.76.2"), nw.ip_bytes("192.168.76.1")


def write_pcap(path: Path, frames: list[bytes]) -> None:
    with open(path, "wb") as fh:
        fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for frame in frames:
            fh.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)


class NetwireTest(unittest.TestCase):
    def test_checksum_and_well_formed_frames(self):
        self.assertEqual(nw.checksum(bytes([0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7])), 0xFFFF & ~0xDDF2)
        udp = nw.udp(HOST_IP, GUEST_IP, 1000, 7, b"payload")
        frame = nw.ethernet(GUEST_MAC, HOST_MAC, nw.ETHERTYPE_IPV4, nw.ipv4(HOST_IP, GUEST_IP, nw.PROTO_UDP, udp))
        p = nw.parse(frame)
        self.assertEqual(p.problems, [])
        self.assertEqual((p.sport, p.dport, p.data), (1000, 7, b"payload"))
        echo = nw.ethernet(GUEST_MAC, HOST_MAC, nw.ETHERTYPE_IPV4,
                           nw.ipv4(HOST_IP, GUEST_IP, nw.PROTO_ICMP, nw.icmp_echo(8, 7, 9, b"abc")))
        p = nw.parse(echo)
        self.assertEqual((p.problems, p.icmp_type, p.icmp_id, p.icmp_seq, p.data), ([], 8, 7, 9, b"abc"))
        self.assertEqual(len(frame), 60)   # padded to the Ethernet minimum

    def test_every_malformed_frame_is_malformed_or_unwanted(self):
        # Three are well formed on the wire: what is wrong with them is where they go.
        harmless = {"ipv4-unknown-protocol", "ipv4-not-for-us", "udp-closed-port"}
        for name, counter, _how in nw.MALFORMED:
            frame = nw.malformed_frame(name, GUEST_MAC, HOST_MAC, GUEST_IP, HOST_IP)
            with self.subTest(name=name, counter=counter):
                self.assertEqual(frame[:6], GUEST_MAC)
                self.assertEqual(bool(nw.parse(frame).problems), name not in harmless)

    def test_capture_judges_only_the_guests_frames(self):
        good = nw.ethernet(HOST_MAC, GUEST_MAC, nw.ETHERTYPE_ARP, nw.arp(1, GUEST_MAC, GUEST_IP, b"\0" * 6, HOST_IP))
        bad = bytearray(nw.ethernet(HOST_MAC, GUEST_MAC, nw.ETHERTYPE_IPV4,
                                    nw.ipv4(GUEST_IP, HOST_IP, nw.PROTO_UDP, nw.udp(GUEST_IP, HOST_IP, 1, 2, b"x"))))
        bad[14 + 10] ^= 0xFF   # IPv4 header checksum
        peer_junk = nw.malformed_frame("arp-bad-operation", GUEST_MAC, HOST_MAC, GUEST_IP, HOST_IP)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "x.pcap"
            write_pcap(path, [good, peer_junk, bytes(bad)])
            frames = nw.read_pcap(path)
        self.assertEqual(len(frames), 3)
        problems, guest = nw.check_capture(frames, GUEST_MAC)
        self.assertEqual(guest, 2)
        self.assertEqual(len(problems), 1)
        self.assertIn("frame 3 of the capture (sent by the guest): IPv4 header checksum", problems[0])
        self.assertEqual(nw.count_capture(frames, GUEST_MAC)["arp_from_guest"], 1)

    def test_nonce_payloads_are_reproducible(self):
        a, b = nonce_payloads("0123456789abcdef", 50), nonce_payloads("0123456789abcdef", 50)
        self.assertEqual(a, b)
        self.assertNotEqual(a, nonce_payloads("0123456789abcdee", 50))
        self.assertTrue(all(1 <= len(p) <= 1472 for p in a))


class NetPeerSchemaTest(unittest.TestCase):
    def refused(self, spec: dict) -> str:
        with self.assertRaises(RubricError) as caught:
            peers.validate({"kind": "net", **spec}, "t")
        return str(caught.exception)

    def test_good_and_bad_options(self):
        peers.validate({"kind": "net", "steps": [{"after": "x", "ping": {"count": 3}}, {"send": "done"}],
                        "capture_expect": {"udp_from_guest": 1}, "mac": "random"}, "t")
        self.assertIn("'backend' must be", self.refused({"backend": "tap"}))
        self.assertIn("no steps", self.refused({"backend": "user", "steps": [{"send": "x"}]}))
        self.assertIn("exactly one action", self.refused({"steps": [{"send": "x", "malformed": True}]}))
        self.assertIn("unknown key 'pong'", self.refused({"steps": [{"pong": {}}]}))
        self.assertIn("needs an integer 'count'", self.refused({"steps": [{"udp_echo": {}}]}))
        self.assertIn("bounded", self.refused({"steps": [{"flood": {"rate": 100}}]}))
        self.assertIn("capture_expect", self.refused({"capture_expect": {"frames": 1}}))
        self.assertIn("not an IPv4 address", self.refused({"guest_ip": "300.1.1.1"}))


class FakeGuest(threading.Thread):
    """The NIC's end of the wire: a host at GUEST_IP that answers ARP, pings and UDP echo, with
    an optional bug."""

    def __init__(self, path: str, wire: str, corrupt_echo: int = -1, drop_pings: bool = False):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.05)
        self.wire, self.corrupt_echo, self.drop_pings = wire, corrupt_echo, drop_pings
        self.stop, self.echoes = threading.Event(), 0

    def send(self, frame: bytes) -> None:
        self.sock.sendto(frame, self.wire)

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                p = nw.parse(self.sock.recv(4096))
            except socket.timeout:
                continue
            if p.ethertype == nw.ETHERTYPE_ARP and p.arp_tpa == GUEST_IP:
                self.send(nw.ethernet(p.src, GUEST_MAC, nw.ETHERTYPE_ARP, nw.arp(2, GUEST_MAC, GUEST_IP, p.arp_sha, p.arp_spa)))
            elif p.icmp_type == 8 and not self.drop_pings:
                reply = nw.icmp_echo(0, p.icmp_id, p.icmp_seq, p.data)
                self.send(nw.ethernet(p.src, GUEST_MAC, nw.ETHERTYPE_IPV4, nw.ipv4(GUEST_IP, p.ip_src, nw.PROTO_ICMP, reply)))
            elif p.ip_proto == nw.PROTO_UDP and p.dport == 7:
                data = p.data
                if self.echoes == self.corrupt_echo:
                    data = bytes([data[0] ^ 1]) + data[1:]
                self.echoes += 1
                udp = nw.udp(GUEST_IP, p.ip_src, 7, p.sport, data)
                self.send(nw.ethernet(p.src, GUEST_MAC, nw.ETHERTYPE_IPV4, nw.ipv4(GUEST_IP, p.ip_src, nw.PROTO_UDP, udp)))

    def close(self) -> None:
        self.stop.set()
        self.join(timeout=2)
        self.sock.close()


class NetPeerWireTest(unittest.TestCase):
    STEPS = [{"after": "@@CONDUIT ready", "ping": {"count": 5, "min_size": 0, "max_size": 600, "timeout": 0.5}},
             {"udp_echo": {"count": 60, "window": 4, "timeout": 0.5}}]

    def run_peer(self, **bug):
        ctx = make_ctx(Path(tempfile.mkdtemp()))
        peer = make_peer({"kind": "net", "pcap": False, "steps": self.STEPS}, ctx)
        try:
            args = peer.prepare()
            netdev = args[args.index("-netdev") + 1]
            options = dict(part.split("=", 1) for part in netdev.split(",")[1:])
            guest = FakeGuest(options["local.path"], options["remote.path"], **bug)
            guest.start()
            peer.started(1)
            (ctx.testdir / "debugcon.log").write_bytes(b"@@CONDUIT ready name=t nonce=feedf00d\n")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and not all(peer.log.done) and not peer.log.error:
                time.sleep(0.02)
            problems = peer.finish()
            guest.close()
            return problems, peer.results
        finally:
            peer.close()
            ctx.cleanup()

    def test_a_correct_guest_passes(self):
        problems, results = self.run_peer()
        self.assertEqual(problems, [])
        self.assertEqual(results["ping"]["received"], 5)
        self.assertEqual(results["udp_echo"]["echoed"], 60)

    def test_an_altered_echo_is_named(self):
        problems, _ = self.run_peer(corrupt_echo=17)
        self.assertTrue(any("udp echo: 1 replies were altered" in p for p in problems), problems)
        self.assertTrue(any("1 of 60 datagrams never came back" in p for p in problems), problems)

    def test_lost_ping_replies_are_named(self):
        problems, _ = self.run_peer(drop_pings=True)
        self.assertTrue(any(p.startswith("ping: 5 of 5 echo requests got no reply") for p in problems), problems)


if __name__ == "__main__":
    unittest.main()
