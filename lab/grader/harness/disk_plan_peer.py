"""The `disk_plan` peer: a fresh disk image per run, I/O the host picks, checked by the host.

    [[test.peer]]
    kind = "disk_plan"
    size = "64M"                          # bytes, or "64M", "130G" (sparse with fill = "zero")
    fill = "random"                       # random (per-run content) | zero
    table = "none"                        # none | mbr | gpt (sfdisk)
    writes = { count = 8, sectors = 4096 }    # regions the guest writes (host-picked places, seeds)
    reads = { count = 8, sectors = 4096 }     # regions the guest reads and reports a CRC of
    read_back = true                      # also read every written region back afterwards
    min_lba = 0                           # regions start at or above this sector (LBA48 tests)
    read_faults = 1                       # sectors inside read regions that fail (blkdebug, EIO)
    write_faults = 0
    chunk = 2048                          # sectors per request the guest makes
    device = "hda"                        # the guest's block device
    unit = 0                              # IDE unit on the PIIX's primary channel (1: slave)
    controller = true                     # add -device piix3-ide,id=pide ("piix4-ide": that one; false: none)
    bus = "pide.0"                        # the IDE bus the disk goes on ("ide.0": machine pc's own PIIX)

It adds the drive (raw, through blkdebug when faults are asked for), and the plan as fw_cfg file
"opt/conduit/disk-plan". In the test's directory: disk0.img (after the run), disk0.orig.img (a
random image before it), plan.txt, blkdebug.conf and disk-seed.txt (the seed that recreates the
run's choices). The checks are in disk_check.py; the guest's side in include/kernel/test_disk.h.
"""
from __future__ import annotations

import random
import secrets
import shutil

from . import disk_check
from .disk_plan import SECTOR, Plan, Step, data_extents, make_image, parse_size, pick_regions
from .peers import Peer, PeerError, register


@register
class DiskPlanPeer(Peer):
    kind = "disk_plan"
    unique = True
    schema = {"size": ((int, str), False), "fill": (str, False), "table": (str, False), "writes": (dict, False),
              "reads": (dict, False), "read_back": (bool, False), "min_lba": (int, False),
              "read_faults": (int, False), "write_faults": (int, False), "chunk": (int, False),
              "device": (str, False), "unit": (int, False), "controller": ((bool, str), False), "bus": (str, False),
              "seed": (int, False)}

    @classmethod
    def check(cls, spec: dict) -> None:
        parse_size(spec.get("size", "64M"))
        if spec.get("fill", "random") not in ("random", "zero"):
            raise ValueError("fill must be \"random\" or \"zero\"")
        if spec.get("table", "none") not in ("none", "mbr", "gpt"):
            raise ValueError("table must be \"none\", \"mbr\" or \"gpt\"")
        for key in ("writes", "reads"):
            region = spec.get(key, {})
            if set(region) - {"count", "sectors"} or any(not isinstance(v, int) or v < 0 for v in region.values()):
                raise ValueError(f"{key} takes {{ count = N, sectors = S }} with non-negative integers")
        if spec.get("controller", True) not in (True, False, "piix3-ide", "piix4-ide"):
            raise ValueError("controller must be true, false, \"piix3-ide\" or \"piix4-ide\"")
        if spec.get("fill") == "random" and parse_size(spec.get("size", "64M")) > 1 << 30:
            raise ValueError("a random image larger than 1 GiB would be slow to make: use fill = \"zero\"")

    def prepare(self) -> list[str]:
        spec = self.spec
        seed = spec.get("seed", secrets.randbits(32))
        rng = random.Random(seed)
        size = parse_size(spec.get("size", "64M"))
        self.image = self.ctx.testdir / "disk0.img"
        self.original = None
        try:
            make_image(self.image, size, spec.get("fill", "random"), rng, spec.get("table", "none"))
        except (OSError, ValueError) as err:
            raise PeerError(f"cannot make the disk image: {err}") from None
        if spec.get("fill", "random") == "random":
            self.original = self.ctx.testdir / "disk0.orig.img"
            shutil.copyfile(self.image, self.original)
            self.base = []
        else:
            self.base = [(start, self._read(start, end - start)) for start, end in data_extents(self.image)]
        try:
            self.plan = self._make_plan(rng, size // SECTOR)
        except ValueError as err:
            raise PeerError(f"disk plan: {err}") from None
        (self.ctx.testdir / "disk-seed.txt").write_text(f"{seed}\n")
        plan_path = self.ctx.testdir / "plan.txt"
        plan_path.write_text(self.plan.text())
        return self._qemu_args(plan_path)

    def _read(self, start: int, length: int) -> bytes:
        with open(self.image, "rb") as f:
            f.seek(start)
            return f.read(length)

    def _make_plan(self, rng: random.Random, sectors: int) -> Plan:
        spec = self.spec
        plan = Plan(spec.get("device", "hda"), spec.get("chunk", 2048), sectors)
        taken: list[tuple[int, int]] = []
        low = spec.get("min_lba", 0)
        writes = spec.get("writes", {})
        reads = spec.get("reads", {})
        for lba in pick_regions(rng, sectors, writes.get("count", 0), writes.get("sectors", 8), low, taken):
            plan.steps.append(Step("write", lba, writes.get("sectors", 8), rng.randrange(1, 1 << 32)))
        for lba in pick_regions(rng, sectors, reads.get("count", 0), reads.get("sectors", 8), low, taken):
            plan.steps.append(Step("read", lba, reads.get("sectors", 8)))
        rng.shuffle(plan.steps)
        for kind, count in (("read", spec.get("read_faults", 0)), ("write", spec.get("write_faults", 0))):
            candidates = [s for s in plan.steps if s.kind == kind and s.fault is None]
            for step in rng.sample(candidates, min(count, len(candidates))):
                step.fault = step.lba + rng.randrange(step.sectors)
        if spec.get("read_back", False):
            plan.steps += [Step("read", s.lba, s.sectors) for s in plan.steps if s.kind == "write" and s.fault is None]
        return plan

    def _qemu_args(self, plan_path) -> list[str]:
        drive = str(self.image).replace(",", ",,")
        faults = self.plan.faults()
        if faults:
            conf = self.ctx.testdir / "blkdebug.conf"
            conf.write_text("".join(
                f'[inject-error]\nevent = "{kind}_aio"\nerrno = "5"\nsector = "{sector}"\nonce = "off"\n\n'
                for kind, sector in faults))
            drive = f"blkdebug:{conf}:{drive}"
        args = []
        controller = self.spec.get("controller", True)
        if controller:
            args += ["-device", f"{'piix3-ide' if controller is True else controller},id=pide"]
        args += ["-drive", f"if=none,id=disk0,file={drive},format=raw",
                 "-device", f"ide-hd,drive=disk0,bus={self.spec.get('bus', 'pide.0')},unit={self.spec.get('unit', 0)}",
                 "-fw_cfg", f"name=opt/conduit/disk-plan,file={plan_path}"]
        return args

    def finish(self) -> list[str]:
        debugcon_path = self.ctx.testdir / "debugcon.log"
        debugcon = debugcon_path.read_text(errors="replace") if debugcon_path.exists() else ""
        problems = disk_check.check_reports(self.image, self.plan, debugcon, self.ctx.nonce)
        problems += disk_check.check_image(self.image, self.original, self.plan, self.base)
        if self.original is not None and not problems:
            self.original.unlink()   # 64 MiB less per passing test; kept for failures
        return problems
