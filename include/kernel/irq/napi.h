#pragma once
// NAPI-style budgeted polling (the e1000_clean logic): the top half masks the device's
// interrupts and schedules the poll; the poll processes at most `budget` items; if it used the
// whole budget more work is probably waiting, so polling continues with the device still masked;
// otherwise `rearm` unmasks the device and polling stops until the next interrupt.
//
// Where polling continues after a full budget decides who wins under overload (the lecture's
// receive livelock). By default the tasklet simply reschedules itself, which runs it again on
// the next interrupt exit, ahead of every thread. With start_thread(), the following polls run
// in a kernel thread ("napi/NAME") instead, at a normal priority and one budget per turn: a
// flood then gets a budget of packets for every time slice the other threads use, and the
// packets beyond that are dropped by the device, before any work was spent on them (Linux's
// threaded NAPI; its ksoftirqd plays the same role).
#include <kernel/irq/tasklet.h>
#include <kernel/sched/sync.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace irq {

class NapiPoll {
public:
    // poll(ctx, budget) returns how many items it processed (<= budget). rearm(ctx) re-enables
    // the device's interrupts. Both run in softirq context, or in the NAPI thread: they must not
    // sleep either way.
    using PollFunction = u32 (*)(void* ctx, u32 budget);
    using RearmFunction = void (*)(void* ctx);

    NapiPoll(PollFunction poll, RearmFunction rearm, void* ctx, u32 budget, char const* name);
    // Stops polling for good (kill()). Context: thread.
    ~NapiPoll();
    NapiPoll(NapiPoll const&) = delete;
    NapiPoll& operator=(NapiPoll const&) = delete;

    // Continues busy polling in a kernel thread of `priority` (see above). Errors: ENOMEM,
    // EINVAL (bad priority), EBUSY (already started). Context: thread.
    [[nodiscard]] ErrorOr<void> start_thread(int priority = sched::PRIORITY_DEFAULT);

    // From the top half, after masking the device: starts polling unless it is already
    // polling (a second interrupt cause while polling is absorbed). Context: any.
    void schedule();
    // Stops polling for good: cancels a scheduled poll, waits for one in progress, ends the
    // thread; later schedule() calls do nothing. Mask the device first. Context: thread.
    void kill();

    bool is_polling() const { return __atomic_load_n(&m_state, __ATOMIC_ACQUIRE) != State::Idle; }
    u32 budget() const { return m_budget; }
    u64 polls() const { return m_polls; }
    u64 budget_exhausted() const { return m_exhausted; }
    u64 items() const { return m_items; }
    u64 rearms() const { return m_rearms; }
    u64 thread_polls() const { return m_thread_polls; }
    u32 max_items() const { return m_max_items; }   // the most one poll processed

private:
    enum class State : u8 { Idle, Scheduled, Threaded };

    static void run(void* self);
    static void thread_main(void* self);
    // One poll and its accounting; true when it used the whole budget.
    bool poll_once();
    void go_idle();

    Tasklet m_tasklet;
    PollFunction m_poll;
    RearmFunction m_rearm;
    void* m_ctx;
    u32 m_budget;
    State m_state { State::Idle };   // changed with interrupts disabled
    bool volatile m_stopping { false };
    sched::Thread* m_thread { nullptr };
    sched::WaitQueue m_thread_wait;   // the thread sleeps here while not Threaded
    char m_thread_name[24] {};
    u64 m_polls { 0 }, m_exhausted { 0 }, m_items { 0 }, m_rearms { 0 }, m_thread_polls { 0 };
    u32 m_max_items { 0 };
};

}
