// The grader's self-tests: each behaves in one specific way (pass, fail, panic, triple fault,
// hang, forged result) so lab/grader's own tests can check that the grader names each outcome
// correctly. They run only when named (SELFTEST_SUITE) and never appear in a student rubric.
#include <arch/fault_injection.h>
#include <arch/platform.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

KTEST(selftest_pass, SELFTEST_SUITE) { return {}; }

KTEST(selftest_fail, SELFTEST_SUITE)
{
    int volatile two = 2;
    EXPECT_EQ(two + 2, 5);
    return {};
}

KTEST(selftest_panic, SELFTEST_SUITE) { panic("deliberate panic (grader self-test)"); }

KTEST(selftest_triple_fault, SELFTEST_SUITE) { arch::trigger_triple_fault(); }

KTEST(selftest_hang, SELFTEST_SUITE)
{
    for (;;)
        arch::cpu_relax();
}

// Prints a pass line with a nonce it made up: the grader must not count it.
KTEST(selftest_forged, SELFTEST_SUITE)
{
    diag_print("@@CONDUIT test-pass name=selftest_forged nonce=0000\n");
    EXPECT_MSG(false, "this test forged a pass line and then failed");
    return {};
}

KTEST(selftest_nonce_echo, SELFTEST_SUITE)
{
    EXPECT(kstd::strcmp(ktest::nonce(), "none") != 0);
    return {};
}
