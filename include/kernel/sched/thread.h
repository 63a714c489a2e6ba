#pragma once
// Kernel threads and the scheduler (Pintos-style, uniprocessor, preemptive).
//
// Priorities run from PRIORITY_MIN (0) to PRIORITY_MAX (63); higher runs first; equal priorities
// share the CPU round-robin with a time slice of TIME_SLICE_TICKS. A thread that becomes ready
// with a higher priority than the running one preempts it: at once when woken from a thread, on
// return from the interrupt when woken from a top half or tasklet. The idle thread halts and
// accounts its time so benchmarks can report CPU busy percentage.
//
// Each thread has its own kernel stack (mm::allocate_kernel_stack, with a guard page below).
// A joinable thread's stack and object are freed by join(); a detached thread's by the "reaper"
// thread after it exits. Nothing ever frees the stack it is running on.
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace sched {

inline constexpr int PRIORITY_MIN = 0;
inline constexpr int PRIORITY_DEFAULT = 31;
inline constexpr int PRIORITY_MAX = 63;
inline constexpr u32 TIME_SLICE_TICKS = 4;

enum class ThreadState : u8 { Ready, Running, Blocked, Sleeping, Dying, Dead };
char const* state_name(ThreadState state);   // "ready", "running", ...

class Thread;
using ThreadEntry = void (*)(void* arg);

// Creates a thread that runs entry(arg), ready to run. Errors: ENOMEM, EINVAL (bad priority).
// Context: thread. The returned pointer stays valid until join() returns (or forever if the
// thread is detached — a detached thread's memory is reclaimed when it exits).
// Locking: none held (a new thread of higher priority runs before spawn returns).
[[nodiscard]] ErrorOr<Thread*> spawn(char const* name, ThreadEntry entry, void* arg, int priority = PRIORITY_DEFAULT);

// Waits until `thread` has exited and releases it; returns its exit code. Errors: EINVAL
// (joining yourself, a detached or already joined thread). Context: thread (might_sleep).
[[nodiscard]] ErrorOr<int> join(Thread* thread);
// Lets `thread` be reclaimed when it exits, without a join. Detaching twice, or a thread that is
// being joined, panics. Context: thread.
void detach(Thread* thread);

// Ends the calling thread with `code` (returned by join). Returning from the entry function
// is exit(0). Exiting while holding a Mutex or a Spinlock panics. Context: thread.
[[noreturn]] void exit(int code);
// The running thread (the interrupted one inside a top half). Context: any.
Thread* current();
// Lets other ready threads of the same or higher priority run. Context: thread (a top half or
// tasklet calling it panics).
void yield();

// Effective priority (raised by Mutex priority donation) and base priority. Context: any.
int priority(Thread const* thread);
int base_priority(Thread const* thread);
// Sets the base priority; switches away at once when the caller is no longer the highest-priority
// ready thread (and to `thread` when it now outranks the caller). Out-of-range panics.
// Context: thread.
void set_priority(Thread* thread, int priority);   // may preempt the caller
char const* name(Thread const* thread);
u32 id(Thread const* thread);
ThreadState state(Thread const* thread);
// How many times `thread` has been switched to: each wake-up of a sleeping thread is one, so a
// thread that sleeps until its event costs no switches while the event does not come.
u64 switch_count(Thread const* thread);

// Sleeps for at least `ns` nanoseconds / until the monotonic clock reaches `deadline_ns`.
// Wake-up happens on the first tick (or idle pass) at or after the deadline.
// Context: thread (might_sleep).
void sleep_for(u64 ns);
void sleep_until(u64 deadline_ns);

// Time accounting (TSC-based): how long the idle thread ran, and total uptime.
u64 idle_ns();
u64 busy_ns();   // uptime minus idle

// Boot: turns the running boot code into the "main" thread, creates the idle thread and the
// reaper. Call once, with interrupts disabled, after mm::init and time::calibrate.
void init();
bool is_initialized();
// Called from the tick interrupt: time slices, sleeping threads whose deadline passed.
// Context: IRQ (interrupts disabled).
void on_tick();
// True when a reschedule is pending; the arch interrupt exit path calls preempt_if_needed().
bool need_resched();
// Switches to a higher-priority ready thread if a reschedule is pending and the caller may be
// preempted (not in a top half or tasklet, no spinlock held). Context: any; the interrupt exit
// path calls it with interrupts disabled on the interrupted thread's stack.
void preempt_if_needed();

// For the `threads` monitor command and tests: calls fn for each live thread.
// fn runs with interrupts disabled: copy what you need, do not print or block there.
struct ThreadInfo {
    u32 id;
    char const* name;
    int priority;
    ThreadState state;
    u64 runtime_ns;
    u64 switches;
    int base_priority;
};
void for_each_thread(void (*fn)(ThreadInfo const&, void* ctx), void* ctx);
usize thread_count();
// Total context switches since boot.
u64 context_switches();

// --- for user processes (kernel/proc) -------------------------------------------------------
// A thread may run on behalf of a user process. The scheduler knows nothing about processes;
// it calls the switch hook for every thread it is about to run, and the process layer loads
// that thread's address space, ring-0 entry stack and I/O permission bitmap there.

// The process a thread runs for (opaque here), nullptr for a kernel thread. Context: any.
void set_user_context(Thread* thread, void* context);
void* user_context(Thread const* thread);
// Top of the thread's kernel stack (where its user registers are saved on each entry from
// ring 3); 0 for the boot thread, which has no stack of its own. Context: any.
u64 kernel_stack_top(Thread const* thread);

// Asks `thread` to stop waiting: a WaitQueue::wait_event_until it sleeps in (every device wait,
// dev::poll, a TTY read, a process waiting for a child) ends at once with EINTR, and so does
// every later one, until clear_interrupt(). Mutexes, semaphores and plain sleeps are not
// affected. The process layer uses it to end a killed process that sleeps in a system call.
// Context: any.
void interrupt(Thread* thread);
bool interrupt_pending(Thread const* thread);
void clear_interrupt(Thread* thread);

// Called with interrupts disabled right before each switch, with the thread about to run.
// Must be short and must not block. Install once at boot. Context: boot.
using SwitchHook = void (*)(Thread* next);
void set_switch_hook(SwitchHook hook);

// Panics with a message naming the context when called where sleeping is forbidden (top half,
// tasklet, interrupts disabled, scheduler locked). Every blocking primitive calls it.
void might_sleep(char const* what);

}
