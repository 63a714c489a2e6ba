"""From what a run printed and how it ended to one verdict with a reason a student can act on.

The checks go from the most to the least specific explanation: a forged result line first
(integrity beats everything), then a panic, a triple fault, a kernel that never booted, a
hang, and only then the test's own result line, exit status and expected output.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import host_test
from .protocol import (BACKTRACE_RE, EXIT_FAILED, EXIT_NAMES, EXIT_PANIC, EXIT_PASSED,
                       Transcript, parse_log, panic_report)
from .rubric import expand_pattern
from .runner import MAX_OUTPUT_BYTES, RunRecord


@dataclass
class Verdict:
    kind: str                                         # one of rubric.VERDICT_KINDS
    reason: str                                       # one line: "expected ..., got ..."
    report: list[str] = field(default_factory=list)   # the panic report, if any
    notes: list[str] = field(default_factory=list)    # secondary observations

    @property
    def backtrace(self) -> list[str]:
        return [line for line in self.report if BACKTRACE_RE.match(line)]


def describe_exit(status: int | None) -> str:
    if status is None:
        return "none (QEMU was stopped by the grader)"
    if status < 0:
        return f"killed by signal {-status}"
    return f"{status} ({EXIT_NAMES.get(status, 'not a status the kernel uses')})"


def _last_line(text: str) -> str:
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()[:160]
    return "(nothing)"


def judge(record: RunRecord) -> Verdict:
    if record.test.host_test is not None:
        return host_test.judge(record, Verdict)
    if record.error:
        return Verdict("boot-failure", record.error)
    transcript = Transcript(record.nonce, parse_log(record.debugcon))
    verdict = _judge_genuine(record, transcript)
    # Host-side checks (serial, keyboard, mechanism) also explain a hang or a failure.
    verdict.notes += [f"host-side check: {p}" for p in record.problems if p not in verdict.reason]
    forged = transcript.forged
    if forged:
        first = forged[0]
        shown = first.nonce if first.nonce is not None else "(none)"
        reason = (f"result line with nonce={shown} instead of this run's nonce (debugcon.log line "
                  f"{first.lineno}: '{first.line.strip()[:120]}'): results only count when the "
                  "kernel's test framework prints them")
    else:
        reason = protocol_problem(transcript, record.test.name)
        if reason is None:
            return verdict
    notes = [f"without the forged line the verdict would be {verdict.kind}: {verdict.reason}"]
    return Verdict("forged", reason, verdict.report, notes + verdict.notes)


def protocol_problem(transcript: Transcript, name: str) -> str | None:
    """The runner's protocol, checked on the lines that carry this run's nonce: one boot, one
    begin and at most one result for the test the grader asked for and for no other, at most
    one end line, whose counts agree with the result. A run that breaks it printed protocol
    lines of its own: student code knows the nonce (it runs in ring 0), so only the shape of
    the transcript can tell. None when the transcript is well-formed."""
    def at(event) -> str:
        return f" (debugcon.log line {event.lineno}: '{event.line.strip()[:120]}')"

    events = transcript.genuine
    for kind in ("boot", "test-begin", "end", "panic"):
        seen = [e for e in events if e.kind == kind]
        if len(seen) > 1:
            return f"the run printed {len(seen)} '{kind}' lines, the runner prints one{at(seen[1])}"
    for event in events:
        if event.kind in ("test-begin", "test-pass", "test-fail") and event.get("name") != name:
            return (f"the run reported test '{event.get('name')}', but the grader asked only "
                    f"for {name}{at(event)}")
    results = [e for e in events if e.kind in ("test-pass", "test-fail")]
    if len(results) > 1:
        return f"the run printed {len(results)} results for {name}, the runner prints one{at(results[1])}"
    begin = transcript.first("test-begin")
    # The runner reports an unknown test as a test-fail without a begin; a pass never.
    if results and results[0].kind == "test-pass" and (begin is None or begin.lineno > results[0].lineno):
        return f"a pass for {name} without its test-begin line before it{at(results[0])}"
    end = transcript.first("end")
    if end is not None:
        before = [e for e in results if e.lineno < end.lineno]
        passed = sum(e.kind == "test-pass" for e in before)
        failed = sum(e.kind == "test-fail" for e in before)
        counts = (end.get("passed"), end.get("failed"))
        if counts != (str(passed), str(failed)) or len(before) != len(results):
            return (f"the end line says passed={counts[0]} failed={counts[1]}, but the run "
                    f"reported {passed} pass and {failed} fail before it{at(end)}")
    return None


def _judge_genuine(record: RunRecord, transcript: Transcript) -> Verdict:
    # A kernel that hangs before its boot line is better described as not booting.
    for check in (_panic, _triple_fault, _boot_failure, _hang):
        verdict = check(record, transcript)
        if verdict is not None:
            return verdict
    return _result(record, transcript)


def _panic(record: RunRecord, transcript: Transcript) -> Verdict | None:
    event = transcript.first("panic")
    if event is None and record.exit_status != EXIT_PANIC:
        return None
    report = panic_report(record.debugcon, event)
    if event is not None:
        message = event.get("msg", "(no message)")
    else:
        # Exit 37 without a genuine marker: a panic before the nonce was known, for example.
        heads = [line for line in report if "PANIC:" in line]
        message = heads[0].split("PANIC:", 1)[1].strip() if heads else "(no PANIC: line found)"
    verdict = Verdict("panic", f"kernel panic: {message}", report)
    if record.stop == "grace":
        verdict.notes.append("QEMU did not exit after the panic (expected exit status 37)")
    return verdict


def _triple_fault(record: RunRecord, transcript: Transcript) -> Verdict | None:
    if record.stop != "exit" or record.exit_status != 0 or "Triple fault" not in record.qemu_log:
        return None
    where = "before the kernel printed its boot line" if transcript.first("boot") is None \
        else f"after the output line '{_last_line(record.debugcon)}'"
    return Verdict("triple-fault", f"the CPU triple-faulted (an exception while handling an "
                   f"exception, e.g. a bad IDT or stack) {where}; see qemu.log")


def _hang(record: RunRecord, transcript: Transcript) -> Verdict | None:
    if record.stop == "hang":
        reason = (f"no output for {record.idle_time:.1f}s (timeout {record.test.timeout:g}s "
                  f"without progress); last output: '{_last_line(record.debugcon)}'")
    elif record.stop == "runaway":
        reason = (f"still running after {record.busy_time:.1f}s and {record.output_bytes} bytes of "
                  f"output (cap {record.test.max_time:g}s or {MAX_OUTPUT_BYTES >> 20} MiB): "
                  "an output loop?")
    else:
        return None
    if record.hang is not None and record.hang.summary:
        reason += f"; {record.hang.summary}"
    verdict = Verdict("hang", reason, list(record.hang.lines) if record.hang else [])
    if transcript.first("test-pass", record.test.name):
        verdict.notes.append("the test printed test-pass but the run never printed its end line")
    return verdict


def _boot_failure(record: RunRecord, transcript: Transcript) -> Verdict | None:
    if transcript.first("boot") is not None:
        return None
    other = next((e for e in transcript.events if e.kind == "boot"), None)
    if other is not None:
        reason = (f"the boot line carries nonce={other.nonce} but this run's nonce is "
                  f"{record.nonce}: does the kernel read opt/conduit/cmdline from fw_cfg?")
    elif record.stop == "exit" and record.exit_status not in (0, EXIT_PASSED, EXIT_FAILED) \
            and record.stderr.strip():
        return Verdict("boot-failure", f"QEMU failed (exit status {record.exit_status}): "
                       f"{_last_line(record.stderr)}")
    elif not record.debugcon.strip():
        reason = "no output at all on the debug console. Does the ISO boot (make run)?"
    else:
        reason = (f"the kernel never printed '@@CONDUIT boot nonce=...'; last output: "
                  f"'{_last_line(record.debugcon)}'")
    return Verdict("boot-failure", f"{reason} ({_how_it_ended(record)})")


def _how_it_ended(record: RunRecord) -> str:
    if record.stop == "hang":
        return f"then no output for {record.idle_time:.1f}s"
    if record.stop == "runaway":
        return f"still running after {record.busy_time:.1f}s"
    return f"QEMU exit status {describe_exit(record.exit_status)}"


def _result(record: RunRecord, transcript: Transcript) -> Verdict:
    name = record.test.name
    status = describe_exit(record.exit_status)
    failed = transcript.first("test-fail", name)
    if failed is not None:
        verdict = Verdict("fail", failed.get("reason", "(no reason given)"))
        if record.exit_status != EXIT_FAILED:
            verdict.notes.append(f"QEMU exit status was {status}, expected {EXIT_FAILED}")
        return verdict
    if transcript.first("test-pass", name) is None:
        return _no_result(record, transcript)
    end = transcript.first("end")
    if end is None:
        return Verdict("no-result", f"{name} passed but the run did not finish: no "
                       f"'@@CONDUIT end' line; QEMU exit status {status}")
    if end.get("failed") not in ("", "0"):
        return Verdict("bad-exit", f"{name} passed but the end line says failed="
                       f"{end.get('failed')} (line {end.lineno})")
    if record.stop == "grace":
        return Verdict("bad-exit", f"the end line was printed but QEMU did not exit within "
                       f"{record.grace:g}s: is isa-debug-exit (port 0xf4) written?")
    if record.exit_status != EXIT_PASSED:
        return Verdict("bad-exit", f"expected QEMU exit status {EXIT_PASSED} (all tests "
                       f"passed), got {status}")
    problem = output_problem(record)
    return Verdict("fail", problem) if problem else Verdict("pass", "passed")


def _no_result(record: RunRecord, transcript: Transcript) -> Verdict:
    name = record.test.name
    status = describe_exit(record.exit_status)
    others = sorted({e.get("name") for e in transcript.genuine
                     if e.kind in ("test-pass", "test-fail", "test-begin")} - {name})
    if transcript.first("test-begin", name) is not None:
        reason = f"{name} started but printed no test-pass or test-fail line; QEMU exit status {status}"
    elif others:
        reason = (f"expected a result for {name}, but the kernel ran {', '.join(others)} "
                  "(is the test registered under this name?)")
    else:
        reason = f"no result line for {name} (the kernel never started it); QEMU exit status {status}"
    return Verdict("no-result", reason)


def pattern_problem(record: RunRecord) -> str | None:
    """The rubric's expect/reject patterns over debugcon.log and serial.log; None when all hold."""
    test = record.test
    logs = {"debugcon": record.debugcon.replace("\r\n", "\n"),
            "serial": record.serial.replace("\r\n", "\n")}
    for pattern in test.expect:
        regex = re.compile(expand_pattern(pattern, record.nonce, test.name), re.MULTILINE)
        if not any(regex.search(text) for text in logs.values()):
            return f"no output matched /{pattern}/ (searched debugcon.log and serial.log)"
    for pattern in test.reject:
        regex = re.compile(expand_pattern(pattern, record.nonce, test.name), re.MULTILINE)
        for log, text in logs.items():
            match = regex.search(text)
            if match:
                line = text[text.rfind("\n", 0, match.start()) + 1:].split("\n", 1)[0]
                return f"output must not match /{pattern}/, but {log}.log has '{line.strip()[:120]}'"
    return None


