"""Bytes for the serial peer: what a step sends, and what `expect_bytes` compares against.

A payload is one of
    data = "text"                 UTF-8; TOML escapes work: "\\b", "\\u0015" (^U), "\\n", "\\t"
    hex = "de ad be ef"           raw bytes (spaces allowed)
    data_file = "path"            relative to the tree being graded
    generate = { bytes = N, seed = S, alphabet = "binary" }
and `repeat = N` sends it N times.

`seed = "run"` means a seed the grader picks afresh for every run (1 to 2**32 - 1, from the
operating system's random source), so that no student can precompute the bytes. Every
`seed = "run"` of one run is the same number, and `${seed}` in the test's `cmdline` stands for
it: that is how the kernel test learns it (e.g. `cmdline = "ktest.seed=${seed}"`). The run's
cmd.txt, results.json and the failure report say which seed it was; `grade.py --seed S` replays it.

`generate` is a documented generator, so a kernel test can produce the same bytes and compare
them itself (xorshift32; every byte advances the state once):

    uint32_t x = seed ? seed : 0x2545F491;
    for (i = 0; i < n; ++i) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        out[i] = binary:    x & 0xFF
                 printable: 0x20 + x % 95
                 lines:     i % 64 == 63 ? '\\n' : ALNUM[x % 62]   // ALNUM = a-z A-Z 0-9
    }
"""
from __future__ import annotations

import hashlib
import re
import secrets
import string
from pathlib import Path

PAYLOAD_KEYS = ("data", "hex", "data_file", "generate")
ALPHABETS = ("binary", "printable", "lines")
ALNUM = string.ascii_lowercase + string.ascii_uppercase + string.digits
MAX_GENERATE = 16 << 20
RUN_SEED = "run"              # generate.seed: picked by the grader for each run
MAX_SEED = 0xFFFFFFFF         # xorshift32's state; a seed is 1..MAX_SEED (0 is replaced anyway)


def new_run_seed() -> int:
    """A fresh seed for one run: never 0 (which the generator replaces by a constant)."""
    return 1 + secrets.randbelow(MAX_SEED)


