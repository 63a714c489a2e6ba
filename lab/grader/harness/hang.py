"""Where a hung test is: the guest's registers and stack, read over QMP when progress stops.

Every QEMU run gets a second, private QMP monitor (`-chardev socket,id=conduit_diag ...
-mon chardev=conduit_diag,mode=control`; QEMU connects to the grader's socket at start-up, as
for the qmp peer, and the connection just waits). When the runner decides a run is hung, and
before it kills QEMU, diagnose():

  * stops the guest (`stop`) and reads `info registers`: RIP, RSP, RBP, RFLAGS (IF: were
    interrupts on?), CPL and whether the CPU sat in `hlt`;
  * walks the frame-pointer chain (the kernel keeps frame pointers) with `x /2gx RBP`,
    16 frames at most, in the guest's own address space;
  * symbolizes RIP and the return addresses with addr2line over build/kernel.elf
    ("uart16550::poll_putc (poll.cpp:57)");
  * reads the interrupt controllers' state (`info pic`: IRR, IMR, ISR of both 8259s; with the
    APIC, `info lapic`).

The summary goes into the hang verdict's reason ("hung in uart16550::poll_putc(...)
(drivers/char/uart16550/poll.cpp:57), interrupts on"), the rest into its notes and into
hang.txt in the test's directory. Everything here is best effort: a failure to read is a note,
never a different verdict.
"""
from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

from . import symbolize
from .qmp import QmpClient, QmpError

MAX_FRAMES = 16
KERNEL_BASE = 0xFFFFFFFF80000000
REG_RE = re.compile(r"\b(RIP|RSP|RBP|RFL)=([0-9a-fA-F]+)")
CPL_RE = re.compile(r"\bCPL=(\d)")
HLT_RE = re.compile(r"\bHLT=(\d)")
PIN_RE = re.compile(r"^\s*pin\s+\d+\s")
QWORDS_RE = re.compile(r"^[0-9a-fA-F]+:\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)", re.MULTILINE)


@dataclass
class HangReport:
    summary: str = ""                               # "hung in f (file:line), interrupts off"
    lines: list[str] = field(default_factory=list)  # registers, backtrace, PIC/APIC state

    def text(self) -> str:
        return "\n".join([self.summary, ""] + self.lines) + "\n"


class HangProbe:
    def __init__(self, short_dir: Path):
        self.path = short_dir / "diag.sock"
        self.listener: socket.socket | None = None

    def prepare(self) -> list[str]:
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.path))
        self.listener.listen(1)
        escaped = str(self.path).replace(",", ",,")
        return ["-chardev", f"socket,id=conduit_diag,path={escaped}",
                "-mon", "chardev=conduit_diag,mode=control"]

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            self.listener = None

    def diagnose(self, elf: Path | None, root: Path, apic: bool, wrap=None) -> HangReport:
        report = HangReport()
        try:
            conn = self._connect()
        except OSError as err:
            report.summary = f"(could not reach QEMU's monitor to see where: {err})"
            return report
        with conn:
            client = QmpClient(conn)
            try:
                client.handshake(timeout=5)
                client.execute("stop", timeout=5)
                registers = client.hmp("info registers", timeout=5)
                frames = _frames(client, registers)
                chips = [("info pic", client.hmp("info pic", timeout=5))]
                if apic:
                    chips.append(("info lapic", client.hmp("info lapic", timeout=5)))
            except QmpError as err:
                report.summary = f"(QEMU's monitor did not answer: {err})"
                return report
        _fill(report, registers, frames, chips, elf, root, wrap)
        return report

    def _connect(self) -> socket.socket:
        if self.listener is None:
            raise OSError("no monitor socket")
        self.listener.settimeout(2)
        conn, _ = self.listener.accept()
        conn.settimeout(5)
        return conn


def _registers(text: str) -> dict[str, int]:
    values = {name: int(value, 16) for name, value in REG_RE.findall(text)}
    cpl, hlt = CPL_RE.search(text), HLT_RE.search(text)
    values["CPL"] = int(cpl.group(1)) if cpl else 0
    values["HLT"] = int(hlt.group(1)) if hlt else 0
    return values


