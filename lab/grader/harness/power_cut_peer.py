"""The `power_cut` peer: did what the kernel called synced survive a power cut? Checked on the image.

    [[test.peer]]
    kind = "power_cut"
    size = "16M"            # the disk image, random content picked per run
    synced = 48             # 4 KiB blocks the guest writes and then syncs
    unsynced = 48           # blocks the guest writes after the sync, and never syncs
    after = '@@CONDUIT ready name=${test} nonce=${nonce}'   # cut the power when this appears
    device = "hda"          # the guest's disk (IDE unit 0 on a PIIX3 added by the peer)

Before QEMU starts, the peer makes a disk image of random bytes (the first 1 MiB zero, so no
partition table appears by chance) and picks, per run, which blocks the guest writes and the
seed of each block's bytes: the grader's xorshift32 `generate` sequence (lab/grader/README.md)
with seed `seed + block number`. The guest gets the plan as the fw_cfg file
"opt/conduit/power-cut":

    device hda
    block 4096
    seed 2718281828
    synced 300 1177 52 ...
    unsynced 901 33 ...

It writes the synced blocks, syncs, prints the `after` line, and goes on writing the unsynced
blocks. When the peer sees the line it cuts the power through QMP: `stop` halts the machine
(QEMU drains the requests already in flight to the image, as a disk finishes the sector under
its head), the image is copied as the cut left it (power-cut.img), and `cont` lets the guest
finish so that its own result is read; then the peer presses Esc (`send-key`), which tells the
guest that the cut is over (it waits for a keyboard interrupt). The checks on that copy:

  * every synced block holds exactly its bytes (otherwise: "reported synced, but ...");
  * every sector of an unsynced block holds either its old bytes or its new ones, never
    anything else (a torn or garbled write);
  * no other byte of the disk changed.

In the test's directory: disk0.orig.img (before), power-cut.img (at the cut), disk0.img (after
the run), plan.txt, qmp.log.
"""
from __future__ import annotations

import functools
import random
import re
import secrets
import shutil
import socket
import threading
import time

from . import watch
from .payload import generate
from .peers import Peer, PeerError, register
from .qmp import QmpClient, QmpError

SECTOR = 512
BLOCK = 4096
RESERVED_HEAD = 1 << 20
SIZE_RE = re.compile(r"^(\d+)([KMG]?)$")
DEFAULT_AFTER = "@@CONDUIT ready name=${test} nonce=${nonce}"


