"""Machine-readable results: the grader's own results.json, JUnit XML, Gradescope JSON."""
from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path

from .results import Result, SuiteTotal

SCHEMA = "conduit-grade-results/1"

# XML 1.0 cannot carry most control characters at all, and kernel output may contain them
# (a stray NUL, terminal escapes). Drop them rather than write a file CI cannot parse.
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return _XML_BAD.sub("", text)


def finite(value):
    """A copy fit for strict JSON: NaN and infinities (which json.dumps would write as the
    invalid tokens NaN and Infinity) become null. Rubrics refuse such points already; this
    keeps every results file valid JSON whatever a caller puts in."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def dumps(doc) -> str:
    return json.dumps(finite(doc), indent=2, allow_nan=False) + "\n"


def _write(path: Path, text: str) -> None:
    """Write-then-rename, so a reader (CI, a watching script) never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def result_dict(result: Result) -> dict:
    test, record, verdict = result.test, result.record, result.verdict
    source, tail = result.tail()
    return {
        "suite": test.suite.name, "lab": test.suite.lab, "id": test.id, "name": test.name,
        "variant": test.variant, "points": test.points, "score": result.score,
        "passed": result.passed, "verdict": verdict.kind, "reason": result.reason,
        "verdict_reason": verdict.reason, "notes": verdict.notes,
        "expect_outcome": test.expect_outcome, "panic_report": verdict.report,
        "exit_status": record.exit_status, "stop": record.stop,
        "wall_time": round(record.wall_time, 3), "busy_time": round(record.busy_time, 3),
        "nonce": record.nonce, "seed": record.seed, "machine": test.machine, "logdir": str(record.testdir),
        "command": record.argv, "rerun": result.rerun, "tail_source": source, "tail": tail,
    }


def results_json(totals: list[SuiteTotal], meta: dict) -> str:
    results = [r for t in totals for r in t.results]
    doc = {
        "schema": SCHEMA,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        **meta,
        "summary": {"passed": sum(t.passed for t in totals),
                    "failed": sum(t.failed for t in totals),
                    "score": sum(t.score for t in totals),
                    "max_score": sum(t.max_score for t in totals)},
        "suites": [{"name": t.suite.name, "title": t.suite.title, "lab": t.suite.lab,
                    "rubric": str(t.suite.path), "score": t.score, "max_score": t.max_score,
                    "passed": t.passed, "failed": t.failed} for t in totals],
        "tests": [result_dict(r) for r in results],
    }
    return dumps(doc)


def _failure_text(result: Result) -> str:
    parts = [result.reason] + [f"note: {n}" for n in result.verdict.notes]
    if result.verdict.report:
        title = "where it hung:" if result.verdict.kind == "hang" else "panic report:"
        parts += ["", title] + result.verdict.report
    source, tail = result.tail()
    parts += ["", f"last lines of {source}:"] + tail
    parts += ["", f"logs: {result.record.testdir}", f"rerun: {result.rerun}"]
    return "\n".join(parts)


def junit_xml(totals: list[SuiteTotal]) -> str:
    root = ET.Element("testsuites", name="conduit")
    for total in totals:
        suite_el = ET.SubElement(root, "testsuite", name=total.suite.name,
                                 tests=str(len(total.results)), failures=str(total.failed),
                                 errors="0", skipped="0",
                                 time=f"{sum(r.record.wall_time for r in total.results):.3f}")
        for result in total.results:
            case = ET.SubElement(suite_el, "testcase", name=result.test.id,
                                 classname=f"conduit.{total.suite.name}",
                                 time=f"{result.record.wall_time:.3f}")
            if not result.passed:
                failure = ET.SubElement(case, "failure", type=result.verdict.kind,
                                        message=_xml_text(result.reason[:500]))
                failure.text = _xml_text(_failure_text(result))
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n".join(result.tail(40)[1]))
    root.set("tests", str(sum(len(t.results) for t in totals)))
    root.set("failures", str(sum(t.failed for t in totals)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def gradescope_json(totals: list[SuiteTotal], wall_time: float) -> str:
    """Gradescope's autograder results.json: one entry per test with score and max_score."""
    tests = []
    for total in totals:
        label = f"lab {total.suite.lab}" if total.suite.lab is not None else total.suite.name
        for number, result in enumerate(total.results, start=1):
            entry = {
                "name": f"{label}: {result.test.id}",
                "score": result.score, "max_score": result.test.points,
                "status": "passed" if result.passed else "failed",
                "output": ("passed" if result.passed else _failure_text(result)),
                "output_format": "text",
            }
            if result.test.hidden:
                entry["visibility"] = "after_published"
            if total.suite.lab is not None:
                entry["number"] = f"{total.suite.lab}.{number}"
            tests.append(entry)
    doc = {"score": sum(t.score for t in totals), "execution_time": int(round(wall_time)),
           "output": ", ".join(f"{t.suite.name}: {t.score:g}/{t.max_score:g}" for t in totals),
           "tests": tests}
    return dumps(doc)


def write_all(totals: list[SuiteTotal], meta: dict, out: Path, json_path: Path | None,
              junit_path: Path | None, gradescope_path: Path | None, wall_time: float) -> list[Path]:
    written = []
    text = results_json(totals, meta)
    for path in {out / "results.json", json_path} - {None}:
        _write(path, text)
        written.append(path)
    if junit_path is not None:
        _write(junit_path, junit_xml(totals))
        written.append(junit_path)
    if gradescope_path is not None:
        _write(gradescope_path, gradescope_json(totals, wall_time))
        written.append(gradescope_path)
    return written