def _qwords(client: QmpClient, address: int) -> tuple[int, int] | None:
    match = QWORDS_RE.search(client.hmp(f"x /2gx 0x{address:x}", timeout=5))
    return (int(match.group(1), 16), int(match.group(2), 16)) if match else None


def _after_call(client: QmpClient, address: int) -> bool:
    """Whether address follows a `call rel32` (0xe8): what a return address looks like."""
    text = client.hmp(f"x /1bx 0x{address - 5:x}", timeout=5)
    return bool(re.search(r":\s+0xe8\b", text))


def _frames(client: QmpClient, registers: str) -> list[int]:
    """RIP, then each return address up the frame-pointer chain. GCC gives small leaf
    functions no frame, so RBP still points at the caller's frame and the caller itself would
    be missing: its return address is then at [RSP] (as the kernel's own panic unwinder does)."""
    regs = _registers(registers)
    if "RIP" not in regs:
        return []
    frames, rbp = [regs["RIP"]], regs.get("RBP", 0)
    rsp = regs.get("RSP", 0)
    top = _qwords(client, rsp) if rsp >= KERNEL_BASE and rsp % 8 == 0 else None
    chain = _qwords(client, rbp) if rbp >= KERNEL_BASE and rbp % 8 == 0 else None
    if top and top[0] >= KERNEL_BASE and (chain is None or top[0] != chain[1]) \
            and _after_call(client, top[0]):
        frames.append(top[0])
    for _ in range(MAX_FRAMES):
        if rbp < KERNEL_BASE or rbp % 8:
            break
        pair = _qwords(client, rbp)
        if pair is None:
            break
        next_rbp, ret = pair
        if ret < KERNEL_BASE:
            break
        frames.append(ret)
        if next_rbp <= rbp:
            break
        rbp = next_rbp
    return frames


def describe(addresses: list[int], elf: Path | None, root: Path, wrap=None) -> list[str]:
    """'function (file:line)' per address (return addresses are looked up one byte back, so
    that they land on the calling line)."""
    found = symbolize.lookup([addresses[0]] + [a - 1 for a in addresses[1:]], elf, root, wrap) \
        if addresses else None
    if found is None:
        return [f"0x{a:x}" for a in addresses]
    return [f"{function} ({location})" if not location.startswith("??") else f"{function} (0x{a:x})"
            for a, (function, location) in zip(addresses, found)]


def _fill(report: HangReport, registers: str, frames: list[int], chips, elf, root, wrap) -> None:
    regs = _registers(registers)
    names = describe(frames, elf, root, wrap)
    interrupts = "on" if regs.get("RFL", 0) & 0x200 else "off"
    state = "halted (hlt)" if regs.get("HLT") else "running"
    where = names[0] if names else "an unknown place (no RIP in 'info registers')"
    mode = "" if regs.get("CPL", 0) == 0 else f", in ring {regs['CPL']}"
    caller = f" called from {names[1]}" if len(names) > 1 else ""
    report.summary = f"hung in {where}{caller}, interrupts {interrupts}, CPU {state}{mode}"
    report.lines.append(f"RIP={regs.get('RIP', 0):016x} RSP={regs.get('RSP', 0):016x} "
                        f"RBP={regs.get('RBP', 0):016x} RFLAGS={regs.get('RFL', 0):08x} "
                        f"(IF={1 if interrupts == 'on' else 0})")
    report.lines.append("backtrace (frame pointers):")
    report.lines += [f"  [{i}] {frames[i]:016x} {name}" for i, name in enumerate(names)]
    for command, text in chips:
        report.lines.append(f"{command}:")
        # A masked IOAPIC pin says nothing about the hang; the 8259s' IRR/IMR/ISR and the
        # unmasked pins do.
        kept = [line for line in text.strip().splitlines()
                if not (PIN_RE.match(line) and "masked" in line)]
        report.lines += [f"  {line}" for line in kept[:40]]
