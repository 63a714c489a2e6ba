#pragma once
// Saving and restoring the interrupt flag from outside arch/ (the only legal way for kernel
// code to mask interrupts on this uniprocessor kernel).
#include <kstd/types.h>

namespace arch {
// Disables interrupts and returns whether they were enabled before.
bool save_and_disable_interrupts();
void restore_interrupts(bool were_enabled);
void enable_interrupts_now();
void disable_interrupts_now();
bool interrupts_are_enabled();
// Sleeps the CPU until the next interrupt (enables interrupts atomically with the halt).
void wait_for_interrupt();
}

// RAII: interrupts off for the guard's lifetime, then back to what they were.
class InterruptsDisabled {
public:
    InterruptsDisabled() : m_were_enabled(arch::save_and_disable_interrupts()) {}
    ~InterruptsDisabled() { arch::restore_interrupts(m_were_enabled); }
    InterruptsDisabled(InterruptsDisabled const&) = delete;
    InterruptsDisabled& operator=(InterruptsDisabled const&) = delete;

private:
    bool m_were_enabled;
};
