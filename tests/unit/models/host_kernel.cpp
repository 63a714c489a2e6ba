// The kernel services that driver code under test calls, defined for the host unit tests in
// terms of the models' clock and CPU: logging (kernel_log.h), locks, wait queues and
// semaphores, and the small helpers around them. Single-threaded: "sleeping" lets the models'
// time run to the next device event (a completed command, an interrupt), which is what would
// wake the sleeper in the kernel.
#include <kstd/error.h>
#include "clock.h"
#include "interrupt_line.h"
#include "kernel_log.h"
#include <kernel/mm/heap.h>
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/symbols.h>
#include <kstd/format.h>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace models {

KernelLog& kernel_log()
{
    static KernelLog instance;
    return instance;
}

bool KernelLog::contains(std::string const& text) const
{
    for (auto const& line : m_lines) {
        if (line.find(text) != std::string::npos)
            return true;
    }
    return false;
}

std::string KernelLog::dump() const
{
    std::string out;
    for (auto const& line : m_lines)
        out += "  | " + line + "\n";
    return out;
}

void KernelLog::append(char const* text)
{
    if (std::getenv("CONDUIT_HOST_LOG"))
        std::fputs(text, stderr);
    for (char const* c = text; *c; ++c) {
        if (*c == '\n') {
            m_lines.push_back(m_partial);
            m_partial.clear();
        } else {
            m_partial += *c;
        }
    }
}

namespace {

void log_formatted(char const* prefix, char const* fmt, va_list args)
{
    char buffer[1024];
    usize length = kstd::snprintf(buffer, sizeof(buffer), "%s", prefix);
    kstd::vsnprintf(buffer + length, sizeof(buffer) - length, fmt, args);
    kernel_log().append(buffer);
}

}

}

// ---- printk ------------------------------------------------------------------------------------

void printk(LogLevel level, char const* fmt, ...)
{
    static char const* const prefixes[] = { "[debug] ", "[info] ", "[warn] ", "[error] " };
    va_list args;
    va_start(args, fmt);
    models::log_formatted(prefixes[unsigned(level) & 3], fmt, args);
    va_end(args);
}

void kprint(char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    models::log_formatted("", fmt, args);
    va_end(args);
}

void diag_print(char const* fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    models::log_formatted("", fmt, args);
    va_end(args);
}

void kprint_raw(char const* data, usize length) { models::kernel_log().append(std::string(data, length).c_str()); }

// The kernel heap: the host's aligned allocator.
void* mm::kmalloc(usize size, usize align)
{
    align = align < 16 ? 16 : align;
    return std::aligned_alloc(align, (size + align - 1) / align * align);
}

void mm::kfree(void* pointer) { std::free(pointer); }

void symbols::describe(u64 address, char* out, usize capacity) { kstd::snprintf(out, capacity, "%#lx", address); }

// ---- synchronisation ---------------------------------------------------------------------------

