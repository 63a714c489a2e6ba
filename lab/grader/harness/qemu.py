"""The QEMU command line for one test, and the cmd.txt that lets a student rerun it by hand.

Every argument is one argv element (no shell), so the fw_cfg string may contain spaces.
Checked against QEMU 7.2:
* `-nic none` removes the default NIC on both machines (e1000 on pc, e1000e on q35) and still
  allows explicit `-netdev ... -device e1000,netdev=...` from a rubric.
* The default VGA stays: later labs read the text buffer at 0xb8000 through QMP.
* `-no-reboot` turns a triple fault into QEMU exit status 0; `-d cpu_reset -D qemu.log` then
  records "Triple fault", which is how the grader names it.
* In option syntax ',' separates options; a literal comma in the fw_cfg string is ',,'.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from .protocol import fw_cfg_escape
from .rubric import TestCase

FW_CFG_NAME = "opt/conduit/cmdline"
EXIT_DEVICE = "isa-debug-exit,iobase=0xf4,iosize=0x04"


@dataclass
class RunOptions:
    root: Path                      # the tree being graded
    iso: Path
    out: Path
    qemu: list[str] = field(default_factory=lambda: ["qemu-system-x86_64"])
    accel: str = "tcg"
    timeout_scale: float = 1.0
    kernel_elf: Path | None = None  # for symbolizing backtraces
    verbose: bool = False
    host_tests: Path | None = None  # the host unit-test binary, for host_test entries
    sandbox: object | None = None   # batch grading: runs QEMU/host tests in a sandbox (sandbox.py)
    seed: int | None = None         # replay: this payload seed instead of a fresh one per run


def test_dir(options: RunOptions, test: TestCase) -> Path:
    return options.out / test.suite.name / test.id


def kernel_cmdline(test: TestCase, nonce: str, seed: int | None = None) -> str:
    """`${seed}` in the rubric's cmdline becomes the run's payload seed (payload.py)."""
    words = [f"test={test.name}", f"nonce={nonce}"]
    if test.cmdline:
        words.append(test.cmdline if seed is None else test.cmdline.replace("${seed}", str(seed)))
    return " ".join(words)


def _expand(arg: str, options: RunOptions, testdir: Path) -> str:
    """Rubric args may name per-test files (${testdir}) or build products (${build})."""
    return (arg.replace("${testdir}", str(testdir))
               .replace("${build}", str(options.root / "build"))
               .replace("${root}", str(options.root)))


def _unless_peer(peer_args: list[str], option: str, value: str) -> list[str]:
    """A default that a peer may take over: the serial peer supplies COM1 (`-serial`, a
    socket), the trace peer the log file (`-D`, a FIFO it splits into trace.log and qemu.log).
    A second `-serial` would be COM2, and of two `-D` only the last counts."""
    return [] if option in peer_args else [option, value]


def build_command(test: TestCase, options: RunOptions, nonce: str,
                  peer_args: list[str], seed: int | None = None) -> list[str]:
    testdir = test_dir(options, test)
    argv = list(options.qemu) + [
        "-accel", options.accel,
        "-machine", test.machine,
        "-m", test.memory,
        "-cdrom", str(options.iso),
        "-boot", "d",
        "-no-reboot",
        "-display", "none",
        "-nic", "none",
        "-device", EXIT_DEVICE,
        "-debugcon", f"file:{testdir / 'debugcon.log'}",
        *_unless_peer(peer_args, "-serial", f"file:{testdir / 'serial.log'}"),
        "-monitor", "none",
        "-d", "cpu_reset",
        *_unless_peer(peer_args, "-D", str(testdir / "qemu.log")),
        "-fw_cfg", f"name={FW_CFG_NAME},string={fw_cfg_escape(kernel_cmdline(test, nonce, seed))}",
    ]
    argv += peer_args
    argv += [_expand(a, options, testdir) for a in test.args]
    return argv


def rerun_hint(test: TestCase, root: Path, seed: int | None = None) -> str:
    """How a student reruns just this test. Labs and the kernel suite are reachable through
    `make grade TEST=...` (the grader searches every suite for a bare test name); a run with a
    per-run payload seed is replayed with the same seed through `SEED=` (grade.py --seed)."""
    path = test.suite.path.resolve()
    standard = path.parent.parent == (root / "lab").resolve() or \
        path == (root / "tests" / "kernel" / "rubric.toml").resolve()
    if standard:
        return f"make grade TEST={test.id}" + (f" SEED={seed}" if seed is not None else "")
    try:
        rubric = test.suite.path.relative_to(root)
    except ValueError:
        rubric = test.suite.path
    replay = f" --seed {seed}" if seed is not None else ""
    return f"python3 lab/grader/grade.py --suite {rubric} --test {test.id}{replay}"


def reproducible(argv: list[str], transient: Path, testdir: Path) -> tuple[list[str], list[str]]:
    """The run's QEMU command without what existed only while the grader ran it: the peers'
    and the hang probe's sockets in the transient directory become COM1 on the terminal
    (`-serial stdio`) or go, and the trace FIFO becomes qemu.log (trace lines go there).
    Returns the command and a note per thing the grader did that a by-hand boot does not."""
    out, notes, gone = [], [], set()
    prefix = str(transient)
    i = 0
    while i < len(argv):
        option, value = argv[i], argv[i + 1] if i + 1 < len(argv) else ""
        if option == "-chardev" and value.startswith("socket,") and prefix in value:
            gone.add(value.split("id=", 1)[1].split(",", 1)[0] if "id=" in value else "")
            i += 2
            continue
        if option == "-serial" and value.startswith("chardev:") and value[8:] in gone:
            out += ["-serial", "stdio"]
            notes.append("COM1 is this terminal: during grading the grader typed into it and read it")
        elif option == "-mon" and any(f"chardev={cid}," in value + "," for cid in gone):
            pass
        elif option == "-D" and value.startswith(prefix):
            out += ["-D", str(testdir / "qemu.log")]
        else:
            out.append(option)
            i += 1
            continue
        i += 2
    return out, notes


def write_cmd_file(path: Path, test: TestCase, argv: list[str], nonce: str, root: Path,
                   transient: Path | None = None, seed: int | None = None) -> None:
    """`seed`: the run's payload seed, for a test that has one (None otherwise)."""
    notes: list[str] = []
    if transient is not None:
        argv, notes = reproducible(argv, transient, path.parent)
    if seed is not None:
        notes.append(f"the grader generated its seed = \"run\" payloads from seed {seed} "
                     "(what it typed, if anything, is in serial-in.bin)")
    same = "same nonce" + (" and seed" if seed is not None else "")
    text = (
        f"# Conduit grader: {test.suite.name}/{test.id}  (nonce {nonce}"
        + (f", seed {seed}" if seed is not None else "") + ")\n"
        f"# Rerun through the grader:   {rerun_hint(test, root, seed)}\n"
        f"# Or boot by hand with the line below ({same}; it overwrites the logs here).\n"
        "# For an interactive look, drop '-display none'.\n"
        + "".join(f"# Note: {note}.\n" for note in notes)
        + f"{shlex.join(argv)}\n")
    path.write_text(text)


def check_paths(options: RunOptions) -> str | None:
    """QEMU splits -cdrom and chardev paths at commas; refuse such paths up front."""
    for what, path in (("ISO", options.iso), ("output directory", options.out)):
        if "," in str(path):
            return f"the {what} path {path} contains ',', which QEMU cannot take in options"
    return None
