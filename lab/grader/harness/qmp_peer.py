"""The `qmp` peer: keystrokes through QMP `send-key`, and the VGA text screen through `pmemsave`.

    [[test.peer]]
    kind = "qmp"
    hold_ms = 20                  # how long each key is held (QEMU's default is 100 ms)
    steps = [
      { after = '@@CONDUIT ready name=kbd_echo nonce=${nonce}', type = "Hello, World\\n" },
      { keys = ["ctrl-u", "shift-a", "caps_lock", "ret"] },
      { after = 'echoed', vga = true },      # snapshot the screen now -> vga-1.txt, vga.txt
      { keys = ["esc"] },                    # the test is waiting for this to finish
    ]
    expect_vga = ['^Hello, World$']          # regexes over the last snapshot (vga.txt)

QEMU connects to the grader's socket at start-up (`-chardev socket,...` plus
`-mon chardev=...,mode=control`), like the serial peer. QEMU exits the moment the kernel writes
isa-debug-exit, so the screen must be read while the test still runs: the test prints a line
when its screen is ready and then waits, for example for a last key.
"""
from __future__ import annotations

import socket
import threading

from . import keys as keymap
from . import vga, watch
from .peers import Peer, register
from .qmp import QmpClient, QmpError

STEP_KEYS = {"after", "delay", "type", "keys", "vga", "hmp"}
ACTIONS = ("type", "keys", "vga", "hmp")
DEFAULT_HOLD_MS = 20
DEFAULT_GAP_MS = 10


def _check_step(step, index: int) -> None:
    what = f"step {index + 1}"
    if not isinstance(step, dict):
        raise ValueError(f"{what} must be a table, e.g. {{ after = '...', type = \"ls\\n\" }}")
    unknown = sorted(set(step) - STEP_KEYS)
    if unknown:
        raise ValueError(f"{what}: unknown key '{unknown[0]}' (known: {', '.join(sorted(STEP_KEYS))})")
    actions = [a for a in ACTIONS if a in step]
    if len(actions) > 1:
        raise ValueError(f"{what}: one action per step, not {' and '.join(actions)}")
    if "after" in step:
        watch.check_regex(step["after"], f"{what} 'after'")
    delay = step.get("delay", 0)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or delay < 0:
        raise ValueError(f"{what}: 'delay' must be a non-negative number of seconds")
    try:
        if "type" in step:
            if not isinstance(step["type"], str) or not step["type"]:
                raise ValueError(f"{what}: 'type' must be a non-empty string")
            keymap.text_keys(step["type"])
        if "keys" in step:
            if not isinstance(step["keys"], list) or not all(isinstance(k, str) for k in step["keys"]):
                raise ValueError(f"{what}: 'keys' must be a list of key names such as \"shift-a\"")
            for combo in step["keys"]:
                keymap.parse_combo(combo)
    except keymap.KeyNameError as err:
        raise ValueError(f"{what}: {err}") from None
    if "vga" in step and not isinstance(step["vga"], (bool, list)):
        raise ValueError(f"{what}: 'vga' must be true or a list of regexes for this snapshot")
    for pattern in step["vga"] if isinstance(step.get("vga"), list) else []:
        watch.check_regex(pattern, f"{what} 'vga'")
    if "hmp" in step and not isinstance(step["hmp"], str):
        raise ValueError(f"{what}: 'hmp' must be a monitor command line")


