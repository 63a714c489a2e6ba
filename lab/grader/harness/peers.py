"""Per-test peers: host-side helpers that run next to one QEMU boot.

Later labs need more than "boot and read the debug console": a disk image the test may scribble
on, bytes typed into the serial port once the guest says READY, keystrokes and VGA reads through
QMP, QEMU trace events to prove a driver really used its interrupt. Each of those is a Peer
named by `kind` in the rubric:

    [[test.peer]]
    kind = "disk"
    image = "build/images/lab4.img"

Kinds: `disk` (below), `serial` (serial_peer.py), `qmp` (qmp_peer.py) and `trace`
(trace_peer.py, which a test's `trace` and [[test.mechanism]] entries create). The runner
drives every peer through the same life cycle, so adding one is a new class (here, or in its
own module imported at the end of this file) and nothing else:

    prepare()  before QEMU starts: create files/sockets, return extra QEMU arguments
    started()  QEMU is running (connect to sockets here)
    poll()     every watch tick; return True when the peer saw progress (resets the hang clock)
    finish()   QEMU has stopped; return problems, each a one-line reason that fails the test
    close()    always called last, also after errors (release sockets, threads)

Keep socket paths short: a unix socket path is limited to 108 bytes, and OUT/<suite>/<test>/
can be deep. Use ctx.short_dir() for them.
"""
from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass
class PeerContext:
    root: Path          # the tree being graded (images named in rubrics are relative to it)
    testdir: Path       # OUT/<suite>/<test>/, wiped before each run
    nonce: str
    test_id: str
    seed: int | None = None   # the run's payload seed for `seed = "run"` (payload.py)
    _short: Path | None = None

    def short_dir(self) -> Path:
        """A private directory with a short path, for unix sockets."""
        if self._short is None:
            self._short = Path(tempfile.mkdtemp(prefix="cg-"))
        return self._short

    def cleanup(self) -> None:
        if self._short is not None:
            shutil.rmtree(self._short, ignore_errors=True)


class Peer:
    kind = ""
    # key -> (type or tuple of types, required); "kind" is implied.
    schema: dict[str, tuple[type | tuple[type, ...], bool]] = {}
    unique = False      # at most one peer of this kind per run (it owns a QEMU option)

    @classmethod
    def check(cls, spec: dict) -> None:
        """Deeper validation than the schema's types, at rubric load time; raise ValueError
        with a message that names the offending option."""

    def __init__(self, spec: dict, ctx: PeerContext):
        self.spec = spec
        self.ctx = ctx

    def prepare(self) -> list[str]:
        return []

    def started(self, pid: int) -> None:
        pass

    def poll(self) -> bool:
        return False

    def finish(self) -> list[str]:
        return []

    def close(self) -> None:
        pass


class PeerError(Exception):
    """A peer could not be set up; the test is reported as a boot-failure with this reason."""


_KINDS: dict[str, type[Peer]] = {}


def register(cls: type[Peer]) -> type[Peer]:
    _KINDS[cls.kind] = cls
    return cls


def validate(spec: dict, where: str) -> None:
    """Called while loading a rubric, so mistakes surface before any QEMU starts."""
    kind = spec.get("kind")
    if kind not in _KINDS:
        known = ", ".join(sorted(_KINDS)) or "none"
        raise _rubric_error(f"{where}: unknown peer kind {kind!r} (known: {known})")
    schema = _KINDS[kind].schema
    for key, value in spec.items():
        if key == "kind":
            continue
        if key not in schema:
            raise _rubric_error(f"{where}: peer '{kind}' has no option '{key}'")
        typ = schema[key][0]
        types = typ if isinstance(typ, tuple) else (typ,)
        # TOML booleans are Python ints; do not let `size = true` pass as a number.
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            names = " or ".join(t.__name__ for t in types)
            raise _rubric_error(f"{where}: peer '{kind}' option '{key}' must be {names}")
    for key, (_, required) in schema.items():
        if required and key not in spec:
            raise _rubric_error(f"{where}: peer '{kind}' needs '{key}'")
    try:
        _KINDS[kind].check(spec)
    except ValueError as err:
        raise _rubric_error(f"{where}: peer '{kind}': {err}") from None


def check_unique(specs, where: str) -> None:
    """A run has one COM1, one QMP socket and one trace log: refuse a second peer for them."""
    seen = set()
    for spec in specs:
        kind = spec.get("kind")
        if kind in _KINDS and _KINDS[kind].unique:
            if kind in seen:
                raise _rubric_error(f"{where}: more than one '{kind}' peer (a run has only one)")
            seen.add(kind)


def _rubric_error(message: str) -> Exception:
    from .rubric import RubricError   # late import: rubric imports this module
    return RubricError(message)


def create(spec: dict, ctx: PeerContext) -> Peer:
    return _KINDS[spec["kind"]](spec, ctx)


@register
class DiskPeer(Peer):
    """A private copy of a disk image (or a blank one), attached as a QEMU drive.

    Every test gets its own copy so that parallel runs and write tests never share state,
    and so the image after the run stays in the test directory for inspection. The rubric
    attaches the drive to a controller through `args`, e.g.
    ["-device", "piix3-ide", "-device", "ide-hd,drive=disk0,bus=ide.0"] on q35.
    """
    kind = "disk"
    schema = {"image": (str, False), "size": (int, False), "id": (str, False),
              "format": (str, False), "interface": (str, False)}

    def prepare(self) -> list[str]:
        drive_id = self.spec.get("id", "disk0")
        target = self.ctx.testdir / f"{drive_id}.img"
        if "image" in self.spec:
            source = self.ctx.root / self.spec["image"]
            if not source.is_file():
                raise PeerError(f"disk image {source} does not exist (is it built by make?)")
            shutil.copyfile(source, target)
        else:
            with open(target, "wb") as fh:
                fh.truncate(int(self.spec.get("size", 1 << 20)))
        iface = self.spec.get("interface", "none")
        fmt = self.spec.get("format", "raw")
        # Commas in a path would split QEMU's option string; the path is ours, but say why.
        path = str(target).replace(",", ",,")
        return ["-drive", f"if={iface},id={drive_id},file={path},format={fmt}"]


def kinds() -> list[str]:
    return sorted(_KINDS)


# The peers for the serial, keyboard/VGA and trace labs, the disk labs, the network and the block
# layer's power cut live in their own modules; importing them registers their kinds.
from . import disk_plan_peer, net_peer, power_cut_peer, qmp_peer, serial_peer, trace_peer  # noqa: E402,F401
