"""Ethernet, ARP, IPv4, ICMP and UDP as bytes, for the `net` peer (net_peer.py), and the checks
the grader makes on a packet capture.

Everything here is plain functions over `bytes`; nothing talks to QEMU. The parsers are strict on
purpose: they are how the grader decides whether a frame the guest sent is well formed, and each
problem comes back as a sentence that names the field ("IPv4 header checksum 0x1234, expected
0x4321").
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

ETH_HEADER = 14
MIN_FRAME = 60            # without the CRC
MAX_FRAME = 1518          # with a VLAN tag; 1514 without
ETHERTYPE_IPV4 = 0x0800
ETHERTYPE_ARP = 0x0806
PROTO_ICMP = 1
PROTO_UDP = 17
BROADCAST_MAC = b"\xff" * 6


def mac_bytes(text: str) -> bytes:
    parts = text.split(":")
    if len(parts) != 6:
        raise ValueError(f"not a MAC address: {text!r}")
    return bytes(int(p, 16) for p in parts)


def mac_text(mac: bytes) -> str:
    return ":".join(f"{b:02x}" for b in mac)


def ip_bytes(text: str) -> bytes:
    parts = [int(p) for p in text.split(".")]
    if len(parts) != 4 or not all(0 <= p <= 255 for p in parts):
        raise ValueError(f"not an IPv4 address: {text!r}")
    return bytes(parts)


def ip_text(ip: bytes) -> str:
    return ".".join(str(b) for b in ip)


def checksum(data: bytes) -> int:
    """RFC 1071: 0 over a header that carries a correct checksum of itself."""
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def pseudo_header(src: bytes, dst: bytes, proto: int, length: int) -> bytes:
    return src + dst + struct.pack("!BBH", 0, proto, length)


# --- building ---------------------------------------------------------------------------------

def ethernet(dst: bytes, src: bytes, ethertype: int, payload: bytes, pad: bool = True) -> bytes:
    frame = dst + src + struct.pack("!H", ethertype) + payload
    if pad and len(frame) < MIN_FRAME:
        frame += b"\0" * (MIN_FRAME - len(frame))
    return frame


def arp(op: int, sha: bytes, spa: bytes, tha: bytes, tpa: bytes) -> bytes:
    return struct.pack("!HHBBH", 1, ETHERTYPE_IPV4, 6, 4, op) + sha + spa + tha + tpa


def ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ttl: int = 64, ident: int = 0,
         flags_fragment: int = 0x4000) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, flags_fragment, ttl, proto,
                         0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def icmp_echo(kind: int, ident: int, seq: int, data: bytes) -> bytes:
    message = struct.pack("!BBHHH", kind, 0, 0, ident, seq) + data
    return message[:2] + struct.pack("!H", checksum(message)) + message[4:]


def udp(src: bytes, dst: bytes, sport: int, dport: int, data: bytes) -> bytes:
    length = 8 + len(data)
    segment = struct.pack("!HHHH", sport, dport, length, 0) + data
    value = checksum(pseudo_header(src, dst, PROTO_UDP, length) + segment) or 0xFFFF
    return segment[:6] + struct.pack("!H", value) + segment[8:]


# --- parsing ----------------------------------------------------------------------------------

@dataclass
class Parsed:
    """A frame taken apart. `problems` lists what is malformed; an empty list means well formed."""
    dst: bytes = b""
    src: bytes = b""
    ethertype: int = 0
    problems: list[str] | None = None
    arp_op: int = 0
    arp_sha: bytes = b""
    arp_spa: bytes = b""
    arp_tpa: bytes = b""
    ip_src: bytes = b""
    ip_dst: bytes = b""
    ip_proto: int = 0
    ip_ttl: int = 0
    icmp_type: int = -1
    icmp_id: int = 0
    icmp_seq: int = 0
    sport: int = 0
    dport: int = 0
    data: bytes = b""          # ICMP echo data or UDP payload


def parse(frame: bytes) -> Parsed:
    p = Parsed(problems=[])
    if len(frame) < ETH_HEADER:
        p.problems.append(f"{len(frame)} bytes: shorter than an Ethernet header")
        return p
    if len(frame) > MAX_FRAME:
        p.problems.append(f"{len(frame)} bytes: longer than the largest Ethernet frame ({MAX_FRAME})")
    p.dst, p.src, p.ethertype = frame[:6], frame[6:12], struct.unpack("!H", frame[12:14])[0]
    body = frame[ETH_HEADER:]
    if p.ethertype == ETHERTYPE_ARP:
        _parse_arp(body, p)
    elif p.ethertype == ETHERTYPE_IPV4:
        _parse_ipv4(body, p)
    return p


def _parse_arp(body: bytes, p: Parsed) -> None:
    if len(body) < 28:
        p.problems.append(f"ARP packet of {len(body)} bytes (28 needed)")
        return
    htype, ptype, hlen, plen, op = struct.unpack("!HHBBH", body[:8])
    if (htype, ptype, hlen, plen) != (1, ETHERTYPE_IPV4, 6, 4):
        p.problems.append(f"ARP for hardware {htype}/protocol {ptype:#06x} with sizes {hlen}/{plen}, "
                          "expected Ethernet/IPv4 with 6/4")
    if op not in (1, 2):
        p.problems.append(f"ARP operation {op} (1 request, 2 reply)")
    p.arp_op, p.arp_sha, p.arp_spa, p.arp_tpa = op, body[8:14], body[14:18], body[24:28]


def _parse_ipv4(body: bytes, p: Parsed) -> None:
    if len(body) < 20:
        p.problems.append(f"IPv4 packet of {len(body)} bytes (a header is 20)")
        return
    version, ihl = body[0] >> 4, (body[0] & 0xF) * 4
    total = struct.unpack("!H", body[2:4])[0]
    if version != 4:
        p.problems.append(f"IP version {version}")
        return
    if ihl < 20 or ihl > len(body):
        p.problems.append(f"IPv4 header length {ihl}")
        return
    if total < ihl or total > len(body):
        p.problems.append(f"IPv4 total length {total} with {len(body)} bytes after the Ethernet header")
        return
    if checksum(body[:ihl]) != 0:
        p.problems.append(f"IPv4 header checksum {struct.unpack('!H', body[10:12])[0]:#06x} is wrong")
    flags = struct.unpack("!H", body[6:8])[0]
    if flags & 0x3FFF:
        p.problems.append("an IPv4 fragment (the stack never fragments)")
    p.ip_ttl, p.ip_proto, p.ip_src, p.ip_dst = body[8], body[9], body[12:16], body[16:20]
    if p.ip_ttl == 0:
        p.problems.append("IPv4 TTL 0")
    payload = body[ihl:total]
    if p.ip_proto == PROTO_ICMP:
        _parse_icmp(payload, p)
    elif p.ip_proto == PROTO_UDP:
        _parse_udp(payload, p)


def _parse_icmp(payload: bytes, p: Parsed) -> None:
    if len(payload) < 8:
        p.problems.append(f"ICMP message of {len(payload)} bytes")
        return
    if checksum(payload) != 0:
        p.problems.append("ICMP checksum is wrong")
    p.icmp_type = payload[0]
    p.icmp_id, p.icmp_seq = struct.unpack("!HH", payload[4:8])
    p.data = payload[8:]


def _parse_udp(payload: bytes, p: Parsed) -> None:
    if len(payload) < 8:
        p.problems.append(f"UDP datagram of {len(payload)} bytes")
        return
    sport, dport, length, value = struct.unpack("!HHHH", payload[:8])
    if length < 8 or length > len(payload):
        p.problems.append(f"UDP length {length} with {len(payload)} bytes of IPv4 payload")
        return
    if value != 0 and checksum(pseudo_header(p.ip_src, p.ip_dst, PROTO_UDP, length) + payload[:length]) != 0:
        p.problems.append(f"UDP checksum {value:#06x} is wrong")
    p.sport, p.dport, p.data = sport, dport, payload[8:length]


# --- captures -----------------------------------------------------------------------------------

def read_pcap(path) -> list[bytes]:
    """The frames of a classic pcap file (QEMU's filter-dump: linktype 1, Ethernet)."""
    with open(path, "rb") as fh:
        data = fh.read()
    if len(data) < 24:
        raise ValueError(f"{path}: {len(data)} bytes, not a pcap file")
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">" if magic in (0xD4C3B2A1, 0x4D3CB2A1) else None
    if endian is None:
        raise ValueError(f"{path}: not a pcap file (magic {magic:#x})")
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected 1 (Ethernet)")
    frames, offset = [], 24
    while offset + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[offset + 8:offset + 12])[0]
        frames.append(data[offset + 16:offset + 16 + incl])
        offset += 16 + incl
    return frames


