#pragma once
// The stack's timers: a function to run at a deadline, in the "net-timer" kernel thread (so it
// may transmit, but should not sleep long). One thread serves every timer; it sleeps until the
// earliest deadline and not at all while none is armed.
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace net {

class Timer {
public:
    using Function = void (*)(void* ctx);
    Timer(Function fn, void* ctx) : m_fn(fn), m_ctx(ctx) {}
    ~Timer() { cancel(); }
    Timer(Timer const&) = delete;
    Timer& operator=(Timer const&) = delete;

    // Runs fn(ctx) once at (or soon after) `deadline_ns`; re-arming moves the deadline.
    // Context: any but IRQ.
    void arm(u64 deadline_ns);
    // Context: any but IRQ. After cancel() returns, fn is not called for the earlier arming
    // unless it had already started.
    void cancel();
    bool is_armed() const;

    IntrusiveListNode m_link;   // Guarded by the timer list lock

private:
    friend struct TimerList;
    Function m_fn;
    void* m_ctx;
    u64 m_deadline { 0 };
};

// Starts the thread. Context: thread (net::init).
void timer_init();

}
