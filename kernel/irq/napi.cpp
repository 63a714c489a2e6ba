// Budgeted polling on top of a tasklet (see include/kernel/irq/napi.h).
#include <kernel/irq/napi.h>
#include <kstd/enforce.h>

namespace irq {

NapiPoll::NapiPoll(PollFunction poll, RearmFunction rearm, void* ctx, u32 budget, char const* name)
    : m_tasklet(run, this, name), m_poll(poll), m_rearm(rearm), m_ctx(ctx), m_budget(budget)
{
}

void NapiPoll::run(void* self)
{
    auto& napi = *static_cast<NapiPoll*>(self);
    u32 done = napi.m_poll(napi.m_ctx, napi.m_budget);
    ++napi.m_polls;
    napi.m_items += done;
    if (done >= napi.m_budget) {
        // More work may be waiting: stay in polling mode with the device's interrupts masked.
        ++napi.m_exhausted;
        napi.m_tasklet.schedule();
        return;
    }
    ++napi.m_rearms;
    napi.m_rearm(napi.m_ctx);
}

}
