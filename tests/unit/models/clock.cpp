// The models' simulated clock (clock.h). The kernel's clock functions that read and spend it are
// in kernel_time.cpp.
#include <kstd/error.h>
#include "clock.h"

namespace models {

Clock& clock()
{
    static Clock instance;
    return instance;
}

void Clock::advance(u64 ns) { advance_to(m_now + ns); }

void Clock::advance_to(u64 time_ns)
{
    if (time_ns > m_now)
        m_now = time_ns;
    fire_due();
}

// An event's action may touch ports, which spends time, which would fire events from inside
// an event: the outer loop fires them instead, one at a time, in order.
void Clock::fire_due()
{
    if (m_firing)
        return;
    m_firing = true;
    while (!m_events.empty() && m_events.begin()->first.first <= m_now) {
        auto action = std::move(m_events.begin()->second);
        m_events.erase(m_events.begin());
        action();
    }
    m_firing = false;
}

Clock::EventId Clock::schedule(u64 at_ns, std::function<void()> action)
{
    EventId id = m_next_id++;
    m_events.emplace(std::make_pair(at_ns, id), std::move(action));
    return id;
}

void Clock::cancel(EventId id)
{
    for (auto it = m_events.begin(); it != m_events.end(); ++it) {
        if (it->first.second == id) {
            m_events.erase(it);
            return;
        }
    }
}

u64 Clock::next_event_time() const
{
    VERIFY(!m_events.empty());
    return m_events.begin()->first.first;
}

bool Clock::sleep_until_event(u64 limit_ns)
{
    if (!m_events.empty() && next_event_time() <= limit_ns) {
        advance_to(next_event_time());
        return true;
    }
    if (limit_ns != ~0ull)
        advance_to(limit_ns);
    return false;
}

u64 clock_now_ns() { return clock().now(); }
void clock_spend_ns(u64 ns) { clock().advance(ns); }

void Clock::reset()
{
    m_now = 0;
    m_events.clear();
    m_firing = false;
    m_access_cost_ns = 100;
}

}
