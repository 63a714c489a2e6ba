"""Rubric manifests (rubric.toml): loading, validation and expansion into runnable test cases.

A manifest describes one suite: a lab, the kernel core tests or the grader's self-tests. Each
[[test]] becomes one QEMU boot, or one boot per [[test.variant]]. Validation is strict (unknown
keys are errors) because a typo such as `timout = 60` would otherwise be silently ignored and
only show up as a flaky grade weeks later.
"""
from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from . import payload, peers, student
from .toml_lines import Lines, line_of_offset

VERDICT_KINDS = ("pass", "fail", "panic", "triple-fault", "hang", "forged",
                 "no-result", "bad-exit", "boot-failure")

DEFAULTS = {"machine": "q35", "memory": "128M", "timeout": 15.0, "max_time": None,
            "args": (), "cmdline": ""}

# Words the grader itself puts on the kernel command line; a rubric must not fight over them.
RESERVED_CMDLINE_KEYS = ("test", "nonce")

# `${NAME}` in a cmdline: the grader substitutes these per run (qemu.kernel_cmdline).
CMDLINE_SUBSTITUTIONS = ("seed",)
SUBSTITUTION_RE = re.compile(r"\$\{([^}]*)\}")

NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]*$")
SUITE_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


class RubricError(Exception):
    """A manifest that cannot be used; the message names the file and the offending entry
    (and its line, where the key is known: see _locate)."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


def _locate(err: RubricError, path: Path, lines: Lines, **where) -> RubricError:
    """The same error with the line of its key: "rubric.toml:12: test 'a': ..."."""
    if err.key is None:
        return err
    line = lines.find(err.key, **where)
    prefix = f"{path}: "
    text = str(err)
    if line is None or not text.startswith(prefix):
        return err
    return RubricError(f"{path}:{line}: {text[len(prefix):]}")


@dataclass(frozen=True)
class Suite:
    name: str
    title: str
    lab: int | None
    path: Path
    description: str = ""
    # [student]: the files a student may change and what their code may use (student.py);
    # None for suites that are not labs.
    student: student.StudentRules | None = None


@dataclass(frozen=True)
class TestCase:
    """One QEMU boot: a [[test]] entry, or one variant of it, with every default resolved."""
    suite: Suite
    name: str                    # kernel test name, passed as test=NAME
    variant: str | None
    points: float
    machine: str
    memory: str
    timeout: float               # seconds without progress before the run is called a hang
    max_time: float              # cap on the whole run (runaway output), same clock
    args: tuple[str, ...]
    cmdline: str
    expect: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    expect_outcome: str | None = None
    expect_reason: str | None = None
    description: str = ""
    peers: tuple[dict, ...] = field(default=())
    # An instructor's variant (other sizes, seeds, orders): graded in batch and instructor
    # runs, left out of handouts (tools/handout_rubric.py) and of a student's `make grade`.
    hidden: bool = False
    host_test: str | None = None   # a Catch2 test spec: run the host unit tests, not QEMU

    @property
    def uses_run_seed(self) -> bool:
        """Whether this run has a payload seed picked per run (`seed = "run"`, `${seed}`)."""
        return "${seed}" in self.cmdline or any(payload.peer_uses_run_seed(p) for p in self.peers)

    @property
    def id(self) -> str:
        """Unique within the suite; also the directory name under OUT/<suite>/."""
        return self.name if self.variant is None else f"{self.name}@{self.variant}"


# --- typed field readers -------------------------------------------------------------------

def _where(path: Path, ctx: str) -> str:
    return f"{path}: {ctx}" if ctx else str(path)


def _check_keys(table: dict, allowed: set[str], path: Path, ctx: str) -> None:
    for key in table:
        if key not in allowed:
            close = difflib.get_close_matches(key, sorted(allowed), n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise RubricError(f"{_where(path, ctx)}: unknown key '{key}'{hint}", key)


def _get(table: dict, key: str, kind: str, path: Path, ctx: str):
    """Reads one optional key and checks its type; returns None when absent."""
    if key not in table:
        return None
    value = table[key]
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "num": isinstance(value, (int, float)) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "strlist": isinstance(value, list) and all(isinstance(v, str) for v in value),
        "tables": isinstance(value, list) and all(isinstance(v, dict) for v in value),
        "memory": isinstance(value, (str, int)) and not isinstance(value, bool),
    }[kind]
    if not ok:
        names = {"str": "a string", "int": "an integer", "num": "a number", "bool": "true or false",
                 "strlist": "a list of strings", "tables": "an array of tables",
                 "memory": "a size such as \"128M\""}
        raise RubricError(f"{_where(path, ctx)}: '{key}' must be {names[kind]}, got {value!r}", key)
    if kind == "num" and not math.isfinite(value):
        raise RubricError(f"{_where(path, ctx)}: '{key}' must be a finite number, got {value!r}", key)
    if kind == "strlist":
        return tuple(value)
    if kind == "memory" and isinstance(value, int):
        return f"{value}M"        # a bare number means MiB, as on QEMU's own -m
    return value


QEMU_KEYS = {"machine": "str", "memory": "memory", "timeout": "num", "max_time": "num",
             "args": "strlist", "cmdline": "str"}
CHECK_KEYS = {"expect": "strlist", "reject": "strlist"}
# trace/mechanism: QEMU trace events and the checks over them (harness/mechanism.py); they
# become one `trace` peer per run. A variant may add some, e.g. for its interrupt-driven mode.
TRACE_KEYS = {"trace": "strlist", "mechanism": "tables"}
TEST_KEYS = {**QEMU_KEYS, **CHECK_KEYS, **TRACE_KEYS, "name": "str", "points": "num",
             "description": "str", "expect_outcome": "str", "expect_reason": "str",
             "variant": "tables", "peer": "tables", "hidden": "bool", "host_test": "str"}
VARIANT_KEYS = {**QEMU_KEYS, **CHECK_KEYS, **TRACE_KEYS, "name": "str", "points": "num",
                "description": "str", "hidden": "bool"}
ACCUMULATING_KEYS = ("args", "expect", "reject", "trace", "mechanism")


def _read_table(table: dict, schema: dict[str, str], path: Path, ctx: str) -> dict:
    _check_keys(table, set(schema), path, ctx)
    out = {}
    for key, kind in schema.items():
        value = _get(table, key, kind, path, ctx)
        if value is not None:
            out[key] = value
    _check_values(out, path, ctx)
    return out


def _check_values(values: dict, path: Path, ctx: str) -> None:
    for key in ("timeout", "max_time"):
        if key in values and values[key] <= 0:
            raise RubricError(f"{_where(path, ctx)}: '{key}' must be positive", key)
    if values.get("points", 0) < 0:
        raise RubricError(f"{_where(path, ctx)}: 'points' must not be negative, got "
                          f"{values['points']!r}", "points")
    for word in values.get("cmdline", "").split():
        if word.split("=", 1)[0] in RESERVED_CMDLINE_KEYS:
            raise RubricError(f"{_where(path, ctx)}: cmdline must not set '{word}': "
                              "the grader supplies test= and nonce= itself", "cmdline")
    if "\n" in values.get("cmdline", ""):
        raise RubricError(f"{_where(path, ctx)}: cmdline must be one line", "cmdline")
    for name in SUBSTITUTION_RE.findall(values.get("cmdline", "")):
        if name not in CMDLINE_SUBSTITUTIONS:
            raise RubricError(f"{_where(path, ctx)}: cmdline: unknown substitution '${{{name}}}' "
                              "(the grader substitutes only ${seed}, the run's payload seed)",
                              "cmdline")
    for key in ("expect", "reject"):
        for pattern in values.get(key, ()):
            try:
                re.compile(expand_pattern(pattern, nonce="0", test="t"))
            except re.error as err:
                raise RubricError(f"{_where(path, ctx)}: bad regex in '{key}': "
                                  f"{pattern!r}: {err}", key) from None
    outcome = values.get("expect_outcome")
    if outcome is not None and outcome not in VERDICT_KINDS:
        raise RubricError(f"{_where(path, ctx)}: expect_outcome must be one of "
                          f"{', '.join(VERDICT_KINDS)}; got {outcome!r}", "expect_outcome")


def expand_pattern(pattern: str, nonce: str, test: str) -> str:
    """`${nonce}` and `${test}` in expect/reject regexes stand for this run's literal values."""
    return pattern.replace("${nonce}", re.escape(nonce)).replace("${test}", re.escape(test))


