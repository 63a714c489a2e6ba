// The kernel's registrations of lab 8's purpose-made wrong variants (instructor-only): booting
// with selftest.wrong=WORD (include/kernel/selftest.h) puts the wrong scheduler or cache policy
// (kernel/block/wrong_*.instructor.cpp) in the place of the real one, so the unchanged lab tests
// run against it.
#include <kernel/block/cache.h>
#include <kernel/block/scheduler.h>
#include <kernel/selftest.h>
#include <kstd/enforce.h>

namespace block::wrong {

extern IoScheduler const elevator_sstf, elevator_no_turn, deadline_ignores_expiry, deadline_reads_only;
extern CachePolicy const cache_mru, cache_evicts_dirty, cache_evicts_pinned, cache_clean_too_early, cache_skips_writes;

namespace {

using Scheduler = selftest::WrongOps<IoScheduler>;
using Policy = selftest::WrongOps<CachePolicy>;

Scheduler const g_elevator_sstf { "elevator_sstf", elevator_scheduler, elevator_sstf };
Scheduler const g_elevator_no_turn { "elevator_no_turn", elevator_scheduler, elevator_no_turn };
Scheduler const g_deadline_ignores_expiry { "deadline_ignores_expiry", deadline_scheduler, deadline_ignores_expiry };
Scheduler const g_deadline_reads_only { "deadline_reads_only", deadline_scheduler, deadline_reads_only };
Policy const g_cache_mru { "cache_mru", lru_write_back_policy, cache_mru };
Policy const g_cache_evicts_dirty { "cache_evicts_dirty", lru_write_back_policy, cache_evicts_dirty };
Policy const g_cache_evicts_pinned { "cache_evicts_pinned", lru_write_back_policy, cache_evicts_pinned };
Policy const g_cache_clean_too_early { "cache_clean_too_early", lru_write_back_policy, cache_clean_too_early };
Policy const g_cache_skips_writes { "cache_skips_writes", lru_write_back_policy, cache_skips_writes };

}

}
