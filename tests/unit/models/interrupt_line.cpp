// Interrupt lines and the simulated CPU (interrupt_line.h), and the host definitions of the
// kernel's interrupt-flag functions and tasklets in terms of it.
#include <kstd/error.h>
#include "interrupt_line.h"
#include "clock.h"
#include <arch/platform.h>
#include <kernel/irq/irq.h>
#include <kernel/irq/tasklet.h>
#include <kernel/irq_flags.h>
#include <algorithm>
#include <vector>

namespace models {

namespace {

std::vector<InterruptLine*> g_lines;          // every live line, to find deliverable ones
std::vector<irq::Tasklet*> g_tasklets;        // scheduled, in order

}

InterruptLine::InterruptLine(std::string name, Trigger trigger) : m_name(std::move(name)), m_trigger(trigger)
{
    g_lines.push_back(this);
}

InterruptLine::~InterruptLine()
{
    std::erase(g_lines, this);
}

bool InterruptLine::wants_delivery() const
{
    if (!m_handler || m_masked || m_storm)
        return false;
    return m_trigger == Trigger::Edge ? m_edge_pending : m_high;
}

void InterruptLine::set_masked(bool masked)
{
    m_masked = masked;
    if (!masked)
        cpu().request(*this);
}

void InterruptLine::set_level(bool high)
{
    bool const was_high = m_high;
    bool const rising = high && !was_high;
    m_high = high;
    if (rising)
        ++m_rising_edges;
    if (m_route) {
        if (high != was_high)
            m_route(high);
        return;
    }
    if (rising)
        m_edge_pending = true;
    if (rising || (high && m_trigger == Trigger::Level))
        cpu().request(*this);
}

Cpu& cpu()
{
    static Cpu instance;
    return instance;
}

bool Cpu::save_and_disable()
{
    bool were = m_interrupts_enabled;
    m_interrupts_enabled = false;
    return were;
}

void Cpu::restore(bool were_enabled)
{
    m_interrupts_enabled = were_enabled;
    if (were_enabled)
        deliver_pending();
}

void Cpu::request(InterruptLine&)
{
    if (m_interrupts_enabled && !m_in_interrupt)
        deliver_pending();
}

void Cpu::forget(InterruptLine& line) { line.m_edge_pending = false; }

// Runs one line's handler as the CPU would: interrupts off, in interrupt context; a level line
// that stays high comes straight back, up to the storm limit.
void Cpu::deliver(InterruptLine& line)
{
    u32 rounds = 0;
    while (line.wants_delivery()) {
        if (++rounds > InterruptLine::MAX_REDELIVERIES) {
            line.m_storm = true;
            return;
        }
        line.m_edge_pending = false;
        ++line.m_deliveries;
        ++m_interrupts_taken;
        m_interrupts_enabled = false;
        m_in_interrupt = true;
        line.m_handler();
        m_in_interrupt = false;
        m_interrupts_enabled = true;
        if (line.m_trigger == Trigger::Edge)
            return;
    }
}

void Cpu::deliver_pending()
{
    if (m_delivering || !m_interrupts_enabled || m_in_interrupt)
        return;
    m_delivering = true;
    bool again = true;
    while (again) {
        again = false;
        for (usize i = 0; i < g_lines.size(); ++i) {
            if (g_lines[i]->wants_delivery()) {
                deliver(*g_lines[i]);
                again = true;
            }
        }
        if (!again && !m_in_tasklet && tasklets_pending()) {
            run_tasklets();
            again = true;
        }
    }
    m_delivering = false;
}

void Cpu::schedule_tasklet(irq::Tasklet& tasklet)
{
    if (std::find(g_tasklets.begin(), g_tasklets.end(), &tasklet) == g_tasklets.end())
        g_tasklets.push_back(&tasklet);
    if (m_interrupts_enabled && !m_in_interrupt && !m_in_tasklet)
        deliver_pending();
}

void Cpu::cancel_tasklet(irq::Tasklet& tasklet) { std::erase(g_tasklets, &tasklet); }

bool Cpu::tasklets_pending() const { return !g_tasklets.empty(); }

void Cpu::run_tasklets() { irq::run_pending_tasklets(irq::MAX_ROUNDS_ON_IRQ_EXIT); }

void Cpu::reset()
{
    m_interrupts_enabled = true;
    m_in_interrupt = m_in_tasklet = m_delivering = false;
    m_interrupts_taken = 0;
    g_tasklets.clear();
    for (auto* line : g_lines)
        line->m_edge_pending = false;
}

}

// ---- the kernel's interrupt flag, on the host CPU --------------------------------------------

bool arch::save_and_disable_interrupts() { return models::cpu().save_and_disable(); }
void arch::restore_interrupts(bool were_enabled) { models::cpu().restore(were_enabled); }
void arch::enable_interrupts_now() { models::cpu().restore(true); }
void arch::disable_interrupts_now() { (void)models::cpu().save_and_disable(); }
bool arch::interrupts_are_enabled() { return models::cpu().interrupts_enabled(); }
// Halting until the next interrupt: let the models' time run to their next event.
void arch::wait_for_interrupt()
{
    models::cpu().restore(true);
    (void)models::clock().sleep_until_event(~0ull);
}
void arch::cpu_relax() { models::clock().advance(10); }

bool irq::in_irq() { return models::cpu().in_interrupt(); }
bool irq::in_softirq() { return models::cpu().in_tasklet(); }
bool irq::in_atomic() { return in_irq() || in_softirq() || !models::cpu().interrupts_enabled(); }

// ---- tasklets ----------------------------------------------------------------------------------

namespace irq {

Tasklet::~Tasklet() { models::cpu().cancel_tasklet(*this); }

void Tasklet::schedule()
{
    if (m_scheduled)
        return;
    m_scheduled = true;
    models::cpu().schedule_tasklet(*this);
}

void Tasklet::kill()
{
    models::cpu().cancel_tasklet(*this);
    m_scheduled = false;
}

bool tasklets_pending() { return models::cpu().tasklets_pending(); }

// Interrupts on while each runs, as on the kernel's interrupt exit path.
void run_pending_tasklets(unsigned max_rounds)
{
    for (unsigned round = 0; round < max_rounds && !models::g_tasklets.empty(); ++round) {
        Tasklet* tasklet = models::g_tasklets.front();
        models::g_tasklets.erase(models::g_tasklets.begin());
        tasklet->m_scheduled = false;
        tasklet->m_running = true;
        ++tasklet->m_runs;
        models::cpu().set_in_tasklet(true);
        tasklet->m_fn(tasklet->m_ctx);
        models::cpu().set_in_tasklet(false);
        tasklet->m_running = false;
    }
}

}
