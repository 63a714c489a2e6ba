// Registering the built-in devices (include/kernel/dev/builtin.h).
#include <kernel/dev/builtin.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace dev {

namespace {

struct BuiltinDriver {
    char const* name;
    ErrorOr<void> (*init)();
};

constexpr BuiltinDriver g_builtin_drivers[] = {
    { "mem", drivers::mem::init },
    { "ramdisk", drivers::ramdisk::init },
    { "loopback", drivers::loopback::init },
};

bool g_initialized = false;   // only the boot thread (or a test) calls in, one at a time

}

void init_builtin_devices()
{
    if (g_initialized)
        return;
    g_initialized = true;
    for (auto const& driver : g_builtin_drivers) {
        if (auto result = driver.init(); result.is_error())
            log_error("dev: built-in driver %s failed to start: %s\n", driver.name, result.error().name());
    }
}

}
