#pragma once
// The device models' clock (host unit tests): simulated time that only moves when something
// spends it. Every port or MMIO access costs `access_cost_ns` (an ISA-bus cycle, by default
// 100 ns), a busy wait costs what it asks for, and a thread that sleeps jumps to the next event.
// The kernel's time::now_ns() and time::busy_wait_ns() read and spend this clock on the host.
//
// Device models schedule their own progress ("the sector is ready 50 us after the command")
// with schedule(); events fire in time order as the clock passes them, so a driver that polls
// a status register sees BSY clear once enough polling time has gone by, and an interrupt
// arrives while the driver is doing something else, as on real hardware.
#include <kstd/types.h>
#include <functional>
#include <map>

namespace models {

class Clock {
public:
    using EventId = u64;

    u64 now() const { return m_now; }
    // Moves time forward by `ns`, firing every event that falls due, in order.
    void advance(u64 ns);
    void advance_to(u64 time_ns);
    // One bus access's worth of time (port and MMIO buses call this).
    void spend_access() { advance(m_access_cost_ns); }
    void set_access_cost(u64 ns) { m_access_cost_ns = ns; }
    u64 access_cost() const { return m_access_cost_ns; }

    // Runs `action` when the clock reaches `at_ns` (at once, on the next advance, when it is in
    // the past). Returns an id for cancel().
    EventId schedule(u64 at_ns, std::function<void()> action);
    EventId schedule_in(u64 delay_ns, std::function<void()> action) { return schedule(m_now + delay_ns, std::move(action)); }
    void cancel(EventId id);
    bool has_events() const { return !m_events.empty(); }
    u64 next_event_time() const;
    // A sleeping thread's view: jump to the next event if it is due by `limit_ns` and fire it;
    // otherwise move to `limit_ns` (when finite). Returns whether an event fired.
    bool sleep_until_event(u64 limit_ns);

    // Back to time zero with no events (each test starts from a clean clock).
    void reset();

private:
    void fire_due();

    u64 m_now { 0 };
    u64 m_access_cost_ns { 100 };
    EventId m_next_id { 1 };
    bool m_firing { false };
    // Ordered by (time, id): events at the same time fire in the order they were scheduled.
    std::map<std::pair<u64, EventId>, std::function<void()>> m_events;
};

Clock& clock();

// For kernel_time.cpp, which cannot include the C++ library (the kernel's `namespace time`
// collides with the C library's time()).
u64 clock_now_ns();
void clock_spend_ns(u64 ns);

}
