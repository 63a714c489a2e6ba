#pragma once
// Purpose-made wrong drivers for the grader's self-tests, kept out of production paths
// (docs/writing-a-driver.md, "Test-only behaviour").
//
// A wrong mode is an ops table of its own, written in an instructor-only file
// (`*.instructor.cpp`, never in a student handout), that registers itself as a replacement for
// one of the driver's real tables:
//
//     // drivers/char/uart16550/selftest.instructor.cpp
//     UartModeOps const secret_poll_ops = ...;   // irq mode whose write polls LSR
//     selftest::WrongOps<UartModeOps> const secret_poll { "uart_secret_poll", irq_mode_ops, secret_poll_ops };
//
// and the driver chooses its table once, at probe, through choose():
//
//     port->m_mode = &selftest::WrongOps<UartModeOps>::choose(irq_mode_ops);
//
// which returns the real table unless the command line says `selftest.wrong=uart_secret_poll`.
// So the data paths have no `if (misbehave)`: a wrong driver is a different table, and in a
// handout (where the instructor file is missing) choose() can only return the real one.
// Registration runs in a global constructor (before the heap exists: it only links a node).
#include <kstd/types.h>

namespace selftest {

// Whether `selftest.wrong=` on the command line names `name`; logs that a wrong driver is in
// use when it does. Context: thread.
bool wrong_requested(char const* name);

template<typename Ops>
class WrongOps {
public:
    WrongOps(char const* name, Ops const& replaces, Ops const& wrong)
        : m_name(name), m_replaces(replaces), m_wrong(wrong), m_next(s_first)
    {
        s_first = this;
    }
    WrongOps(WrongOps const&) = delete;
    WrongOps& operator=(WrongOps const&) = delete;

    // `chosen`, or the wrong table registered for it that the command line asks for.
    static Ops const& choose(Ops const& chosen)
    {
        for (WrongOps const* w = s_first; w; w = w->m_next) {
            if (&w->m_replaces == &chosen && wrong_requested(w->m_name))
                return w->m_wrong;
        }
        return chosen;
    }

private:
    char const* m_name;
    Ops const& m_replaces;
    Ops const& m_wrong;
    WrongOps const* m_next;
    static inline WrongOps const* s_first = nullptr;
};

}
