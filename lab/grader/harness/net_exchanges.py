"""The request/reply exchanges of the `net` peer (net_peer.py): ping, UDP echo and the datagrams
the guest sends by itself. Each returns a dict of results (counts, round-trip times, rates) and
appends a sentence to peer.problems for everything that went wrong, naming the datagram and the
first differing byte."""
from __future__ import annotations

import struct
import time

from . import netwire as nw


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else 0.0


def _first_difference(got: bytes, want: bytes) -> str:
    for i, (a, b) in enumerate(zip(got, want)):
        if a != b:
            return f"byte {i:,} is {a:#04x}, expected {b:#04x}"
    return f"{len(got):,} bytes instead of {len(want):,}"


def _timing(rtts: list[float]) -> dict:
    return {"rtt_us": [round(r * 1e6, 1) for r in rtts],
            "median_us": round(_percentile(rtts, 0.5) * 1e6, 1),
            "p90_us": round(_percentile(rtts, 0.9) * 1e6, 1)}


def run_ping(peer, options: dict, rng) -> dict:
    """One echo request at a time; each reply must carry the request's identifier, sequence
    number and data, from the guest's address to ours."""
    count, timeout = options["count"], float(options.get("timeout", 2.0))
    low, high = options.get("min_size", 56), options.get("max_size", options.get("min_size", 56))
    ident = rng.randrange(1, 0xFFFF)
    rtts, lost, bad = [], [], []
    for seq in range(1, count + 1):
        data = bytes(rng.randrange(256) for _ in range(rng.randint(low, high)))
        sent_at = time.monotonic()
        peer._send(peer._ip_frame(nw.PROTO_ICMP, nw.icmp_echo(8, ident, seq, data)))
        deadline = sent_at + timeout
        while True:
            frame = peer._next_frame(deadline)
            if frame is None:
                lost.append(seq)
                break
            if frame is False or frame.icmp_type != 0 or frame.icmp_id != ident or frame.icmp_seq != seq:
                continue
            if frame.data != data or frame.ip_src != peer.guest_ip or frame.ip_dst != peer.host_ip:
                bad.append(f"seq {seq}: {_first_difference(frame.data, data)}" if frame.data != data
                           else f"seq {seq}: from {nw.ip_text(frame.ip_src)} to {nw.ip_text(frame.ip_dst)}")
            else:
                rtts.append(time.monotonic() - sent_at)
            break
        if options.get("interval"):
            time.sleep(float(options["interval"]))
    if lost:
        peer.problems.append(f"ping: {len(lost)} of {count} echo requests got no reply within {timeout} s "
                             f"(first: icmp_seq {lost[0]})")
    if bad:
        peer.problems.append(f"ping: {len(bad)} replies were wrong; first: {bad[0]}")
    return {"sent": count, "received": len(rtts), **_timing(rtts)}


def run_udp_echo(peer, options: dict, rng) -> dict:
    """`count` datagrams of random sizes and bytes, up to `window` outstanding; every one must
    come back unchanged, from the echo port to ours."""
    count, port = options["count"], options.get("port", 7)
    window, timeout = max(1, options.get("window", 1)), float(options.get("timeout", 3.0))
    low, high = options.get("min_size", 1), options.get("max_size", 1472)
    payloads = [bytes(rng.randrange(256) for _ in range(rng.randint(low, high))) for _ in range(count)]
    outstanding: dict[bytes, tuple[int, float]] = {}
    rtts, altered, next_index = [], [], 0
    started = time.monotonic()
    last_progress = started
    while (next_index < count or outstanding) and not peer.stop.is_set():
        while next_index < count and len(outstanding) < window:
            data = payloads[next_index]
            if data in outstanding:            # a repeated payload (tiny sizes): make it unique
                data = payloads[next_index] = data + struct.pack("!I", next_index)
            outstanding[data] = (next_index, time.monotonic())
            peer._send(peer._udp_frame(nw_port(next_index), port, data))
            next_index += 1
        frame = peer._next_frame(last_progress + timeout)
        if frame is None:
            break
        if frame is False or frame.ip_proto != nw.PROTO_UDP or frame.sport != port:
            continue
        entry = outstanding.pop(frame.data, None)
        if entry is None:
            altered.append(f"{len(frame.data):,} bytes to port {frame.dport} match no datagram sent")
            continue
        index, sent_at = entry
        if frame.dport != nw_port(index):
            altered.append(f"datagram #{index} came back to port {frame.dport}, not {nw_port(index)}")
        now = time.monotonic()
        rtts.append(now - sent_at)
        last_progress = now
    elapsed = time.monotonic() - started
    lost = sorted(index for index, _ in outstanding.values()) + list(range(next_index, count))
    if lost:
        peer.problems.append(f"udp echo: {len(lost):,} of {count:,} datagrams never came back within "
                             f"{timeout} s (first: #{lost[0]}, {len(payloads[lost[0]]):,} bytes)")
    if altered:
        peer.problems.append(f"udp echo: {len(altered)} replies were altered; first: {altered[0]}")
    return {"count": count, "window": window, "echoed": len(rtts), "seconds": round(elapsed, 3),
            "rate": round(len(rtts) / elapsed, 1) if elapsed else 0, **_timing(rtts)}


def nw_port(index: int) -> int:
    """The source port of datagram `index`: a few ports in turn, so replies are checked to go
    back to the port each came from."""
    return 40100 + index % 8


# The classic TX-ring mistakes that make frames go missing or stale, named for the student.
TX_RING_HINT = ("; the NIC fetches a descriptor as soon as TDT moves past it: is the descriptor (address, "
                "length, EOP|IFCS|RS) written before TDT, and its buffer kept until DD?")


def run_udp_expect(peer, options: dict) -> dict:
    """Datagrams the guest sends by itself (payloads from the nonce, net_peer.nonce_payloads),
    which must all arrive, in order and intact, on `port`."""
    from .net_peer import nonce_payloads
    count, port = options["count"], options.get("port", 5000)
    expected = nonce_payloads(peer.ctx.nonce, count)
    deadline = time.monotonic() + float(options.get("timeout", 10.0))
    got = 0
    while got < count:
        frame = peer._next_frame(deadline)
        if frame is None:
            break
        if frame is False or frame.ip_proto != nw.PROTO_UDP or frame.dport != port:
            continue
        if frame.data != expected[got]:
            peer.problems.append(f"guest datagram #{got} differs: {_first_difference(frame.data, expected[got])}"
                                 f"{TX_RING_HINT}")
            break
        got += 1
        deadline = time.monotonic() + float(options.get("timeout", 10.0))
    if got < count and not any(p.startswith("guest datagram") for p in peer.problems):
        peer.problems.append(f"only {got:,} of the {count:,} datagrams the guest should send to port {port} "
                             f"arrived{TX_RING_HINT}")
    return {"count": count, "received": got}
