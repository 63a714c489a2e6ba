#pragma once
// Helpers shared by the scheduler and synchronisation tests (tests/kernel/sched_*.cpp,
// sync_*.cpp): an event log that threads append to, and a scope that changes the test thread's
// priority and always restores it, so one test cannot leak a priority into the next.
#include <kernel/irq_flags.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/types.h>

namespace sched_test {

inline constexpr u64 MS = time::NS_PER_MS;

// Appends are atomic with respect to preemption (interrupts off), so entries from several
// threads never tear. Entries past the capacity are counted but dropped.
template<usize Capacity>
class EventLog {
public:
    void append(int value)
    {
        InterruptsDisabled guard;
        if (m_count < Capacity)
            m_items[m_count] = value;
        m_count = m_count + 1;
    }
    // Appends `value` only if the last entry differs (records who ran, not how often).
    void append_if_changed(int value)
    {
        InterruptsDisabled guard;
        if (m_count > 0 && m_count <= Capacity && m_items[m_count - 1] == value)
            return;
        append(value);
    }
    void reset()
    {
        InterruptsDisabled guard;
        m_count = 0;
    }
    usize size() const { return m_count; }
    int operator[](usize index) const { return index < Capacity ? m_items[index] : -1; }

private:
    int m_items[Capacity] {};
    usize volatile m_count { 0 };
};

class PriorityScope {
public:
    explicit PriorityScope(int priority) : m_saved(sched::base_priority(sched::current()))
    {
        sched::set_priority(sched::current(), priority);
    }
    ~PriorityScope() { sched::set_priority(sched::current(), m_saved); }
    PriorityScope(PriorityScope const&) = delete;
    PriorityScope& operator=(PriorityScope const&) = delete;

private:
    int m_saved;
};

}
