#pragma once
// Shared by tests/kernel/irqchip_*.cpp and time_*.cpp: bring up what the tests need when
// kernel_main has not (yet) done it, and idle the CPU without keeping interrupts on afterwards.
#include <kernel/sched/sync.h>
#include <kernel/irq/irqchip.h>
#include <kernel/irq_flags.h>
#include <kernel/kernel.h>
#include <kernel/time/clock.h>
#include <kstd/error.h>
#include <kstd/string.h>

namespace irqchip_test {

// The controller the command line asks for (`irqchip=apic`; anything else means the PIC).
inline irq::ChipKind requested_kind()
{
    auto word = kernel_cmdline().get("irqchip");
    return word.has_value() && *word == kstd::StringView("apic") ? irq::ChipKind::Apic : irq::ChipKind::Pic;
}

inline bool tick_forced_to_pit()
{
    auto word = kernel_cmdline().get("tick");
    return word.has_value() && *word == kstd::StringView("pit");
}

// kernel_main brings up the controller, the clock and the tick before any test runs; a test
// only checks that it did.
inline ErrorOr<void> bring_up()
{
    if (!time::tick_running() || time::tsc_hz() == 0)
        return Error::from_errno(ENODEV);
    return {};
}

// Halts with interrupts enabled until `ns` of clock time has passed, then restores the caller's
// interrupt state. Every interrupt (at least the tick) wakes the CPU; under TCG a halted CPU
// loses no ticks, a busy one does (qemu-platform-facts.md section 7).
inline void idle_for_ns(u64 ns)
{
    bool were_enabled = arch::save_and_disable_interrupts();
    u64 end = sched::deadline_after(ns);
    while (time::now_ns() < end) {
        arch::wait_for_interrupt();
        arch::disable_interrupts_now();
    }
    arch::restore_interrupts(were_enabled);
}

// Spins (no hlt) with interrupts enabled for `ns`: for waits where no interrupt may come.
inline void spin_for_ns(u64 ns)
{
    bool were_enabled = arch::save_and_disable_interrupts();
    arch::enable_interrupts_now();
    time::busy_wait_ns(ns);
    arch::disable_interrupts_now();
    arch::restore_interrupts(were_enabled);
}

}
