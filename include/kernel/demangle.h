#pragma once
// A small Itanium C++ ABI demangler for backtraces and panic messages: it turns
// "_ZN5ktest7run_oneERK10KernelTest" into "ktest::run_one". Only the qualified name is printed,
// never the parameter list, so that backtrace lines stay short. kernel/lib/demangle.cpp lists
// the grammar it covers.
#include <kstd/string.h>
#include <kstd/types.h>

// Writes the qualified name that `mangled` encodes into out[0 .. capacity-1], NUL-terminated and
// cut short if it does not fit, and returns true. Template arguments are spelled out when they
// are simple (builtin types, class names, integer literals) and read "<...>" otherwise; lambdas
// read "{lambda()#1}" or "{lambda(...)#2}"; GCC clone suffixes are kept ("foo [clone .cold]").
// Returns false and leaves `out` untouched when `mangled` is not a mangled name it understands:
// C names, "_GLOBAL__sub_I_..." initializers, special names (vtables, typeinfo, guard variables,
// thunks), expressions in template arguments, malformed input, names that do not fit its 1 KiB
// work area (plain names up to about 1000 characters fit, template-heavy ones from about 200 may
// not) or nest deeper than 16 levels; also when out is null or capacity is 0. Callers then print
// the raw symbol.
// Reads only mangled[0 .. length-1]. No allocation and no global state; uses about 2 KiB of stack
// for ordinary symbols and under 5 KiB for hostile input (bounded recursion).
// Context: any (panic, IRQ). Locking: none.
bool demangle_name(kstd::StringView mangled, char* out, usize capacity);
