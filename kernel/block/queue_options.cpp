// Choosing a disk's scheduler: the command line (iosched=, iosched.DISK=), and the self-test
// overrides (include/kernel/block/selftest.h).
#include <kernel/block/queue.h>
#include <kernel/block/selftest.h>
#include <kernel/kernel.h>
#include <kernel/cmdline.h>
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace block {

namespace {

WrongVariant* g_variants = nullptr;           // registered by global constructors
bool g_variant_applied = false;
IoScheduler const* g_scheduler_override = nullptr;
CachePolicy const* g_cache_policy_override = nullptr;

}

WrongVariant::WrongVariant(char const* word, void (*install)())
    : m_word(word)
    , m_install(install)
    , m_next(g_variants)
{
    g_variants = this;
}

void apply_selftest_variant()
{
    if (g_variant_applied)
        return;
    g_variant_applied = true;
    auto word = kernel_cmdline().get(StringView("selftest.wrong"));
    if (!word.has_value())
        return;
    for (WrongVariant* variant = g_variants; variant; variant = variant->m_next) {
        if (*word == StringView(variant->m_word)) {
            log_warn("selftest: installing the purpose-made wrong variant %s\n", variant->m_word);
            variant->m_install();
            return;
        }
    }
    // Other subsystems have wrong variants of their own; this is only about the block layer's.
    log_debug("block: no wrong variant called %.*s here\n", int(word->length()), word->characters());
}

void override_scheduler(IoScheduler const& wrong) { g_scheduler_override = &wrong; }
void override_cache_policy(CachePolicy const& wrong) { g_cache_policy_override = &wrong; }

IoScheduler const* scheduler_override(StringView name)
{
    if (g_scheduler_override && name == StringView(g_scheduler_override->name))
        return g_scheduler_override;
    return nullptr;
}

CachePolicy const* cache_policy_override() { return g_cache_policy_override; }

IoScheduler const* find_scheduler_for_selection(StringView name)
{
    apply_selftest_variant();
    if (IoScheduler const* wrong = scheduler_override(name))
        return wrong;
    return find_scheduler(name);
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
