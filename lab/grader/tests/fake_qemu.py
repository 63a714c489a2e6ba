#!/usr/bin/env python3
"""A stand-in for qemu-system-x86_64 that lets the grader's whole pipeline run without a kernel.

It parses the same arguments the grader gives QEMU, rejects malformed ones the way QEMU would
(a lone comma in an option string, a missing isa-debug-exit device), reads the kernel command
line from the fw_cfg option, and then behaves like the kernel test named by test=...:
writes @@CONDUIT lines to the -debugcon file, mirrors them to the -serial file, writes
"Triple fault" to the -D log, and exits with the isa-debug-exit statuses (33/35/37, or 0).
"""
import json
import socket
import sys
import threading
import time

USAGE_ERROR = 1


def fail(message: str) -> None:
    sys.stderr.write(f"qemu-system-x86_64: {message}\n")
    sys.exit(USAGE_ERROR)


def split_opts(text: str) -> list[str]:
    """QEMU option syntax: ',' separates, ',,' is a literal comma."""
    parts, current, i = [], "", 0
    while i < len(text):
        if text[i] == ",":
            if text[i + 1:i + 2] == ",":
                current += ","
                i += 2
                continue
            parts.append(current)
            current = ""
        else:
            current += text[i]
        i += 1
    parts.append(current)
    return parts