# --- merging layers: [qemu] defaults <- [[test]] <- [[test.variant]] -------------------------

def _merge(base: dict, over: dict) -> dict:
    """Scalars override; lists and the command line accumulate, so a variant can add one
    device or one boot option without repeating everything the test already says."""
    out = dict(base)
    for key, value in over.items():
        if key in ACCUMULATING_KEYS:
            out[key] = tuple(base.get(key, ())) + tuple(value)
        elif key == "cmdline":
            out[key] = " ".join(w for w in (base.get(key, ""), value) if w)
        else:
            out[key] = value
    return out


def _peer_specs(values: dict, where: str) -> tuple[dict, ...]:
    """The run's peers: the [[test.peer]] entries, plus one `trace` peer for the test's
    `trace` events and [[test.mechanism]] checks."""
    specs = list(values.get("peer", ()))
    if values.get("trace") or values.get("mechanism"):
        spec = {"kind": "trace", "events": list(values.get("trace", ())),
                "checks": [dict(m) for m in values.get("mechanism", ())]}
        peers.validate(spec, where)
        specs.append(spec)
    peers.check_unique(specs, where)
    return tuple(specs)


def _check_seed_use(values: dict, peer_specs: tuple[dict, ...], where: str) -> None:
    """`${seed}` tells the guest the seed of the run's `seed = "run"` payloads; without such a
    payload the guest would compute bytes nobody checks or sends."""
    if "${seed}" in values.get("cmdline", "") and \
            not any(payload.peer_uses_run_seed(spec) for spec in peer_specs):
        raise RubricError(f"{where}: cmdline passes ${{seed}}, but no payload of the test says "
                          "generate = { ..., seed = \"run\" }", "cmdline")


