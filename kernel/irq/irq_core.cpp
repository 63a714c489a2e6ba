// The IRQ core: handler lists per line, dispatch with per-line statistics, and the "nobody
// cared" detector that switches off a line no handler claims (Linux's note_interrupt idea).
#include <kernel/irq/irq.h>
#include <kernel/irq/irq_internal.h>
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace irq {

namespace {

struct LineState {
    IrqAction* actions { nullptr };   // Guarded by disabling interrupts
    u64 handled { 0 };
    u64 unhandled { 0 };
    u64 spurious { 0 };
    u32 unhandled_streak { 0 };
    bool disabled { false };
};

LineState g_lines[MAX_IRQ_LINES];
u64 g_spurious_apic = 0;

bool line_shareable(LineState const& state, IrqFlags flags)
{
    for (IrqAction* a = state.actions; a; a = a->next) {
        if (!has_flag(a->flags, IrqFlags::Shared) || !has_flag(flags, IrqFlags::Shared))
            return false;
    }
    return true;
}

[[maybe_unused]] void nobody_cared(IrqLine line, LineState& state)
{
    irqchip().mask(line);
    state.disabled = true;
    kstd::FormatBuffer<128> handlers;
    for (IrqAction* a = state.actions; a; a = a->next)
        handlers.append("%s%s", a->name, a->next ? ", " : "");
    log_error("irq %u: nobody cared: %u interrupts in a row claimed by no handler (%s); disabling the line\n",
              line, state.unhandled_streak, state.actions ? handlers.c_str() : "no handlers");
}

// Handout scaffolding, not part of lab 2's answer. Before a student has written dispatch(),
// the kernel still needs its clock: the scheduler's tick arrives through here in PIC mode. So
// this runs the tick's handler and nothing else. Any other line is masked, with one log line,
// so that an interrupt nobody can serve yet does not come back forever.
[[maybe_unused]] void dispatch_tick_only(IrqLine line, LineState& state)
{
    IrqChip& chip = irqchip();
    if (i32(line) == time::tick_irq_line() && state.actions) {
        state.actions->handler(state.actions->ctx);
        ++state.handled;
        chip.eoi(line);
        return;
    }
    ++state.unhandled;
    chip.mask(line);
    if (!state.disabled) {
        state.disabled = true;
        log_warn("irq %u: not dispatched: irq::dispatch() (kernel/irq/irq_core.cpp) is still the lab 2 "
                 "stub; line masked\n", line);
    }
    chip.eoi(line);
}

}

ErrorOr<IrqHandle> request_irq(IrqLine line, Handler handler, void* ctx, IrqFlags flags, char const* name)
{
    return request_threaded_irq(line, handler, nullptr, ctx, flags, name);
}

ErrorOr<IrqHandle> request_threaded_irq(IrqLine line, Handler handler, ThreadFunction thread_fn, void* ctx,
                                        IrqFlags flags, char const* name)
{
    if (line >= irqchip().line_count() || !handler)
        return Error::from_errno(EINVAL);
    auto* action = new (kstd::nothrow) IrqAction { handler, thread_fn, ctx, flags, name, line };
    if (!action)
        return Error::from_errno(ENOMEM);
    if (thread_fn) {
        if (auto started = start_irq_thread(*action); started.is_error()) {
            delete action;
            return started.release_error();
        }
    }
    {
        InterruptsDisabled guard;
        LineState& state = g_lines[line];
        if (!line_shareable(state, flags)) {
            stop_irq_thread_if_any(*action);
            delete action;
            return Error::from_errno(EBUSY);
        }
        bool first = state.actions == nullptr;
        IrqAction** tail = &state.actions;
        while (*tail)
            tail = &(*tail)->next;
        *tail = action;
        if (first) {
            state.disabled = false;
            state.unhandled_streak = 0;
            irqchip().unmask(line);
        }
    }
    return IrqHandle(line, action);
}

void IrqHandle::release()
{
    if (!m_action)
        return;
    auto* action = static_cast<IrqAction*>(kstd::exchange(m_action, nullptr));
    {
        InterruptsDisabled guard;
        LineState& state = g_lines[m_line];
        for (IrqAction** link = &state.actions; *link; link = &(*link)->next) {
            if (*link == action) {
                *link = action->next;
                break;
            }
        }
        if (!state.actions)
            irqchip().mask(m_line);
    }
    stop_irq_thread_if_any(*action);
    delete action;
}

IrqHandle::IrqHandle(IrqHandle&& other)
    : m_line(other.m_line), m_action(kstd::exchange(other.m_action, nullptr))
{
}

IrqHandle& IrqHandle::operator=(IrqHandle&& other)
{
    if (this != &other) {
        release();
        m_line = other.m_line;
        m_action = kstd::exchange(other.m_action, nullptr);
    }
    return *this;
}

void dispatch(IrqLine line)
{
    IrqChip& chip = irqchip();
    if (line >= MAX_IRQ_LINES)
        return;
    LineState& state = g_lines[line];
    if (chip.is_spurious(line)) {
        ++state.spurious;
        chip.acknowledge_spurious(line);
        return;
    }
    // Every handler on the line is asked, in the order they were installed: on a shared line
    // more than one device may want service. Then the statistics, then the EOI, which lets the
    // controller deliver this line (and, on the 8259, every line of lower priority) again.
    // BEGIN LAB 2
    bool claimed = false;
    for (IrqAction* a = state.actions; a; a = a->next) {
        IrqReturn result = a->handler(a->ctx);
        if (result == IrqReturn::None)
            continue;
        claimed = true;
        if (result == IrqReturn::WakeThread)
            wake_irq_thread(*a);
    }
    if (claimed) {
        ++state.handled;
        state.unhandled_streak = 0;
    } else {
        ++state.unhandled;
        if (++state.unhandled_streak >= NOBODY_CARED_THRESHOLD && !state.disabled)
            nobody_cared(line, state);
    }
    chip.eoi(line);
    // END LAB 2
    // STUB LAB 2: dispatch_tick_only(line, state);   // lab 2: call the handlers, count, EOI
}

void note_spurious_apic() { ++g_spurious_apic; }
u64 spurious_apic_count() { return g_spurious_apic; }

LineStats line_stats(IrqLine line)
{
    if (line >= MAX_IRQ_LINES)
        return {};
    InterruptsDisabled guard;
    LineState const& s = g_lines[line];
    u32 handlers = 0;
    for (IrqAction* a = s.actions; a; a = a->next)
        ++handlers;
    return LineStats { s.handled, s.unhandled, s.spurious, s.disabled, handlers };
}

void for_each_action(IrqLine line, void (*fn)(IrqAction const&, void*), void* ctx)
{
    InterruptsDisabled guard;
    for (IrqAction* a = g_lines[line].actions; a; a = a->next)
        fn(*a, ctx);
}

}