def check_capture(frames: list[bytes], guest_mac: bytes, limit: int = 5) -> tuple[list[str], int]:
    """Problems with the frames the guest sent (source MAC `guest_mac`), at most `limit` of them
    named, and how many guest frames there were. Frames from others (the peer's deliberately
    malformed ones among them) are not judged."""
    problems, guest = [], 0
    for index, frame in enumerate(frames, 1):
        if len(frame) < 12 or frame[6:12] != guest_mac:
            continue
        guest += 1
        parsed = parse(frame)
        for problem in parsed.problems or []:
            if len(problems) < limit:
                problems.append(f"frame {index} of the capture (sent by the guest): {problem}")
    return problems, guest


# What `capture_expect` can ask for: counts of kinds of frames in a capture.
CAPTURE_COUNTS = {
    "dhcp_from_guest": "DHCP messages from the guest (UDP 68 -> 67)",
    "dhcp_to_guest": "DHCP messages to the guest (UDP 67 -> 68)",
    "echo_requests_from_guest": "ICMP echo requests sent by the guest",
    "echo_replies_to_guest": "ICMP echo replies to the guest",
    "echo_replies_from_guest": "ICMP echo replies sent by the guest",
    "arp_from_guest": "ARP packets sent by the guest",
    "udp_from_guest": "UDP datagrams sent by the guest",
}


