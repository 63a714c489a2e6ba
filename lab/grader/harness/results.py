"""One graded test (run record + verdict + points), and totals per suite."""
from __future__ import annotations

from dataclasses import dataclass

from .qemu import RunOptions, rerun_hint
from .rubric import Suite, TestCase
from .runner import RunRecord
from .symbolize import symbolize
from .verdict import Verdict, is_success, judge

TAIL_LINES = 15


@dataclass
class Result:
    record: RunRecord
    verdict: Verdict
    passed: bool
    reason: str          # the verdict's reason, or the self-test comparison
    rerun: str

    @property
    def test(self) -> TestCase:
        return self.record.test

    @property
    def score(self) -> float:
        return self.test.points if self.passed else 0.0

    def tail(self, count: int = TAIL_LINES) -> tuple[str, list[str]]:
        """The last lines of output: the debug console has everything the kernel logs;
        serial only matters when the debug console stayed empty."""
        first = "host.log" if self.test.host_test is not None else "debugcon.log"
        for name, text in ((first, self.record.debugcon), ("serial.log", self.record.serial),
                           ("qemu-stderr.log", self.record.stderr)):
            lines = [line.rstrip("\r") for line in text.splitlines()]
            if any(line.strip() for line in lines):
                return name, lines[-count:]
        return "debugcon.log", []


KEEP_BYTES = 256 << 10


def _keep_end(text: str) -> str:
    return text if len(text) <= KEEP_BYTES else text[-KEEP_BYTES:]


def evaluate(record: RunRecord, options: RunOptions) -> Result:
    verdict = judge(record)
    wrap = options.sandbox.wrap if options.sandbox is not None else None
    if verdict.kind != "hang":          # a hang's report is symbolized already (hang.py)
        verdict.report = symbolize(verdict.report, options.kernel_elf, options.root, wrap)
    # The verdict has seen everything; from here on only the tail is shown, and holding up
    # to 64 MiB per runaway test until the end of a long run would waste memory.
    record.debugcon, record.serial = _keep_end(record.debugcon), _keep_end(record.serial)
    passed, reason = is_success(record, verdict)
    return Result(record=record, verdict=verdict, passed=passed, reason=reason,
                  rerun=rerun_hint(record.test, options.root, record.seed))


@dataclass
class SuiteTotal:
    suite: Suite
    results: list[Result]

    @property
    def score(self) -> float:
        return sum(r.score for r in self.results)

    @property
    def max_score(self) -> float:
        return sum(r.test.points for r in self.results)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def by_suite(results: list[Result]) -> list[SuiteTotal]:
    """Groups results in rubric order (the order the caller ran them in)."""
    groups: dict[str, list[Result]] = {}
    suites: dict[str, Suite] = {}
    for result in results:
        key = str(result.test.suite.path)
        groups.setdefault(key, []).append(result)
        suites[key] = result.test.suite
    return [SuiteTotal(suites[key], group) for key, group in groups.items()]


def fmt_points(value: float) -> str:
    """Whole numbers print without decimals; shares of split variants keep two."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"
