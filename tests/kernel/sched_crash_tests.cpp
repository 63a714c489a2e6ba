// A panic inside a spawned thread: the backtrace must walk from the thread's function down to
// the entry trampoline and stop there cleanly (rbp = 0 at the bottom of every thread stack).
// CRASH_SUITE: runs only when named; the rubric checks the frames.
#include <kernel/panic.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kstd/enforce.h>

namespace {
[[gnu::noinline]] void panic_in_thread(void*)
{
    panic("deliberate panic in thread '%s'", sched::name(sched::current()));
}
}

KTEST(sched_thread_backtrace_ends_cleanly, CRASH_SUITE)
{
    auto* thread = EXPECT_OK(sched::spawn("panicker", panic_in_thread, nullptr));
    (void)sched::join(thread);
    return ::ktest::fail(__FILE__, __LINE__, "the thread's panic did not end the run");
}