@register
class QmpPeer(Peer):
    kind = "qmp"
    unique = True
    schema = {"steps": (list, False), "hold_ms": (int, False), "gap_ms": (int, False),
              "expect_vga": (list, False), "reject_vga": (list, False),
              "screendump": (bool, False)}

    @classmethod
    def check(cls, spec: dict) -> None:
        steps = spec.get("steps", [])
        for index, step in enumerate(steps):
            _check_step(step, index)
        if not 1 <= spec.get("hold_ms", DEFAULT_HOLD_MS) <= 10_000:
            raise ValueError("'hold_ms' must be from 1 to 10000 milliseconds")
        if not 0 <= spec.get("gap_ms", 0) <= 10_000:
            raise ValueError("'gap_ms' must be from 0 to 10000 milliseconds")
        for key in ("expect_vga", "reject_vga"):
            for pattern in spec.get(key, []):
                watch.check_regex(pattern, f"'{key}'")
            if spec.get(key) and not any(s.get("vga") for s in steps):
                raise ValueError(f"'{key}' needs a step with vga = true that reads the screen "
                                 "while the test still runs")

    def __init__(self, spec: dict, ctx):
        super().__init__(spec, ctx)
        self.steps = list(spec.get("steps", []))
        self.log = watch.StepLog(len(self.steps))
        self.stop = threading.Event()
        self.hold = spec.get("hold_ms", DEFAULT_HOLD_MS)
        self.gap = spec.get("gap_ms", DEFAULT_GAP_MS)
        self.listener: socket.socket | None = None
        self.conn: socket.socket | None = None
        self.thread: threading.Thread | None = None
        self.snapshots: list[tuple[int, str]] = []     # (step index, screen text)
        self.keys_sent = self._seen = 0

    def prepare(self) -> list[str]:
        path = self.ctx.short_dir() / "qmp.sock"
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(1)
        self.listener.settimeout(0.1)
        self.qmp_log = open(self.ctx.testdir / "qmp.log", "w")
        escaped = str(path).replace(",", ",,")
        return ["-chardev", f"socket,id=conduit_qmp,path={escaped}",
                "-mon", "chardev=conduit_qmp,mode=control"]

    def started(self, pid: int) -> None:
        self.thread = threading.Thread(target=self._main, name="qmp-peer", daemon=True)
        self.thread.start()

    def poll(self) -> bool:
        progressed, self._seen = self.keys_sent != self._seen, self.keys_sent
        return progressed

    def finish(self) -> list[str]:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        if self.conn is None and self.steps:
            return ["QEMU never connected to the QMP socket (see qemu-stderr.log)"]
        problems = self.log.unfinished(self._describe_step, lambda i: self.steps[i].get("after"))
        for index, text in self.snapshots:
            wanted = self.steps[index]["vga"]
            if isinstance(wanted, list):
                problems += vga.check_screen(text, wanted, [], f"step {index + 1}")
        if self.snapshots and (self.spec.get("expect_vga") or self.spec.get("reject_vga")):
            problems += vga.check_screen(self.snapshots[-1][1], self.spec.get("expect_vga", []),
                                         self.spec.get("reject_vga", []), "vga.txt")
        return problems

    def close(self) -> None:
        self.stop.set()
        for sock in (self.conn, self.listener):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        if self.thread is not None:
            self.thread.join(timeout=5)
        for sock in (self.conn, self.listener):
            if sock is not None:
                sock.close()
        if hasattr(self, "qmp_log"):
            self.qmp_log.close()

    # --- the worker thread ----------------------------------------------------------------

    def _main(self) -> None:
        self.conn = watch.accept_until_stopped(self.listener, self.stop)
        if self.conn is None:
            return
        client = QmpClient(self.conn, self.qmp_log)
        outputs = watch.OutputWatch(self.ctx.testdir, self.stop)
        try:
            client.handshake()
            self._run_steps(client, outputs)
        except QmpError as err:
            self.log.error = self._failure(err)
        finally:
            outputs.close()

    def _run_steps(self, client: QmpClient, outputs: watch.OutputWatch) -> None:
        for index, step in enumerate(self.steps):
            self.log.state[index] = "waiting"
            if "after" in step:
                regex = watch.compile_for_run(step["after"], self.ctx.nonce, self.ctx.test_id)
                if not outputs.wait(regex):
                    return
            if not watch.sleep(self.stop, float(step.get("delay", 0))):
                return
            self.log.state[index] = "running"
            if "type" in step or "keys" in step:
                combos = keymap.text_keys(step["type"]) if "type" in step else \
                    [keymap.parse_combo(c) for c in step["keys"]]
                if not self._press(client, combos):
                    return
            elif step.get("vga"):
                self._snapshot(client, index)
            elif "hmp" in step:
                client.hmp(step["hmp"])
            self.log.done[index] = True

    def _press(self, client: QmpClient, combos: list[list[str]]) -> bool:
        """One send-key per combination. QEMU queues the press, the hold and the release on a
        timer and answers at once, and drops keys when its queue is full, so wait until each
        key has been released (every key pressed and released with a hold in between)."""
        for combo in combos:
            client.send_key(combo, self.hold)
            self.keys_sent += 1
            if not watch.sleep(self.stop, (2 * len(combo) * self.hold + self.gap) / 1000):
                return False
        return True

    def _snapshot(self, client: QmpClient, index: int) -> None:
        number = len(self.snapshots) + 1
        raw = self.ctx.testdir / f"vga-{number}.bin"
        try:
            client.execute("pmemsave", {"val": vga.BASE, "size": vga.SIZE, "filename": str(raw)})
            data = raw.read_bytes()
        except (QmpError, OSError):
            data = vga.parse_xp(client.hmp(f"xp /{vga.SIZE // 2}hx {vga.BASE:#x}"))
            raw.write_bytes(data)
        text = vga.screen_text(data)
        for name in (f"vga-{number}.txt", "vga.txt"):
            (self.ctx.testdir / name).write_text(text, encoding="utf-8")
        (self.ctx.testdir / f"vga-{number}.attr.txt").write_text(
            "\n".join(vga.attribute_lines(data)) + "\n")
        self.snapshots.append((index, text))
        if self.spec.get("screendump"):
            client.execute("screendump", {"filename": str(self.ctx.testdir / f"screen-{number}.png"),
                                          "format": "png"})

    def _failure(self, err: QmpError) -> str:
        running = [i for i, state in enumerate(self.log.state) if state == "running"]
        if not err.disconnected:
            return f"QMP: {err}"
        if not running:
            return f"QEMU closed its QMP connection ({err})"
        # Typically the test ended (isa-debug-exit) while the grader was still typing or
        # reading the screen.
        return (f"{self._describe_step(running[-1])} could not finish: QEMU exited meanwhile. "
                "The test must keep running (e.g. wait for a last key) until the grader is done")

    def _describe_step(self, index: int) -> str:
        step = self.steps[index]
        if "type" in step:
            return f"keyboard step {index + 1} (typing {step['type'][:30]!r})"
        if "keys" in step:
            return f"keyboard step {index + 1} (keys {', '.join(step['keys'][:6])})"
        if step.get("vga"):
            return f"step {index + 1} (VGA snapshot)"
        return f"step {index + 1}"
