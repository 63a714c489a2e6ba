#pragma once
// NAPI-style budgeted polling (the e1000_clean logic): the top half masks the device's
// interrupts and schedules the poll; the poll tasklet processes at most `budget` items; if it
// used the whole budget it reschedules itself (stays in polling mode), otherwise it calls
// `rearm` to unmask the device and goes back to interrupt mode.
#include <kernel/irq/tasklet.h>
#include <kstd/types.h>

namespace irq {

class NapiPoll {
public:
    // poll(ctx, budget) returns how many items it processed (<= budget). rearm(ctx) re-enables
    // the device's interrupts. Both run in softirq context.
    using PollFunction = u32 (*)(void* ctx, u32 budget);
    using RearmFunction = void (*)(void* ctx);

    NapiPoll(PollFunction poll, RearmFunction rearm, void* ctx, u32 budget, char const* name);

    // From the top half, after masking the device. Context: any.
    void schedule() { m_tasklet.schedule(); }
    void kill() { m_tasklet.kill(); }

    u64 polls() const { return m_polls; }
    u64 budget_exhausted() const { return m_exhausted; }
    u64 items() const { return m_items; }
    u64 rearms() const { return m_rearms; }

private:
    static void run(void* self);
    Tasklet m_tasklet;
    PollFunction m_poll;
    RearmFunction m_rearm;
    void* m_ctx;
    u32 m_budget;
    u64 m_polls { 0 }, m_exhausted { 0 }, m_items { 0 }, m_rearms { 0 };
};

}
