#pragma once
// Purpose-made wrong schedulers and caches for the grader's self-tests of lab 8
// (kernel/block/*.instructor.cpp, never in a handout). Each registers itself with a word; booting
// with `selftest.wrong=WORD` installs it in place of the real one, so the unchanged lab tests run
// against it and must fail with the message that names its mistake. Production code has no
// branch for them: it looks schedulers and cache policies up through the overrides below.
#include <kstd/string.h>

namespace block {

struct IoScheduler;
struct CachePolicy;

class WrongVariant {
public:
    // Registers at start-up (a global constructor in the instructor file).
    WrongVariant(char const* word, void (*install)());
    char const* word() const { return m_word; }

private:
    friend void apply_selftest_variant();
    char const* m_word;
    void (*m_install)();
    WrongVariant* m_next;
};

// Installs the variant `selftest.wrong=` names, once; later calls do nothing. An unknown word
// is reported. Context: thread (boot).
void apply_selftest_variant();

// Used by the install functions: `wrong` is found under its own name instead of the real one.
void override_scheduler(IoScheduler const& wrong);
void override_cache_policy(CachePolicy const& wrong);
IoScheduler const* scheduler_override(StringView name);
CachePolicy const* cache_policy_override();

}