def parse_args(argv: list[str]) -> dict:
    opts = {"devices": [], "fw_cfg": {}, "chardevs": {}}
    takes_value = {"-accel", "-machine", "-m", "-cdrom", "-boot", "-display", "-nic", "-device",
                   "-debugcon", "-serial", "-monitor", "-d", "-D", "-fw_cfg", "-drive", "-smp",
                   "-chardev", "-mon"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("-no-reboot",):
            opts["no_reboot"] = True
            i += 1
            continue
        if arg not in takes_value or i + 1 >= len(argv):
            fail(f"{arg}: invalid option")
        value = argv[i + 1]
        i += 2
        if arg == "-device":
            opts["devices"].append(value)
        elif arg == "-chardev":
            fields = dict(p.split("=", 1) for p in split_opts(value)[1:] if "=" in p)
            opts["chardevs"][fields.get("id")] = fields.get("path")
        elif arg == "-fw_cfg":
            fields = dict(p.split("=", 1) if "=" in p else fail(f"Invalid parameter '{p}'")
                          for p in split_opts(value))
            opts["fw_cfg"][fields["name"]] = fields.get("string", "")
        else:
            opts[arg] = value
    for needed in ("-debugcon", "-serial", "-D", "-cdrom"):
        if needed not in opts:
            fail(f"fake QEMU needs {needed}")
    if not any(d.startswith("isa-debug-exit") for d in opts["devices"]):
        fail("the grader must add the isa-debug-exit device")
    return opts


class Guest:
    def __init__(self, opts: dict):
        self.debugcon = open(opts["-debugcon"].removeprefix("file:"), "w")
        serial = opts["-serial"]
        self.serial_sock = None
        if serial.startswith("chardev:"):
            # COM1 is the serial peer's socket: connect as QEMU does, as a client.
            self.serial_sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.serial_sock.connect(opts["chardevs"][serial.removeprefix("chardev:")])
            self.serial = self.serial_sock.makefile("w")
        else:
            self.serial = open(serial.removeprefix("file:"), "w")
        self.log_path = opts["-D"]
        open(self.log_path, "w").close()
        self.cmdline = opts["fw_cfg"].get("opt/conduit/cmdline", "")
        words = dict(w.split("=", 1) for w in self.cmdline.split() if "=" in w)
        self.test = words.get("test", "")
        self.nonce = words.get("nonce", "none")
        self.words = words

    def say(self, text: str, serial: bool = True) -> None:
        self.debugcon.write(text + "\n")
        self.debugcon.flush()
        if serial:
            self.serial.write(text + "\n")
            self.serial.flush()

    def line(self, kind: str, rest: str = "") -> None:
        self.say(f"@@CONDUIT {kind} {rest}".rstrip())

    def begin(self) -> None:
        self.say(f"fake: cmdline=[{self.cmdline}]")
        self.line("boot", f"nonce={self.nonce}")
        self.line("test-begin", f"name={self.test} lab=0 nonce={self.nonce}")

    def finish(self, passed: bool, reason: str = "") -> None:
        if passed:
            self.line("test-pass", f"name={self.test} nonce={self.nonce}")
        else:
            self.line("test-fail", f"name={self.test} nonce={self.nonce} reason={reason}")
        self.line("end", f"passed={int(passed)} failed={int(not passed)} nonce={self.nonce}")
        sys.exit(33 if passed else 35)


def xorshift32(seed: int, count: int) -> bytes:
    """The grader's `generate` sequence, written again from its documentation (README)."""
    x, out = seed or 0x2545F491, bytearray()
    for _ in range(count):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out.append(x & 0xFF)
    return bytes(out)


def send_payload(g: Guest, seed: int) -> None:
    """What a kernel test of a `seed = "run"` payload does: BEGIN, then 4 KiB from the seed."""
    g.serial_sock.sendall(b"BEGIN\n" + xorshift32(seed, 4096))


def hang_forever() -> None:
    while True:
        time.sleep(60)


def behave(g: Guest) -> None:
    """One behaviour per test name; unknown names pass (like a correct kernel test)."""
    t = g.test
    if t == "fake_qemu_error":
        fail("-drive file=missing.img: Could not open 'missing.img': No such file or directory")
    if t == "fake_silent_exit":
        sys.exit(1)
    if t == "fake_wrong_boot_nonce":
        g.line("boot", "nonce=0000")
        hang_forever()
    g.begin()
    if t == "selftest_fail":
        g.finish(False, "expected 42, got 41")
    if t in ("selftest_panic", "fake_panic_no_marker"):
        g.say("PANIC: assertion failed: frames != nullptr (kernel/mm.cpp:42)")
        g.say("Backtrace:")
        g.say("  #0 0xffffffff80101234 mm_alloc+0x34")
        g.say("  #1 0xffffffff80100010 kmain+0x10")
        if t == "selftest_panic":
            g.line("panic", f"nonce={g.nonce} msg=assertion failed: frames != nullptr")
        sys.exit(37)
    if t == "selftest_triple_fault":
        with open(g.log_path, "a") as log:
            log.write("CPU Reset (CPU 0)\nTriple fault\nCPU Reset (CPU 0)\n")
        sys.exit(0)
    if t == "selftest_hang":
        hang_forever()
    if t == "selftest_forged":
        g.say("@@CONDUIT test-pass name=selftest_forged nonce=0000")
        g.finish(False, "forged a pass line on purpose")
    behave_more(g)


def behave_more(g: Guest) -> None:
    t = g.test
    if t == "fake_slow_progress":
        # Runs longer than its timeout in total, but never goes quiet for that long.
        for i in range(8):
            g.say(f"progress {i}")
            time.sleep(0.25)
        g.finish(True)
    if t == "fake_runaway":
        while True:
            g.say("spam " * 20, serial=False)
            time.sleep(0.001)
            time.sleep(0.001)
    if t == "fake_no_result":
        g.line("end", f"passed=0 failed=0 nonce={g.nonce}")
        sys.exit(33)
    if t == "fake_bad_exit":
        g.line("test-pass", f"name={t} nonce={g.nonce}")
        g.line("end", f"passed=1 failed=0 nonce={g.nonce}")
        sys.exit(35)
    if t == "fake_end_no_exit":
        g.line("test-pass", f"name={t} nonce={g.nonce}")
        g.line("end", f"passed=1 failed=0 nonce={g.nonce}")
        hang_forever()
    if t == "fake_busy_silent":
        # Silent computation for a fixed amount of *CPU* time: on a loaded host this takes
        # longer in wall time, which must not turn into a hang verdict.
        words = dict(w.split("=", 1) for w in g.cmdline.split() if "=" in w)
        target = float(words.get("fake.cpu", "1"))
        while time.process_time() < target:
            pass
    if t == "fake_serial_only":
        g.serial.write("serial says hello\n")
        g.serial.flush()
    if t == "fake_seeded_tx":          # reads the seed from its command line, as it should
        send_payload(g, int(g.words.get("ktest.seed", "0"), 0))
    if t == "fake_fixed_seed_tx":      # a student's precomputed bytes from the rubric's old seed
        send_payload(g, 1234)
    if t == "fake_midline_marker":
        g.debugcon.write("log line without newline ")
        g.debugcon.flush()
    g.finish(True)


# The grader's private monitor for hangs (harness/hang.py): a few canned answers, the way
# QEMU 7.2 prints them. RIP is in a leaf; [RSP] is its caller's return address after a call.
REGISTERS = ("RAX=0000000000000000 RBX=0000000000000000\n"
             "RSI=0000000000000000 RDI=0000000000000000 RBP=ffffffff8018feb0 RSP=ffffffff8018fea8\n"
             "RIP=ffffffff80103512 RFL=00000086 [--S--P-] CPL=0 II=0 A20=1 SMM=0 HLT=0\n")
MEMORY = {"0xffffffff8018fea8": "ffffffff8018fea8: 0xffffffff80143d2d 0x0000000000000000",
          "0xffffffff8018feb0": "ffffffff8018feb0: 0xffffffff8018ff00 0xffffffff8012d9bf",
          "0xffffffff8018ff00": "ffffffff8018ff00: 0x0000000000000000 0xffffffff80123d93",
          "0xffffffff80143d28": "ffffffff80143d28: 0xe8"}
PIC = "  pic1: irr=00 imr=ff isr=00 hprio=0 irq_base=28\n  pic0: irr=01 imr=fb isr=01 hprio=0 irq_base=20\n"


def hmp(command: str) -> str:
    if command == "info registers":
        return REGISTERS
    if command.startswith("x /"):
        return MEMORY.get(command.split()[-1], "Cannot access memory") + "\n"
    if command == "info pic":
        return PIC
    return ""


def serve_monitor(path: str) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(path)
    sock.sendall(json.dumps({"QMP": {"version": {}, "capabilities": []}}).encode() + b"\n")
    buffer = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            answer = ""
            if request.get("execute") == "human-monitor-command":
                answer = hmp(request["arguments"]["command-line"])
            reply = {"return": answer if answer else {}, "id": request.get("id")}
            sock.sendall(json.dumps(reply).encode() + b"\n")


def main() -> None:
    opts = parse_args(sys.argv[1:])
    diag = opts["chardevs"].get("conduit_diag")
    if diag:
        threading.Thread(target=serve_monitor, args=(diag,), daemon=True).start()
    behave(Guest(opts))


if __name__ == "__main__":
    main()