def parse_size(value) -> int:
    if isinstance(value, int):
        return value
    match = SIZE_RE.match(str(value))
    if not match:
        raise ValueError(f"size {value!r} is not a number of bytes with an optional K, M or G")
    return int(match.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[match.group(2)]


@functools.lru_cache(maxsize=1024)
def block_bytes(seed: int, number: int) -> bytes:
    """A block's new bytes: the grader's `generate` sequence for seed + block number."""
    return generate(BLOCK, (seed + number) & 0xFFFFFFFF)


@register
class PowerCutPeer(Peer):
    kind = "power_cut"
    unique = True
    schema = {"size": ((int, str), False), "synced": (int, False), "unsynced": (int, False),
              "after": (str, False), "device": (str, False), "seed": (int, False)}

    @classmethod
    def check(cls, spec: dict) -> None:
        size = parse_size(spec.get("size", "16M"))
        blocks = (size - RESERVED_HEAD) // BLOCK
        wanted = spec.get("synced", 48) + spec.get("unsynced", 48)
        if size % BLOCK or blocks < 2 * wanted:
            raise ValueError(f"size must be a multiple of 4 KiB with room for twice the {wanted} blocks "
                             "after the first MiB")
        watch.check_regex(spec.get("after", DEFAULT_AFTER), "after")

    def __init__(self, spec: dict, ctx):
        super().__init__(spec, ctx)
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.listener: socket.socket | None = None
        self.conn: socket.socket | None = None
        self.cut_at: float | None = None
        self.error: str | None = None

    def prepare(self) -> list[str]:
        spec = self.spec
        self.seed = spec.get("seed", secrets.randbits(32))
        rng = random.Random(self.seed)
        self.size = parse_size(spec.get("size", "16M"))
        first, count = RESERVED_HEAD // BLOCK, (self.size - RESERVED_HEAD) // BLOCK
        chosen = rng.sample(range(first, first + count), spec.get("synced", 48) + spec.get("unsynced", 48))
        self.synced = chosen[:spec.get("synced", 48)]
        self.unsynced = chosen[spec.get("synced", 48):]
        self.image = self.ctx.testdir / "disk0.img"
        self.original = self.ctx.testdir / "disk0.orig.img"
        self.cut_image = self.ctx.testdir / "power-cut.img"
        try:
            with open(self.image, "wb") as out:
                out.write(bytes(RESERVED_HEAD))
                out.write(rng.randbytes(self.size - RESERVED_HEAD))
            shutil.copyfile(self.image, self.original)
        except OSError as err:
            raise PeerError(f"cannot make the disk image: {err}") from None
        plan = self.ctx.testdir / "plan.txt"
        plan.write_text(f"device {spec.get('device', 'hda')}\nblock {BLOCK}\nseed {self.seed}\n"
                        f"synced {' '.join(map(str, self.synced))}\n"
                        f"unsynced {' '.join(map(str, self.unsynced))}\n")
        sock_path = self.ctx.short_dir() / "pcut.sock"
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(sock_path))
        self.listener.listen(1)
        self.listener.settimeout(0.1)
        self.qmp_log = open(self.ctx.testdir / "qmp.log", "w")
        esc = lambda p: str(p).replace(",", ",,")   # noqa: E731
        return ["-device", "piix3-ide,id=pcut_ide",
                "-drive", f"if=none,id=pcut_disk,file={esc(self.image)},format=raw",
                "-device", "ide-hd,drive=pcut_disk,bus=pcut_ide.0",
                "-fw_cfg", f"name=opt/conduit/power-cut,file={esc(plan)}",
                "-chardev", f"socket,id=pcut_qmp,path={esc(sock_path)}",
                "-mon", "chardev=pcut_qmp,mode=control"]

    def started(self, pid: int) -> None:
        self.thread = threading.Thread(target=self._main, name="power-cut", daemon=True)
        self.thread.start()

    def _main(self) -> None:
        self.conn = watch.accept_until_stopped(self.listener, self.stop)
        if self.conn is None:
            return
        client = QmpClient(self.conn, self.qmp_log)
        outputs = watch.OutputWatch(self.ctx.testdir, self.stop)
        after = self.spec.get("after", DEFAULT_AFTER)
        try:
            client.handshake()
            if not outputs.wait(watch.compile_for_run(after, self.ctx.nonce, self.ctx.test_id)):
                self.error = f"the power was never cut: the guest never printed /{watch.show(after)}/"
                return
            client.execute("stop")
            self.cut_at = time.monotonic()
            shutil.copyfile(self.image, self.cut_image)
            client.execute("cont")
            client.send_key(["esc"], 20)   # the guest waits for it to end the test
        except (QmpError, OSError) as err:
            self.error = f"power cut through QMP failed: {err}"
        finally:
            outputs.close()

    def finish(self) -> list[str]:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=30)
        if self.error:
            return [self.error]
        if self.cut_at is None:
            return ["the power was never cut (QEMU stopped first, or never connected to QMP)"]
        return self._check()

    def _check(self) -> list[str]:
        original = self.original.read_bytes()
        cut = self.cut_image.read_bytes()
        problems: list[str] = []
        expected = bytearray(original)
        for number in self.synced:
            new = block_bytes(self.seed, number)
            at = number * BLOCK
            got = cut[at:at + BLOCK]
            if got != new:
                first = next(i for i in range(BLOCK) if got[i] != new[i])
                old = original[at + first] == got[first]
                problems.append(f"block {number} (sector {at // SECTOR + first // SECTOR}) was reported synced, but "
                                f"after the power cut its byte {first} is {'the old content' if old else 'garbage'} "
                                f"(0x{got[first]:02x}, expected 0x{new[first]:02x})")
            expected[at:at + BLOCK] = new
        torn = old_count = new_count = 0
        for number in self.unsynced:
            new = block_bytes(self.seed, number)
            at = number * BLOCK
            for s in range(0, BLOCK, SECTOR):
                got = cut[at + s:at + s + SECTOR]
                if got == new[s:s + SECTOR]:
                    new_count += 1
                elif got == original[at + s:at + s + SECTOR]:
                    old_count += 1
                else:
                    torn += 1
                    if torn == 1:
                        problems.append(f"block {number} (sector {(at + s) // SECTOR}), written but never synced, "
                                        "holds neither its old nor its new content after the power cut: garbage")
            expected[at:at + BLOCK] = cut[at:at + BLOCK]   # old or new: judged above
        if bytes(expected) != cut:
            first = next(i for i in range(len(cut)) if expected[i] != cut[i])
            problems.append(f"sector {first // SECTOR} changed although the guest never wrote it")
        (self.ctx.testdir / "power-cut.txt").write_text(
            f"synced blocks: {len(self.synced)}; unsynced sectors at the cut: {new_count} new, {old_count} old, "
            f"{torn} garbage\n")
        return problems[:5]

    def close(self) -> None:
        self.stop.set()
        watch.close_sockets(self.conn, self.listener)
        if hasattr(self, "qmp_log"):
            self.qmp_log.close()