def count_capture(frames: list[bytes], guest_mac: bytes) -> dict[str, int]:
    counts = dict.fromkeys(CAPTURE_COUNTS, 0)
    for frame in frames:
        p = parse(frame)
        from_guest, to_guest = p.src == guest_mac, p.dst == guest_mac
        if p.ethertype == ETHERTYPE_ARP and from_guest:
            counts["arp_from_guest"] += 1
        if p.ip_proto == PROTO_UDP:
            counts["udp_from_guest"] += from_guest
            counts["dhcp_from_guest"] += from_guest and (p.sport, p.dport) == (68, 67)
            counts["dhcp_to_guest"] += (p.sport, p.dport) == (67, 68) and not from_guest
        if p.ip_proto == PROTO_ICMP:
            counts["echo_requests_from_guest"] += from_guest and p.icmp_type == 8
            counts["echo_replies_from_guest"] += from_guest and p.icmp_type == 0
            counts["echo_replies_to_guest"] += to_guest and p.icmp_type == 0
    return counts


# --- the malformed frames of the bad-input tests --------------------------------------------------

# Each entry: (name, the guest's counter it must raise, how the frame is broken). The kernel test
# tests/kernel/net_fault_tests.cpp checks the same table. QEMU's e1000 pads frames shorter than
# 60 bytes with zeros, so a "runt" reaches the guest as a zero-padded frame.
MALFORMED = [
    ("ipv4-truncated-header", "ip_bad_length", "EtherType IPv4 with one byte of header, the rest padding"),
    ("ipv4-bad-version", "ip_bad_version", "version 6 in an IPv4 frame"),
    ("ipv4-ihl-too-small", "ip_bad_header_length", "IHL 3 (12 bytes)"),
    ("ipv4-ihl-past-end", "ip_bad_header_length", "IHL 15 (60 bytes) in a 46-byte payload"),
    ("ipv4-total-length-lies", "ip_bad_length", "total length 1400 in a 60-byte frame"),
    ("ipv4-total-length-below-header", "ip_bad_length", "total length 12"),
    ("ipv4-bad-checksum", "ip_bad_checksum", "header checksum off by one"),
    ("ipv4-first-fragment", "ip_fragments_dropped", "MF set"),
    ("ipv4-later-fragment", "ip_fragments_dropped", "fragment offset 185"),
    ("ipv4-unknown-protocol", "ip_unknown_protocol", "protocol 99"),
    ("ipv4-not-for-us", "ip_not_for_us", "to our MAC but another host's IP"),
    ("udp-bad-checksum", "udp_bad_checksum", "UDP checksum off by one"),
    ("udp-length-lies", "udp_bad_length", "UDP length 400 with 20 bytes of data"),
    ("udp-length-below-header", "udp_bad_length", "UDP length 4"),
    ("icmp-bad-checksum", "icmp_bad_checksum", "echo request with a wrong checksum (no reply due)"),
    ("icmp-truncated", "icmp_malformed", "4 bytes of ICMP"),
    ("arp-wrong-sizes", "arp_malformed", "hardware size 8, protocol size 4"),
    ("arp-wrong-protocol", "arp_malformed", "protocol type 0x86dd"),
    ("arp-bad-operation", "arp_malformed", "operation 7"),
    ("arp-truncated", "arp_malformed", "EtherType ARP with 10 bytes, the rest padding (hardware type 0)"),
    ("udp-closed-port", "udp_no_port", "a good datagram to a port nobody listens on"),
]


