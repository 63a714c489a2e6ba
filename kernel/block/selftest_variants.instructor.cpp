// The kernel's registrations of lab 8's purpose-made wrong variants (instructor-only): booting
// with selftest.wrong=WORD puts the wrong scheduler or cache policy (kernel/block/wrong_*.instructor.cpp)
// in the place of the real one, so the unchanged lab tests run against it.
#include <kernel/block/cache.h>
#include <kernel/block/scheduler.h>
#include <kernel/block/selftest.h>
#include <kstd/enforce.h>

namespace block::wrong {

extern IoScheduler const elevator_sstf;
extern IoScheduler const elevator_no_turn;
extern IoScheduler const deadline_ignores_expiry;
extern IoScheduler const deadline_reads_only;
extern CachePolicy const cache_mru, cache_evicts_dirty, cache_evicts_pinned, cache_clean_too_early, cache_skips_writes;

namespace {

WrongVariant const g_elevator_sstf("elevator_sstf", [] { override_scheduler(elevator_sstf); });
WrongVariant const g_elevator_no_turn("elevator_no_turn", [] { override_scheduler(elevator_no_turn); });
WrongVariant const g_deadline_ignores_expiry("deadline_ignores_expiry", [] { override_scheduler(deadline_ignores_expiry); });
WrongVariant const g_deadline_reads_only("deadline_reads_only", [] { override_scheduler(deadline_reads_only); });
WrongVariant const g_cache_mru("cache_mru", [] { override_cache_policy(cache_mru); });
WrongVariant const g_cache_evicts_dirty("cache_evicts_dirty", [] { override_cache_policy(cache_evicts_dirty); });
WrongVariant const g_cache_evicts_pinned("cache_evicts_pinned", [] { override_cache_policy(cache_evicts_pinned); });
WrongVariant const g_cache_clean_too_early("cache_clean_too_early", [] { override_cache_policy(cache_clean_too_early); });
WrongVariant const g_cache_skips_writes("cache_skips_writes", [] { override_cache_policy(cache_skips_writes); });

}

}
