#!/usr/bin/env python3
"""Summarizes a Catch2 JUnit report for `make unit-tests`.

Usage: junit_summary.py REPORT.xml EXIT_STATUS

Prints every failed test case with Catch's message, then one summary line. Exits non-zero if
the test binary did (EXIT_STATUS), if the report is missing or unreadable (a crash, e.g. an
AddressSanitizer abort, usually leaves no report), if it lists a failure, or if no test ran.
"""
import sys
import xml.etree.ElementTree as ET


def main() -> int:
    path, status = sys.argv[1], int(sys.argv[2])
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as error:
        print(f"unit tests: FAILED, no readable report ({error}); exit status {status}; "
              "see the output above (crash or sanitizer report?)")
        return 1

    cases = list(root.iter("testcase"))
    failed = 0
    for case in cases:
        problems = case.findall("failure") + case.findall("error")
        if not problems:
            continue
        failed += 1
        print(f"FAILED: {case.get('classname', '')} :: {case.get('name', '')}")
        for problem in problems:
            text = (problem.text or problem.get("message") or "").strip()
            print("    " + text.replace("\n", "\n    "))
    assertions = sum(int(s.get("tests", 0)) for s in root.iter("testsuite"))
    # No test case at all means a broken build or a filter (UNIT_ARGS) that matches nothing.
    ok = failed == 0 and status == 0 and len(cases) > 0
    verdict = "passed" if ok else "FAILED"
    note = "" if cases else " (no test case ran: check UNIT_ARGS)"
    print(f"unit tests: {verdict}: {len(cases) - failed}/{len(cases)} test cases passed "
          f"({assertions} assertions; report in {path}){note}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
