"""Host unit tests as graded tests: `host_test = "[tag]"` in a rubric's [[test]].

Some behaviour cannot be staged in QEMU on demand (two interrupt causes pending at once, a
device that never answers, an overrun at an exact byte). The labs grade it with register-level
device models in the host unit tests (tests/unit/, Catch2, ASan+UBSan): the driver code under
test compiles for the host against a model. A rubric entry

    [[test]]
    name = "uart_iir_loop_two_causes"
    points = 2
    host_test = "[uart16550][iir]"          # a Catch2 test spec: tags, names, wildcards
    description = "the top half serves every pending cause before it returns"

runs `build/host/unit_tests SPEC` once (no QEMU) and grades it like an in-kernel test, with
the same verdicts, points, report and results.json:

    pass          every matched test case passed (at least one matched)
    fail          an assertion failed: its expression, expansion and file:line are the reason
    panic         the binary crashed: a sanitizer report (heap overflow, UB, leak) or a signal
    hang          no output for `timeout` seconds (the same load-independent clock as QEMU runs)
    no-result     the spec matched no test case (the rubric and the tests disagree)
    boot-failure  the binary is missing or could not be started (make unit-tests-build)

Output: host.log (the binary's stdout and stderr), report.xml (Catch2's XML report) and cmd.txt
in the test's directory.
"""
from __future__ import annotations

import re
import shlex
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from .clock import ProgressClock

POLL_SECONDS = 0.05
LOG_LIMIT = 16 << 20
SANITIZER_RE = re.compile(r"^(?:==\d+==)?\s*(?:ERROR|WARNING): (\w+Sanitizer: .*)$|"
                          r"^(.*runtime error: .*)$", re.MULTILINE)


@dataclass
class HostReport:
    """What Catch2's XML report says; parsed leniently, since a crash truncates it."""
    cases: int = 0
    failed_cases: int = 0
    failures: list[str] = field(default_factory=list)     # "expansion (file:line)"
    fatal: str | None = None                              # a signal Catch2 caught
    complete: bool = False                                # the report has its totals


def command(test, options) -> list[str]:
    binary = str(options.host_tests)
    return [binary, "-r", "xml", "-o", "report.xml", "-w", "NoTests", test.host_test]


def parse_report(text: str) -> HostReport:
    report = HostReport()
    if not text.strip():
        return report
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        root = _parse_truncated(text)
        if root is None:
            return report
    else:
        report.complete = root.find("OverallResultsCases") is not None
    for case in root.iter("TestCase"):
        report.cases += 1
        result = case.find("OverallResult")
        if result is not None and result.get("success") == "false":
            report.failed_cases += 1
        for node in case.iter():
            message = _failure(node)
            if message and len(report.failures) < 20:
                report.failures.append(f"{case.get('name', '?')}: {message}")
            if node.tag == "FatalErrorCondition" and report.fatal is None:
                report.fatal = (node.text or "").strip() or "fatal error"
    return report


def _parse_truncated(text: str) -> ET.Element | None:
    """A crashed run leaves the XML unfinished: parse what there is, closing what is open."""
    parser = ET.XMLPullParser(events=("start", "end"))
    stack: list[str] = []
    try:
        parser.feed(text)
        for event, element in parser.read_events():
            if event == "start":
                stack.append(element.tag)
            else:
                stack.pop()
    except ET.ParseError:
        pass
    closing = "".join(f"</{tag}>" for tag in reversed(stack))
    cut = text.rfind(">") + 1
    try:
        return ET.fromstring(text[:cut] + closing)
    except ET.ParseError:
        return None


def _where(node: ET.Element) -> str:
    file, line = node.get("filename", ""), node.get("line", "")
    return f" ({Path(file).name}:{line})" if file else ""


def _failure(node: ET.Element) -> str | None:
    if node.tag == "Expression" and node.get("success") == "false":
        original = (node.findtext("Original") or "").strip()
        expanded = (node.findtext("Expanded") or "").strip()
        what = f"{node.get('type', 'CHECK')}({original})"
        if expanded and expanded != original:
            what += f" with expansion {expanded}"
        return what + _where(node)
    if node.tag in ("Failure", "Exception", "FatalErrorCondition"):
        return f"{(node.text or '').strip() or node.tag}{_where(node)}"
    return None


FRAME_RE = re.compile(r"^\s*#0 0x[0-9a-f]+ in (.+)$", re.MULTILINE)