def _patch(packet: bytes, offset: int, value: bytes, fix_checksum: bool = True) -> bytes:
    """`packet` (an IPv4 datagram) with `value` at `offset`, its header checksum recomputed."""
    packet = packet[:offset] + value + packet[offset + len(value):]
    if fix_checksum:
        header = packet[:10] + b"\0\0" + packet[12:20]
        packet = header[:10] + struct.pack("!H", checksum(header)) + packet[12:]
    return packet


def _malformed_ipv4(name: str, src: bytes, dst: bytes) -> bytes:
    """The IPv4 datagram of one of the IPv4, ICMP and UDP entries of MALFORMED."""
    good_udp = udp(src, dst, 40000, 7, b"malformed-test-data!")
    good = ipv4(src, dst, PROTO_UDP, good_udp)
    other = bytes([dst[0], dst[1], dst[2], dst[3] ^ 0x40])
    echo = icmp_echo(8, 0x7777, 1, b"abcdefgh")
    builders = {
        "ipv4-truncated-header": lambda: b"\x45",
        "ipv4-bad-version": lambda: _patch(good, 0, b"\x65"),
        "ipv4-ihl-too-small": lambda: _patch(good, 0, b"\x43"),
        "ipv4-ihl-past-end": lambda: _patch(ipv4(src, dst, PROTO_UDP, udp(src, dst, 40000, 7, b"x")), 0, b"\x4f"),
        "ipv4-total-length-lies": lambda: _patch(good, 2, struct.pack("!H", 1400)),
        "ipv4-total-length-below-header": lambda: _patch(good, 2, struct.pack("!H", 12)),
        "ipv4-bad-checksum": lambda: _patch(good, 10, struct.pack("!H", struct.unpack("!H", good[10:12])[0] ^ 1),
                                            fix_checksum=False),
        "ipv4-first-fragment": lambda: _patch(good, 6, struct.pack("!H", 0x2000)),
        "ipv4-later-fragment": lambda: _patch(good, 6, struct.pack("!H", 185)),
        "ipv4-unknown-protocol": lambda: _patch(good, 9, bytes([99])),
        "ipv4-not-for-us": lambda: ipv4(src, other, PROTO_UDP, udp(src, other, 40000, 7, b"not for you")),
        "udp-bad-checksum": lambda: ipv4(src, dst, PROTO_UDP, good_udp[:6] + bytes([good_udp[6], good_udp[7] ^ 1])
                                         + good_udp[8:]),
        "udp-length-lies": lambda: ipv4(src, dst, PROTO_UDP, good_udp[:4] + struct.pack("!HH", 400, 0) + good_udp[8:]),
        "udp-length-below-header": lambda: ipv4(src, dst, PROTO_UDP, good_udp[:4] + struct.pack("!HH", 4, 0)
                                                + good_udp[8:]),
        "icmp-bad-checksum": lambda: ipv4(src, dst, PROTO_ICMP, echo[:2] + bytes([echo[2] ^ 1]) + echo[3:]),
        "icmp-truncated": lambda: ipv4(src, dst, PROTO_ICMP, b"\x08\x00\xf7\xff"),
        "udp-closed-port": lambda: ipv4(src, dst, PROTO_UDP, udp(src, dst, 40001, 4999, b"nobody home")),
    }
    return builders[name]()


def _malformed_arp(name: str, host_mac: bytes, host_ip: bytes, guest_ip: bytes) -> bytes:
    """The ARP packet of one of the ARP entries of MALFORMED."""
    builders = {
        "arp-wrong-sizes": lambda: struct.pack("!HHBBH", 1, ETHERTYPE_IPV4, 8, 4, 1) + host_mac + host_ip
        + b"\0" * 6 + guest_ip,
        "arp-wrong-protocol": lambda: struct.pack("!HHBBH", 1, 0x86DD, 6, 4, 1) + host_mac + host_ip + b"\0" * 6
        + guest_ip,
        "arp-bad-operation": lambda: arp(7, host_mac, host_ip, b"\0" * 6, guest_ip),
        "arp-truncated": lambda: b"\0\0\x08\x00\x06\x04\x00\x01\x52\x54",
    }
    return builders[name]()


def malformed_frame(name: str, guest_mac: bytes, host_mac: bytes, guest_ip: bytes, host_ip: bytes) -> bytes:
    """The frame of one MALFORMED entry, addressed to the guest."""
    if name not in {entry[0] for entry in MALFORMED}:
        raise ValueError(f"unknown malformed frame {name!r}")
    if name.startswith("arp-"):
        return ethernet(guest_mac, host_mac, ETHERTYPE_ARP, _malformed_arp(name, host_mac, host_ip, guest_ip))
    return ethernet(guest_mac, host_mac, ETHERTYPE_IPV4, _malformed_ipv4(name, host_ip, guest_ip))
