// Budgeted polling on top of a tasklet, optionally continued in a thread (see
// include/kernel/irq/napi.h).
//
// States: Idle (the device's interrupt is armed), Scheduled (the tasklet will poll) and Threaded
// (the thread polls). Only schedule() leaves Idle, and only the poller that finishes under
// budget returns to it, just before it rearms the device, so two pollers never run at once.
#include <kernel/irq/napi.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/thread.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace irq {

NapiPoll::NapiPoll(PollFunction poll, RearmFunction rearm, void* ctx, u32 budget, char const* name)
    : m_tasklet(run, this, name), m_poll(poll), m_rearm(rearm), m_ctx(ctx), m_budget(budget)
{
    kstd::snprintf(m_thread_name, sizeof(m_thread_name), "napi/%s", name);
}

NapiPoll::~NapiPoll() { kill(); }

ErrorOr<void> NapiPoll::start_thread(int priority)
{
    if (m_thread)
        return Error::from_errno(EBUSY);
    m_thread = TRY(sched::spawn(m_thread_name, thread_main, this, priority));
    return {};
}

void NapiPoll::schedule()
{
    InterruptsDisabled guard;
    if (m_state != State::Idle || m_stopping)
        return;
    __atomic_store_n(&m_state, State::Scheduled, __ATOMIC_RELEASE);
    m_tasklet.schedule();
}

void NapiPoll::kill()
{
    m_stopping = true;
    m_tasklet.kill();
    if (m_thread) {
        m_thread_wait.wake_all();
        (void)sched::join(m_thread);   // it finishes the poll it is in, then sees m_stopping
        m_thread = nullptr;
    }
    __atomic_store_n(&m_state, State::Idle, __ATOMIC_RELEASE);
}

bool NapiPoll::poll_once()
{
    u32 done = m_poll(m_ctx, m_budget);
    ++m_polls;
    m_items += done;
    if (done > m_max_items)
        m_max_items = done;
    if (done < m_budget)
        return false;
    ++m_exhausted;
    return true;
}

void NapiPoll::go_idle()
{
    __atomic_store_n(&m_state, State::Idle, __ATOMIC_RELEASE);
    ++m_rearms;
    m_rearm(m_ctx);
}

void NapiPoll::run(void* self)
{
    auto& napi = *static_cast<NapiPoll*>(self);
    if (napi.m_stopping)
        return;
    if (!napi.poll_once()) {
        napi.go_idle();
        return;
    }
    // More work may be waiting: stay in polling mode with the device's interrupts masked.
    if (napi.m_thread) {
        __atomic_store_n(&napi.m_state, State::Threaded, __ATOMIC_RELEASE);
        napi.m_thread_wait.wake_one();
        return;
    }
    napi.m_tasklet.schedule();
}

// Polls while every poll uses its whole budget, one poll per turn: after each it yields to the
// other ready threads of its priority, so that under a flood an ordinary thread runs a whole
// time slice for every budget of packets (Linux's ksoftirqd runs one softirq batch per turn in
// the same way). Alone, it polls back to back.
void NapiPoll::thread_main(void* self)
{
    auto& napi = *static_cast<NapiPoll*>(self);
    for (;;) {
        napi.m_thread_wait.wait_event([&napi] {
            return __atomic_load_n(&napi.m_state, __ATOMIC_ACQUIRE) == State::Threaded || napi.m_stopping;
        });
        if (napi.m_stopping)
            return;
        while (!napi.m_stopping) {
            ++napi.m_thread_polls;
            if (!napi.poll_once()) {
                napi.go_idle();
                break;
            }
            sched::yield();
        }
    }
}

}
