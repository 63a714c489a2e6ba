#!/usr/bin/env python3
"""A stand-in for build/host/unit_tests (Catch2 v2) for the grader's own tests.

Takes the arguments the grader passes (-r xml -o FILE -w NoTests SPEC) and behaves according
to SPEC: [pass], [fail], [crash] (an AddressSanitizer report and abort), [segv] (Catch2's
fatal-signal record), [hang] (silent for ever), [none] (no test matches), [liar] (passes but
exits 1).
"""
import os
import signal
import sys
import time

args = sys.argv[1:]
out = args[args.index("-o") + 1]
spec = args[-1]
head = '<?xml version="1.0" encoding="UTF-8"?>\n<Catch name="unit_tests" filters="%s">\n  <Group name="unit_tests">\n' % spec
case = '    <TestCase name="%s" tags="%s" filename="tests/unit/uart_model_test.cpp" line="10">\n'
totals = ('    <OverallResults successes="%d" failures="%d" expectedFailures="0"/>\n'
          '    <OverallResultsCases successes="%d" failures="%d" expectedFailures="0"/>\n  </Group>\n'
          '  <OverallResults successes="%d" failures="%d" expectedFailures="0"/>\n'
          '  <OverallResultsCases successes="%d" failures="%d" expectedFailures="0"/>\n</Catch>\n')


def write(text):
    with open(out, "w") as f:
        f.write(text)


print("unit_tests: running", spec, flush=True)
if spec == "[pass]":
    write(head + case % ("two causes", spec) + '      <OverallResult success="true"/>\n    </TestCase>\n'
          + totals % (3, 0, 1, 0, 3, 0, 1, 0))
elif spec in ("[fail]", "[liar]"):
    if spec == "[liar]":
        write(head + case % ("x", spec) + '      <OverallResult success="true"/>\n    </TestCase>\n'
              + totals % (1, 0, 1, 0, 1, 0, 1, 0))
        sys.exit(1)
    write(head + case % ("two causes", spec)
          + '      <Expression success="false" type="REQUIRE" filename="tests/unit/uart_model_test.cpp" line="42">\n'
            '        <Original>\n          model.rx_bytes() == 2\n        </Original>\n'
            '        <Expanded>\n          1 == 2\n        </Expanded>\n      </Expression>\n'
            '      <OverallResult success="false"/>\n    </TestCase>\n' + totals % (0, 1, 0, 1, 0, 1, 0, 1))
    sys.exit(1)
elif spec == "[crash]":
    write(head + case % ("overflow", spec))
    sys.stderr.write("=================================================================\n"
                     "==4242==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011\n"
                     "    #0 0x55 in uart16550::top_half drivers/char/uart16550/irq.cpp:57\n")
    sys.stderr.flush()
    os.kill(os.getpid(), signal.SIGABRT)
elif spec == "[segv]":
    write(head + case % ("null", spec)
          + '      <FatalErrorCondition filename="tests/unit/uart_model_test.cpp" line="77">\n'
            '        SIGSEGV - Segmentation violation signal\n      </FatalErrorCondition>\n')
    os.kill(os.getpid(), signal.SIGSEGV)
elif spec == "[hang]":
    time.sleep(3600)
elif spec == "[none]":
    write(head + totals % (0, 0, 0, 0, 0, 0, 0, 0))
    sys.exit(2)
