// Choosing a disk's scheduler: the command line (iosched=, iosched.DISK=), through the self-test
// hook (include/kernel/selftest.h: `selftest.wrong=` may put a purpose-made wrong scheduler in
// the place of the one it imitates).
#include <kernel/block/queue.h>
#include <kernel/selftest.h>
#include <kernel/kernel.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace block {

IoScheduler const* find_scheduler_for_selection(StringView name)
{
    IoScheduler const* scheduler = find_scheduler(name);
    return scheduler ? &selftest::WrongOps<IoScheduler>::choose(*scheduler) : nullptr;
}

IoScheduler const& scheduler_for(char const* device_name)
{
    char key[48];
    kstd::snprintf(key, sizeof(key), "iosched.%s", device_name);
    auto chosen = kernel_cmdline().get(StringView(key));
    if (!chosen.has_value())
        chosen = kernel_cmdline().get(StringView("iosched"));
    if (!chosen.has_value())
        return *find_scheduler_for_selection(StringView(default_scheduler().name));
    if (IoScheduler const* scheduler = find_scheduler_for_selection(*chosen))
        return *scheduler;
    log_warn("%s: no I/O scheduler called %.*s (fifo, elevator, deadline); using %s\n", device_name,
        int(chosen->length()), chosen->characters(), default_scheduler().name);
    return *find_scheduler_for_selection(StringView(default_scheduler().name));
}

}