def _sanitizer_line(log: str) -> str | None:
    """The sanitizer's one-line verdict, with the innermost frame ("in f file:line")."""
    match = SANITIZER_RE.search(log)
    if match is None:
        return None
    line = (match.group(1) or match.group(2)).strip()[:200]
    frame = FRAME_RE.search(log, match.end())
    return f"{line}, in {frame.group(1).strip()[:160]}" if frame else line


def run(test, options, registry, record) -> None:
    """Runs the binary for `test` into record (stop, exit_status, debugcon, host report)."""
    testdir = record.testdir
    argv = record.argv = command(test, options)
    if options.sandbox is not None:
        options.sandbox.adopt(testdir)
        argv = options.sandbox.wrap(argv, [testdir], cwd=testdir)
    (testdir / "cmd.txt").write_text(
        f"# Conduit grader: {test.suite.name}/{test.id}  (host unit test {test.host_test})\n"
        f"# Run it again from the tree's top directory:\n"
        f"{shlex.join([str(options.host_tests), test.host_test])}\n")
    if not options.host_tests.is_file():
        record.stop, record.error = "error", (
            f"no host test binary at {options.host_tests}: build it with make unit-tests-build")
        return
    log_path = testdir / "host.log"
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.Popen(argv, cwd=testdir, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        except OSError as err:
            record.stop, record.error = "error", f"cannot start {argv[0]}: {err.strerror}"
            return
    registry.add(proc)
    try:
        _watch(proc, test, options, record, [log_path, testdir / "report.xml"])
    finally:
        registry.kill(proc)
    record.exit_status = proc.returncode if record.stop == "exit" else None


def _watch(proc, test, options, record, files: list[Path]) -> None:
    clock = ProgressClock(proc.pid)
    sizes = [0] * len(files)
    timeout = test.timeout * options.timeout_scale
    max_time = test.max_time * options.timeout_scale
    while True:
        now = [p.stat().st_size if p.exists() else 0 for p in files]
        clock.tick(now != sizes)
        sizes = now
        if proc.poll() is not None:
            record.stop = "exit"
        elif clock.idle > timeout:
            record.stop = "hang"
        elif clock.total > max_time or sizes[0] > LOG_LIMIT or clock.wall > 10 * max_time:
            record.stop = "runaway"
        else:
            time.sleep(POLL_SECONDS)
            continue
        record.busy_time, record.idle_time = clock.total, clock.idle
        record.output_bytes = sum(sizes)
        return


def read_outputs(record) -> None:
    record.debugcon = _read(record.testdir / "host.log", LOG_LIMIT)
    record.host = parse_report(_read(record.testdir / "report.xml", LOG_LIMIT))


def _read(path: Path, limit: int) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(limit).decode("utf-8", errors="replace")
    except OSError:
        return ""


def judge(record, verdict_type):
    """The verdict of a host test run (verdict_type is verdict.Verdict, passed in to keep the
    import graph one-way)."""
    V = verdict_type
    if record.error:
        return V("boot-failure", record.error)
    report: HostReport = record.host or HostReport()
    spec = record.test.host_test
    if record.stop == "hang":
        return V("hang", f"host test {spec}: no output for {record.idle_time:.1f}s (timeout "
                 f"{record.test.timeout:g}s without progress); last output: "
                 f"'{_last_line(record.debugcon)}'")
    if record.stop == "runaway":
        return V("hang", f"host test {spec}: still running after {record.busy_time:.1f}s "
                 f"(cap {record.test.max_time:g}s) or too much output")
    sanitizer = _sanitizer_line(record.debugcon)
    status = record.exit_status
    if sanitizer or report.fatal or (status is not None and status < 0):
        why = sanitizer or report.fatal or f"killed by signal {-status}"
        where = f" in {report.failures[-1]}" if report.failures else ""
        return V("panic", f"host test {spec} crashed: {why}{where}",
                 notes=report.failures[:5])
    if report.failures or report.failed_cases:
        first = report.failures[0] if report.failures else "a test case failed"
        more = len(report.failures) - 1
        return V("fail", first + (f" (and {more} more failed check{'s' if more > 1 else ''})"
                                  if more > 0 else ""), notes=report.failures[1:6])
    if report.cases == 0:
        return V("no-result", f"the host test spec {spec} matched no test case "
                 "(build/host/unit_tests --list-tests lists them)")
    if status != 0 or not report.complete:
        return V("bad-exit", f"host test {spec}: every check passed but the binary exited with "
                 f"status {status}" + ("" if report.complete else " before finishing its report"))
    return V("pass", "passed")


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()[:160]
    return "(nothing)"