def _make_case(suite: Suite, values: dict, variant: str | None, points: float,
               peer_specs: tuple[dict, ...] = (), where: str = "") -> TestCase:
    _check_seed_use(values, peer_specs, where)
    timeout = float(values["timeout"])
    max_time = values.get("max_time")
    return TestCase(
        suite=suite, name=values["name"], variant=variant, points=points,
        machine=values["machine"], memory=values["memory"], timeout=timeout,
        # A run that keeps printing but never finishes must still end; 10x the progress
        # timeout leaves room for long tests while catching output loops.
        max_time=float(max_time) if max_time is not None else 10 * timeout,
        args=tuple(values.get("args", ())), cmdline=values.get("cmdline", ""),
        expect=tuple(values.get("expect", ())), reject=tuple(values.get("reject", ())),
        expect_outcome=values.get("expect_outcome"), expect_reason=values.get("expect_reason"),
        description=values.get("description", ""), peers=peer_specs,
        hidden=bool(values.get("hidden", False)), host_test=values.get("host_test"))


# A host unit test runs no QEMU: keys that only make sense for a boot are mistakes there.
HOST_TEST_KEYS = {"name", "points", "description", "hidden", "host_test", "timeout", "max_time",
                  "expect_outcome", "expect_reason"}


def _check_host_test(values: dict, path: Path, ctx: str) -> None:
    if "host_test" not in values:
        return
    if not values["host_test"].strip() or "\n" in values["host_test"]:
        raise RubricError(f"{_where(path, ctx)}: host_test must be a Catch2 test spec such as "
                          "\"[uart16550]\" or \"a test name\"")
    extra = sorted(set(values) - HOST_TEST_KEYS)
    if extra:
        raise RubricError(f"{_where(path, ctx)}: a host_test runs the host unit tests, not QEMU; "
                          f"'{extra[0]}' does not apply to it")


def _expand_test(suite: Suite, defaults: dict, raw: dict, path: Path, index: int,
                 lines: Lines) -> list[TestCase]:
    variant = None
    try:
        return _expand_test_at(suite, defaults, raw, path, index)
    except _InVariant as inside:
        variant, err = inside.index, inside.error
    except RubricError as error:
        err = error
    raise _locate(err, path, lines, test=index, variant=variant) from None


class _InVariant(Exception):
    """A RubricError raised while reading variant #index of a test (for its line number)."""

    def __init__(self, index: int, error: RubricError):
        super().__init__(str(error))
        self.index, self.error = index, error


def _expand_test_at(suite: Suite, defaults: dict, raw: dict, path: Path,
                    index: int) -> list[TestCase]:
    ctx = f"[[test]] #{index + 1}"
    values = _read_table(raw, TEST_KEYS, path, ctx)
    name = values.get("name")
    if not name or not NAME_RE.match(name):
        raise RubricError(f"{_where(path, ctx)}: 'name' is required and must match {NAME_RE.pattern}")
    ctx = f"test '{name}'"
    _check_host_test(values, path, ctx)
    for spec in values.get("peer", ()):
        peers.validate(spec, f"{_where(path, ctx)}: [[test.peer]]")
    merged = _merge(defaults, values)
    points = float(values.get("points", 1))
    # The test as written always runs; each variant is one more run of the same kernel test
    # in another configuration (machine, interrupt controller, ...). Every run is its own row
    # worth `points`, unless the variant says otherwise.
    cases = [_make_case(suite, merged, None, points, _peer_specs(merged, _where(path, ctx)),
                        _where(path, ctx))]
    for vindex, vraw in enumerate(values.get("variant", ())):
        try:
            vvalues = _read_table(vraw, VARIANT_KEYS, path, f"{ctx} variant")
        except RubricError as err:
            raise _InVariant(vindex, err) from None
        vname = vvalues.pop("name", None)
        if not vname or not SUITE_NAME_RE.match(vname):
            raise RubricError(f"{_where(path, ctx)}: every variant needs a 'name' "
                              f"matching {SUITE_NAME_RE.pattern}")
        vpoints = float(vvalues.pop("points", points))
        description = vvalues.pop("description", None)
        if merged.get("hidden") and vvalues.get("hidden") is False:
            raise RubricError(f"{_where(path, ctx)}: variant '{vname}' says hidden = false, but "
                              "the test is hidden, and so is every variant of it")
        vmerged = _merge(merged, vvalues)
        if description:
            vmerged["description"] = description
        vwhere = _where(path, f"{ctx} variant '{vname}'")
        cases.append(_make_case(suite, vmerged, vname, vpoints, _peer_specs(vmerged, vwhere), vwhere))
    return cases


