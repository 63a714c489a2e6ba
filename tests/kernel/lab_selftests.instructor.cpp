// Self-tests of the labs' mechanism checks in QEMU (instructor-only: never in a handout).
// `selftest__LABTEST__DRIVER` runs the lab's own kernel test LABTEST, unchanged, in a kernel
// booted with `selftest.wrong=uart_DRIVER` (drivers/char/uart16550/selftest.instructor.cpp), so
// every check inside the guest is the lab's. Its entry in tests/kernel/rubric.toml (INSTRUCTOR
// block) repeats the lab test's host-side checks and says which outcome the driver must get:
// pass for the honest alternative, fail with the named check for each wrong one.
#include <kernel/test.h>
#include <kstd/enforce.h>

namespace {

ErrorOr<void> run_lab_test(char const* name)
{
    KernelTest const* test = ktest::find(name);
    if (!test)
        return ktest::fail(__FILE__, __LINE__, "no kernel test named %s", name);
    return test->function();
}

}

#define LAB_SELFTEST(lab_test, driver) \
    KTEST(selftest__##lab_test##__##driver, SELFTEST_SUITE) { return run_lab_test(#lab_test); }

LAB_SELFTEST(uart_irq_tx_64k, linux_tx)
LAB_SELFTEST(uart_irq_tx_64k, polling_thread)
LAB_SELFTEST(uart_irq_tx_64k, secret_poll)
LAB_SELFTEST(uart_irq_rx_20k, linux_tx)
LAB_SELFTEST(uart_irq_rx_20k, polling_thread)
LAB_SELFTEST(uart_irq_rx_20k, rx_polling)
LAB_SELFTEST(uart_tx_buffer, poll_sets_ier)
