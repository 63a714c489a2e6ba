#pragma once
// Checks for the user-side test programs (user/tests/t_*.cpp): each failed check prints one
// line naming the call and what came back; main returns report(), which prints a summary and
// gives exit code 0 only when everything passed.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <kstd/errno.h>

namespace check {

inline int g_checks = 0;
inline int g_failures = 0;

inline void fail_line(char const* what, int line, long got, int wanted_errno)
{
    ++g_failures;
    if (wanted_errno)
        printf("FAIL line %d: %s returned %ld (errno %s), expected %s\n", line, what, got, kstd::errno_name(errno),
               kstd::errno_name(wanted_errno));
    else
        printf("FAIL line %d: %s\n", line, what);
}

inline int report(char const* name)
{
    printf("%s: %d checks, %d failed\n", name, g_checks, g_failures);
    return g_failures ? 1 : 0;
}

}

// The call must fail with -1 and this errno.
#define CHECK_ERRNO(call, code)                                                               \
    do {                                                                                      \
        ++::check::g_checks;                                                                  \
        errno = 0;                                                                            \
        long _result = long(call);                                                            \
        if (_result != -1 || errno != (code))                                                 \
            ::check::fail_line(#call, __LINE__, _result, (code));                             \
    } while (0)

#define CHECK(condition)                                                                      \
    do {                                                                                      \
        ++::check::g_checks;                                                                  \
        if (!(condition))                                                                     \
            ::check::fail_line(#condition, __LINE__, 0, 0);                                   \
    } while (0)
