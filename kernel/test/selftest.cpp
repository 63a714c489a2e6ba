// selftest.wrong= (include/kernel/selftest.h): which purpose-made wrong driver a grader
// self-test asked for.
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/selftest.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace selftest {

bool wrong_requested(char const* name)
{
    auto word = kernel_cmdline().get(StringView("selftest.wrong"));
    if (!word.has_value() || !(*word == StringView(name)))
        return false;
    log_warn("selftest.wrong=%s: a purpose-made wrong driver is in use (grader self-test)\n", name);
    return true;
}

}
