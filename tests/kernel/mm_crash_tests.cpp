// A real kernel stack overflow, on purpose (CRASH_SUITE: runs only when named). A thread
// recurses until it runs into the guard page below its stack; the #PF cannot push its frame
// onto that stack, so the CPU raises #DF on its IST stack, and the report must say "kernel
// stack overflow" instead of a bare double fault.
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kstd/enforce.h>

namespace {

// Not a tail call (the addition happens after the call returns) and a real frame per level,
// so each level takes stack space.
[[gnu::noinline]] u64 recurse(u64 depth)
{
    u8 volatile frame[256];
    frame[depth % 256] = u8(depth);
    if (depth > 100'000'000)   // never reached: bounded only to keep the compiler quiet
        return 0;
    return recurse(depth + 1) + frame[depth % 256];
}

void overflow(void*) { (void)recurse(0); }

}

KTEST(mm_stack_overflow_panics, CRASH_SUITE)
{
    auto* thread = EXPECT_OK(sched::spawn("overflow", overflow, nullptr));
    (void)sched::join(thread);
    return ::ktest::fail(__FILE__, __LINE__, "the stack overflow did not end the run");
}
