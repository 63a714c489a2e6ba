#pragma once
// Small text helpers for user programs (the kernel's StringView and number parsing are there
// too: kstd/string.h).
#include <kstd/string.h>
#include <kstd/types.h>

int strcmp(char const* a, char const* b);
// Parses a size with an optional suffix: "512", "4k", "1M" (powers of 1024). false on junk.
bool parse_size(char const* text, u64* out);
// Splits `line` in place at blanks into at most max words; returns how many.
usize split_words(char* line, char** words, usize max);
