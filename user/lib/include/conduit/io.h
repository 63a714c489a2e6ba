#pragma once
// Formatted output and line input for user programs. printf's conversions are the kernel's
// (kstd/format.h: no floating point). Each call is one write() of at most 1 KiB.
#include <kstd/types.h>

inline constexpr int STDIN = 0, STDOUT = 1, STDERR = 2;

__attribute__((format(printf, 1, 2))) int printf(char const* format, ...);
__attribute__((format(printf, 2, 3))) int dprintf(int fd, char const* format, ...);
// Writes text and a newline to stdout.
int puts(char const* text);
// Writes all of data to fd, retrying short writes. Returns count, or -1 with errno.
long write_all(int fd, void const* data, usize count);
// Prints "what: ENAME (text)" on stderr and returns 1, for `return fail("open");` in main.
int fail(char const* what);
// Reads one line from fd (at most capacity - 1 bytes, without the '\n'), NUL-terminated.
// Returns its length, 0 with *at_end set at end of file, -1 with errno on an error.
long read_line(int fd, char* line, usize capacity, bool* at_end);
