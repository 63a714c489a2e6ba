#pragma once
// The IRQ core: request_irq(), shared lines, per-line statistics, "nobody cared" detection.
// A top half runs with interrupts off, must not sleep or allocate, and follows the order
// *is it mine -> acknowledge the device -> (the core sends EOI) -> defer*.
#include <kernel/irq/irqchip.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace irq {

enum class IrqReturn : u8 {
    None,         // not my device (shared lines: the next handler is asked)
    Handled,      // my device, done
    WakeThread,   // my device; run the threaded handler (request_threaded_irq)
};

using Handler = IrqReturn (*)(void* ctx);
using ThreadFunction = void (*)(void* ctx);

enum class IrqFlags : u32 {
    None = 0,
    Shared = 1 << 0,    // other handlers may share the line (each must say None when not theirs)
    OneShot = 1 << 1,   // threaded: keep the line masked until the thread function returns
};
constexpr IrqFlags operator|(IrqFlags a, IrqFlags b) { return IrqFlags(u32(a) | u32(b)); }
constexpr bool has_flag(IrqFlags set, IrqFlags bit) { return (u32(set) & u32(bit)) != 0; }

class IrqHandle;

// Installs `handler` on `line` and unmasks it. Errors: EINVAL (bad line, null handler), EBUSY
// (line taken without Shared on both sides), ENOMEM. The returned handle frees the line.
// Context: thread.
[[nodiscard]] ErrorOr<IrqHandle> request_irq(IrqLine line, Handler handler, void* ctx, IrqFlags flags,
                                             char const* name);

// Like request_irq, plus a thread function that runs in its own kernel thread whenever the
// handler returns WakeThread. With OneShot the line stays masked until thread_fn returns.
[[nodiscard]] ErrorOr<IrqHandle> request_threaded_irq(IrqLine line, Handler handler, ThreadFunction thread_fn,
                                                      void* ctx, IrqFlags flags, char const* name);

// Owning handle: destroying it (or release()) removes the handler and masks the line when it
// was the last one. Move-only.
class IrqHandle {
public:
    IrqHandle() = default;
    IrqHandle(IrqHandle&& other);
    IrqHandle& operator=(IrqHandle&& other);
    IrqHandle(IrqHandle const&) = delete;
    IrqHandle& operator=(IrqHandle const&) = delete;
    ~IrqHandle() { release(); }

    void release();
    bool is_valid() const { return m_action != nullptr; }
    IrqLine line() const { return m_line; }

private:
    friend ErrorOr<IrqHandle> request_threaded_irq(IrqLine, Handler, ThreadFunction, void*, IrqFlags, char const*);
    IrqHandle(IrqLine line, void* action) : m_line(line), m_action(action) {}
    IrqLine m_line { 0 };
    void* m_action { nullptr };
};

struct LineStats {
    u64 handled;     // interrupts some handler claimed
    u64 unhandled;   // interrupts no handler claimed
    u64 spurious;    // spurious interrupts (PIC 7/15, LAPIC spurious vector)
    bool disabled;   // switched off by the "nobody cared" detector
    u32 handlers;    // how many handlers are installed
};
LineStats line_stats(IrqLine line);
u64 spurious_apic_count();

// A line that fires this many times in a row with no handler claiming it is disabled.
inline constexpr u32 NOBODY_CARED_THRESHOLD = 1000;

// The arch dispatcher brackets every external interrupt with these: enter_hardirq() marks IRQ
// context; exit_hardirq() (interrupts still off) runs pending tasklets when this was the
// outermost interrupt, then preempts the interrupted thread if a higher-priority one is ready.
void enter_hardirq();
void exit_hardirq();
// Runs the handlers of `line`, counts, sends EOI. Context: IRQ.
void dispatch(IrqLine line);
// Called by the arch dispatcher for the LAPIC spurious vector.
void note_spurious_apic();

// Context checks (docs/architecture.md, "Interrupts and deferred work"): sleeping where it is forbidden is a named panic.
bool in_irq();        // inside a top half
bool in_softirq();    // inside a tasklet
bool in_atomic();     // either, or with interrupts disabled

}