def output_problem(record: RunRecord) -> str | None:
    """The rubric's expect/reject patterns and the peers' (host-side) checks; None when all hold."""
    problem = pattern_problem(record)
    if problem:
        return problem
    if record.problems:
        return "; ".join(record.problems)
    return None


def _reason_matches(pattern: str, verdict: Verdict, record: RunRecord) -> bool:
    """expect_reason may name the verdict's reason or any host-side check's message: a wrong
    driver that also fails an in-guest check is still caught by the check that names its bug."""
    return any(re.search(pattern, text) for text in [verdict.reason, *record.problems])


def is_success(record: RunRecord, verdict: Verdict) -> tuple[bool, str]:
    """Whether the test earns its points, with the reason to show when it does not.

    Normal tests pass on a pass verdict. Grader self-tests declare the behaviour they provoke
    (expect_outcome), so a kernel that panics on purpose is a passing self-test, and a
    purpose-made wrong driver whose mechanism (or serial, disk, ...) check fails is a passing
    self-test of that check: host-side failures are part of the outcome, not an error."""
    test = record.test
    if test.expect_outcome is None:
        return verdict.kind == "pass", verdict.reason
    if verdict.kind != test.expect_outcome:
        return False, f"expected outcome {test.expect_outcome}, got {verdict.kind}: {verdict.reason}"
    if test.expect_reason and not _reason_matches(test.expect_reason, verdict, record):
        return False, (f"outcome {verdict.kind} as expected, but the reason does not match "
                       f"/{test.expect_reason}/: {verdict.reason}")
    # A deliberate crash still has to look right: the patterns describe the crash report.
    problem = pattern_problem(record) if verdict.kind != "pass" else None
    if problem:
        return False, f"outcome {verdict.kind} as expected, but {problem}"
    return True, f"{verdict.kind}, as expected"