namespace sched {

u64 deadline_after(u64 timeout_ns)
{
    if (timeout_ns == NO_DEADLINE)
        return NO_DEADLINE;
    u64 now = models::clock().now();
    return timeout_ns >= NO_DEADLINE - 1 - now ? NO_DEADLINE - 1 : now + timeout_ns;
}

// The kernel panics (kernel/sched/atomic.cpp); the host throws models::AtomicSleep with the same
// message, which fails the test there, or which a test catches to name the half that slept.
void might_sleep(char const* what)
{
    char message[160];
    models::Cpu const& cpu = models::cpu();
    if (cpu.in_interrupt())
        kstd::snprintf(message, sizeof(message), "sleeping in interrupt context: %s called from a top half", what);
    else if (cpu.in_tasklet())
        kstd::snprintf(message, sizeof(message), "sleeping in interrupt context: %s called from a tasklet", what);
    else if (!cpu.interrupts_enabled())
        kstd::snprintf(message, sizeof(message), "sleeping in atomic context: %s called with interrupts disabled", what);
    else
        return;
    std::fprintf(stderr, "%s\n", message);
    throw models::AtomicSleep(message);
}

void sleep_until(u64 deadline_ns)
{
    might_sleep("sched::sleep_until");
    while (models::clock().now() < deadline_ns)
        (void)models::clock().sleep_until_event(deadline_ns);
}

void sleep_for(u64 ns) { sleep_until(deadline_after(ns)); }

bool Spinlock::lock()
{
    bool were_enabled = models::cpu().save_and_disable();
    VERIFY(!m_locked);   // recursive acquire: the kernel panics
    m_locked = true;
    return were_enabled;
}

void Spinlock::unlock(bool restore_interrupts)
{
    VERIFY(m_locked);
    m_locked = false;
    models::cpu().restore(restore_interrupts);
}

bool WaitQueue::begin_wait() { return models::cpu().save_and_disable(); }
void WaitQueue::end_wait(bool were_enabled) { models::cpu().restore(were_enabled); }

// Sleeping: interrupts on, and the models' time runs to the next event (or the deadline). The
// caller re-checks its condition; with nothing left to happen before a deadline of "never",
// the thread would sleep for ever, which in a test is a bug worth a clear failure.
WaitResult WaitQueue::block_locked(u64 deadline_ns, bool)
{
    models::cpu().restore(true);
    bool fired = models::clock().sleep_until_event(deadline_ns);
    if (!fired && deadline_ns == NO_DEADLINE) {
        std::fprintf(stderr, "a thread would sleep for ever: no device event is scheduled\n");
        VERIFY(false && "sleep without a wake-up");
    }
    (void)models::cpu().save_and_disable();
    return fired ? WaitResult::Woken : WaitResult::TimedOut;
}

bool WaitQueue::current_interrupt_pending() { return false; }   // no user processes on the host
void WaitQueue::wait() { (void)wait_until(NO_DEADLINE); }

ErrorOr<void> WaitQueue::wait_until(u64 deadline_ns)
{
    bool were = begin_wait();
    WaitResult result = block_locked(deadline_ns);
    end_wait(were);
    if (result == WaitResult::TimedOut)
        return Error::from_errno(ETIMEDOUT);
    return {};
}

ErrorOr<void> WaitQueue::wait_for(u64 timeout_ns) { return wait_until(deadline_after(timeout_ns)); }
bool WaitQueue::wake_one() { return false; }
usize WaitQueue::wake_all() { return 0; }
usize WaitQueue::waiter_count() const { return 0; }
bool WaitQueue::is_empty() const { return true; }

void Semaphore::down()
{
    m_queue.wait_event([this] { return m_value > 0; });
    m_value = m_value - 1;   // (volatile: no --)
}

ErrorOr<void> Semaphore::down_timeout(u64 timeout_ns)
{
    TRY(m_queue.wait_event_until([this] { return m_value > 0; }, deadline_after(timeout_ns)));
    m_value = m_value - 1;   // (volatile: no --)
    return {};
}

bool Semaphore::try_down()
{
    if (m_value == 0)
        return false;
    m_value = m_value - 1;   // (volatile: no --)
    return true;
}

void Semaphore::up() { m_value = m_value + 1; }
usize Semaphore::waiter_count() const { return 0; }

// One thread: a mutex is free whenever someone asks (holding it across a sleep that another
// "thread" would contend for cannot happen here).
void Mutex::lock()
{
    might_sleep("Mutex::lock");   // as the kernel's: a mutex may sleep, so never in a top half or tasklet
    m_owner = reinterpret_cast<Thread*>(this);
}
ErrorOr<void> Mutex::lock_timeout(u64) { lock(); return {}; }
bool Mutex::try_lock()
{
    if (m_owner)
        return false;
    m_owner = reinterpret_cast<Thread*>(this);
    return true;
}
void Mutex::unlock() { m_owner = nullptr; }
bool Mutex::is_locked_by_current() const { return m_owner != nullptr; }
usize Mutex::waiter_count() const { return 0; }

}
