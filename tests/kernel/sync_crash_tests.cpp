// Synchronisation misuse that must end in a named panic (CRASH_SUITE: run only when named,
// e.g. test=sync_mutex_wrong_owner_panics; the rubric checks the panic message).
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kstd/enforce.h>

namespace {
struct Owned {
    sched::Mutex mutex { "owned-mutex" };
    sched::Semaphore release { 0 };
};
void lock_and_wait(void* raw)
{
    auto& o = *static_cast<Owned*>(raw);
    o.mutex.lock();
    o.release.down();
    o.mutex.unlock();
}
}

KTEST(sync_mutex_wrong_owner_panics, CRASH_SUITE)
{
    static Owned owned;
    auto* owner = EXPECT_OK(sched::spawn("owner", lock_and_wait, &owned, sched::PRIORITY_DEFAULT + 1));
    EXPECT(owned.mutex.is_locked());
    owned.mutex.unlock();   // not ours: panics
    owned.release.up();
    (void)sched::join(owner);
    return ::ktest::fail(__FILE__, __LINE__, "unlocking another thread's mutex did not panic");
}

KTEST(sync_spinlock_recursive_panics, CRASH_SUITE)
{
    static sched::Spinlock lock("nested-lock");
    sched::SpinlockGuard first(lock);
    sched::SpinlockGuard second(lock);   // panics
    return ::ktest::fail(__FILE__, __LINE__, "a recursive spinlock acquire did not panic");
}

KTEST(sync_sleep_with_spinlock_panics, CRASH_SUITE)
{
    static sched::Spinlock lock("held-lock");
    static sched::Semaphore never(0);
    sched::SpinlockGuard guard(lock);
    never.down();   // panics: sleeping with a spinlock held
    return ::ktest::fail(__FILE__, __LINE__, "sleeping with a spinlock held did not panic");
}