def load(path: Path) -> tuple[Suite, list[TestCase]]:
    """Parses and validates one manifest; raises RubricError with a precise location."""
    data, lines = _parse_file(path)
    try:
        _check_keys(data, {"suite", "qemu", "test", "student"}, path, "")
    except RubricError as err:
        raise _locate(err, path, lines, table=err.key) from None
    suite = _read_suite(data, path, lines)
    qemu_raw = data.get("qemu", {})
    if not isinstance(qemu_raw, dict):
        raise RubricError(f"{path}: [qemu] must be a table")
    try:
        defaults = _merge(DEFAULTS, _read_table(qemu_raw, QEMU_KEYS, path, "[qemu]"))
    except RubricError as err:
        raise _locate(err, path, lines, table="qemu") from None
    tests_raw = data.get("test", [])
    if not isinstance(tests_raw, list) or not all(isinstance(t, dict) for t in tests_raw):
        raise RubricError(f"{path}: tests must be written as [[test]] tables")
    cases: list[TestCase] = []
    for index, raw in enumerate(tests_raw):
        cases.extend(_expand_test(suite, defaults, raw, path, index, lines))
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise RubricError(f"{path}: test '{case.id}' is listed twice")
        seen.add(case.id)
    return suite, cases


def _parse_file(path: Path) -> tuple[dict, Lines]:
    """The TOML of one rubric: a file that is missing, not UTF-8 or not TOML is an error that
    names the file and the line, never a traceback."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise RubricError(f"{path}: cannot read: {err.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RubricError(f"{path}:{line_of_offset(data, err.start)}: not UTF-8 (byte "
                          f"0x{data[err.start]:02x}); a rubric must be UTF-8 text") from None
    try:
        return tomllib.loads(text), Lines(text)
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        where = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if where:
            message = message[:where.start()].rstrip()
            raise RubricError(f"{path}:{where.group(1)}:{where.group(2)}: not valid TOML: "
                              f"{message}") from None
        raise RubricError(f"{path}: not valid TOML: {message}") from None


def _read_suite(data: dict, path: Path, lines: Lines) -> Suite:
    suite_raw = data.get("suite")
    if not isinstance(suite_raw, dict):
        raise RubricError(f"{path}: a [suite] table with at least 'name' is required")
    try:
        svals = _read_table(suite_raw, {"name": "str", "title": "str", "lab": "int",
                                        "description": "str"}, path, "[suite]")
    except RubricError as err:
        raise _locate(err, path, lines, table="suite") from None
    if not SUITE_NAME_RE.match(svals.get("name", "")):
        raise RubricError(f"{path}: [suite] 'name' is required and must match {SUITE_NAME_RE.pattern}")
    folder = re.match(r"^(\d+)-", path.parent.name) if path.parent.parent.name == "lab" else None
    if folder and svals.get("lab") != int(folder.group(1)):
        raise _locate(RubricError(f"{path}: [suite]: a rubric in {path.parent.name}/ must say "
                                  f"lab = {int(folder.group(1))}, not {svals.get('lab')!r}", "lab"),
                      path, lines, table="suite")
    rules = None
    if "student" in data:
        try:
            rules = student.parse(data["student"])
        except student.StudentError as err:
            span = lines.block(table="student")
            where = f"{path}:{span[0] + 1}" if span else str(path)
            raise RubricError(f"{where}: [student]: {err}") from None
    return Suite(name=svals["name"], title=svals.get("title", svals["name"]), lab=svals.get("lab"),
                 path=path, description=svals.get("description", ""), student=rules)


# --- where the manifests live -----------------------------------------------------------------

def lab_manifests(root: Path) -> list[Path]:
    """Every lab's rubric. The grader's own self-test suite lives one level deeper
    (lab/grader/selftest/) precisely so that this glob never picks it up."""
    return sorted(p for p in root.glob("lab/*/rubric.toml") if p.is_file())


def kernel_manifest(root: Path) -> Path:
    return root / "tests" / "kernel" / "rubric.toml"


def selftest_manifest(root: Path) -> Path:
    return root / "lab" / "grader" / "selftest" / "rubric.toml"