def check_seed(value, what: str) -> int:
    """A seed given by hand (`grade.py --seed`): 1..MAX_SEED, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_SEED:
        raise ValueError(f"{what} must be an integer from 1 to {MAX_SEED}, got {value!r}")
    return value


def generate(count: int, seed: int, alphabet: str = "binary") -> bytes:
    x = (seed & 0xFFFFFFFF) or 0x2545F491
    out = bytearray(count)
    for i in range(count):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        if alphabet == "binary":
            out[i] = x & 0xFF
        elif alphabet == "printable":
            out[i] = 0x20 + x % 95
        else:
            out[i] = 0x0A if i % 64 == 63 else ord(ALNUM[x % 62])
    return bytes(out)


def _check_generate(value) -> None:
    if not isinstance(value, dict):
        raise ValueError("'generate' must be a table: { bytes = N, seed = S }")
    unknown = set(value) - {"bytes", "seed", "alphabet"}
    if unknown:
        raise ValueError(f"generate has no option '{sorted(unknown)[0]}' (bytes, seed, alphabet)")
    count, seed = value.get("bytes"), value.get("seed", 1)
    if not isinstance(count, int) or isinstance(count, bool) or not 0 < count <= MAX_GENERATE:
        raise ValueError(f"generate.bytes must be an integer from 1 to {MAX_GENERATE}")
    if seed == RUN_SEED:
        return
    if not isinstance(seed, int) or isinstance(seed, bool) or not 0 <= seed <= MAX_SEED:
        raise ValueError(f"generate.seed must be an integer from 0 to {MAX_SEED}, or \"{RUN_SEED}\" "
                         f"for a seed the grader picks per run; got {seed!r}")
    if value.get("alphabet", "binary") not in ALPHABETS:
        raise ValueError(f"generate.alphabet must be one of {', '.join(ALPHABETS)}")


def check(table: dict, what: str, required: bool = True) -> None:
    """Rubric-time check of the payload keys of one table (ValueError)."""
    given = [k for k in PAYLOAD_KEYS if k in table]
    if len(given) > 1:
        raise ValueError(f"{what}: give only one of {', '.join(PAYLOAD_KEYS)}")
    if required and not given:
        raise ValueError(f"{what}: say what to send: {', '.join(PAYLOAD_KEYS)}")
    for key in ("data", "data_file", "hex"):
        if key in table and not isinstance(table[key], str):
            raise ValueError(f"{what}: '{key}' must be a string")
    if "hex" in table:
        try:
            bytes.fromhex(table["hex"])
        except ValueError:
            raise ValueError(f"{what}: 'hex' is not hex bytes: {table['hex'][:40]!r}") from None
    if "generate" in table:
        _check_generate(table["generate"])
    repeat = table.get("repeat", 1)
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        raise ValueError(f"{what}: 'repeat' must be a positive integer")


def uses_run_seed(table: dict) -> bool:
    spec = table.get("generate")
    return isinstance(spec, dict) and spec.get("seed") == RUN_SEED


def peer_uses_run_seed(spec: dict) -> bool:
    """Whether any payload of a peer's options (a table, or a list of tables such as `send`)
    says `seed = "run"`."""
    for value in spec.values():
        tables = value if isinstance(value, list) else [value]
        if any(isinstance(t, dict) and uses_run_seed(t) for t in tables):
            return True
    return False


def resolve(table: dict, root: Path, run_seed: int | None = None) -> bytes | None:
    """The bytes a table describes (None when it has no payload); `run_seed` stands in for
    `seed = "run"`. Raises OSError for a missing data_file."""
    if "data" in table:
        data = table["data"].encode("utf-8")
    elif "hex" in table:
        data = bytes.fromhex(table["hex"])
    elif "data_file" in table:
        data = (root / table["data_file"]).read_bytes()
    elif "generate" in table:
        spec = table["generate"]
        seed = spec.get("seed", 1)
        if seed == RUN_SEED:
            if run_seed is None:
                raise ValueError('generate.seed = "run" needs the run\'s seed')
            seed = run_seed
        data = generate(spec["bytes"], seed, spec.get("alphabet", "binary"))
    else:
        return None
    return data * table.get("repeat", 1)


def describe(data: bytes) -> str:
    if len(data) <= 24:
        return repr(data)[1:]
    return f"{len(data):,} bytes"


def byte_text(value: int) -> str:
    shown = chr(value) if 0x20 <= value < 0x7F else None
    return f"0x{value:02x}" + (f" ({shown!r})" if shown else "")


def compare(got: bytes, want: bytes, label: str) -> str | None:
    """None when equal; otherwise the first difference, in words."""
    if got == want:
        return None
    common = min(len(got), len(want))
    first = next((i for i in range(common) if got[i] != want[i]), None)
    if first is None:
        if len(got) < len(want):
            return (f"{label}: received only {len(got):,} of {len(want):,} bytes "
                    f"(all {len(got):,} match; the rest never arrived)")
        return f"{label}: received {len(got):,} bytes, expected {len(want):,} (the first {common:,} match)"
    return (f"{label}: byte {first:,} is {byte_text(got[first])}, expected "
            f"{byte_text(want[first])} (the first {first:,} bytes match; "
            f"received {len(got):,}, expected {len(want):,})")


def digest_problem(got: bytes, sha256: str, length: int | None, label: str) -> str | None:
    if length is not None and len(got) != length:
        return f"{label}: received {len(got):,} bytes, expected {length:,}"
    actual = hashlib.sha256(got).hexdigest()
    if actual != sha256.lower():
        return f"{label}: sha256 of the {len(got):,} bytes is {actual[:16]}..., expected {sha256[:16]}..."
    return None


SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
