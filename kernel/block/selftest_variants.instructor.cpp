// The kernel's registrations of lab 8's purpose-made wrong variants (instructor-only): booting
// with selftest.wrong=WORD puts the wrong scheduler (kernel/block/wrong_schedulers.instructor.cpp)
// in the place of the real one of the same name, so the unchanged lab tests run against it.
#include <kernel/block/scheduler.h>
#include <kernel/block/selftest.h>
#include <kstd/enforce.h>

namespace block::wrong {

extern IoScheduler const elevator_sstf;
extern IoScheduler const elevator_no_turn;
extern IoScheduler const deadline_ignores_expiry;
extern IoScheduler const deadline_reads_only;

namespace {

WrongVariant const g_elevator_sstf("elevator_sstf", [] { override_scheduler(elevator_sstf); });
WrongVariant const g_elevator_no_turn("elevator_no_turn", [] { override_scheduler(elevator_no_turn); });
WrongVariant const g_deadline_ignores_expiry("deadline_ignores_expiry", [] { override_scheduler(deadline_ignores_expiry); });
WrongVariant const g_deadline_reads_only("deadline_reads_only", [] { override_scheduler(deadline_reads_only); });

}

}
