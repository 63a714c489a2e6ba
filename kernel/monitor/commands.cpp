// The monitor's built-in commands. Subsystems add their own next to their code (lspci, irqs...).
#include <arch/platform.h>
#include <kernel/kernel.h>
#include <kernel/mm/init.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/symbols.h>
#include <kernel/test.h>
#include <kstd/enforce.h>

MONITOR_COMMAND(meminfo, "meminfo", "physical memory, heap and page-table usage")
{
    mm::print_meminfo();
}

MONITOR_COMMAND(backtrace, "backtrace", "print the monitor's own call stack, symbolized")
{
    symbols::print_current_backtrace();
}

MONITOR_COMMAND(cmdline, "cmdline", "show the kernel command line (GRUB + fw_cfg), one word per line")
{
    for (auto const& entry : kernel_cmdline()) {
        if (entry.has_value)
            kprint("  %.*s=%.*s\n", int(entry.key.length()), entry.key.characters(), int(entry.value.length()),
                   entry.value.characters());
        else
            kprint("  %.*s\n", int(entry.key.length()), entry.key.characters());
    }
}

MONITOR_COMMAND(tests, "tests", "list the in-kernel tests (name, lab)")
{
    for (auto const* const* entry = ktest::begin(); entry != ktest::end(); ++entry) {
        KernelTest const* t = *entry;
        if (t->lab == SELFTEST_SUITE)
            continue;
        if (t->lab == CRASH_SUITE)
            kprint("  %-36s core (crashes on purpose: boot with test=%s)\n", t->name, t->name);
        else
        if (t->lab == CORE_SUITE)
            kprint("  %-36s core\n", t->name);
        else
            kprint("  %-36s lab %d\n", t->name, t->lab);
    }
}

MONITOR_COMMAND(test, "test", "test NAME: run one in-kernel test")
{
    if (args.is_empty()) {
        kprint("usage: test NAME (the command 'tests' lists them)\n");
        return;
    }
    char name[64];
    kstd::copy_string(name, sizeof(name), args);
    auto const* t = ktest::find(name);
    if (!t) {
        kprint("no test named '%s' (the command 'tests' lists them)\n", name);
        return;
    }
    if (t->lab == SELFTEST_SUITE || t->lab == CRASH_SUITE) {
        kprint("'%s' crashes or hangs on purpose; boot with test=%s to run it\n",
               name, name);
        return;
    }
    ktest::run_one(*t);
}

MONITOR_COMMAND(poweroff, "poweroff", "stop the machine (QEMU exits)")
{
    kprint("Powering off.\n");
    arch::qemu_exit(arch::ExitCode::PowerOff);
}

MONITOR_COMMAND(reboot, "reboot", "reset the machine")
{
    kprint("Rebooting.\n");
    arch::reboot();
}
