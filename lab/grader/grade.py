#!/usr/bin/env python3
"""Conduit grader: boots the kernel once per test in QEMU and grades the results.

Usage: python3 lab/grader/grade.py [--lab N] [--test NAME] [-j J] ...   (see README.md)
       python3 lab/grader/grade.py batch --lab N SUBMISSIONS...    (batch grading)
"""
import sys
from pathlib import Path

if sys.version_info < (3, 11):
    sys.exit("grade.py needs Python 3.11 or newer (for tomllib)")

# The harness is a package next to this file; make it importable from any directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness.cli import main  # noqa: E402


def _dispatch() -> int:
    """`grade.py batch ...` grades a folder of submissions (harness/batch_cli.py), `grade.py
    autograder ...` one submission on Gradescope (harness/gradescope.py); anything else grades
    this tree."""
    if sys.argv[1:2] == ["batch"]:
        from harness import batch_cli
        return batch_cli.main(sys.argv[2:])
    if sys.argv[1:2] == ["autograder"]:
        from harness import gradescope
        return gradescope.main(sys.argv[2:])
    return main()


if __name__ == "__main__":
    try:
        sys.exit(_dispatch())
    except BrokenPipeError:
        # Output piped into `head` or a closed terminal: every QEMU has already been stopped
        # on the way out; just do not add a traceback to the noise.
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
