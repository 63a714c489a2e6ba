#pragma once
// A small Itanium C++ ABI demangler for backtraces and panic messages: it turns
// "_ZN5ktest7run_oneERK10KernelTest" into "ktest::run_one". Only the qualified name is printed,
// never the parameter list, so that backtrace lines stay short. See kernel/lib/demangle.cpp for
// the grammar that is covered.
#include <kstd/string.h>
#include <kstd/types.h>

// Writes the demangled, qualified name of `mangled` into out[0 .. capacity-1], NUL-terminated and
// cut short if it does not fit, and returns true. Template arguments are spelled out when they are
// simple (builtin types, class names, integer literals) and shown as "<...>" otherwise; GCC clone
// suffixes are kept ("foo [clone .cold]").
// Returns false, leaving `out` untouched, when `mangled` is not a mangled name this demangler
// understands (plain C names, "_GLOBAL__sub_I_..." initializers, vtables and other data,
// expressions in template arguments, malformed input) or when capacity is 0; callers then print
// the raw symbol. Reads only mangled[0 .. length-1]; no allocation, no global state, bounded
// recursion and about 1.5 KiB of stack.
// Context: any (panic, IRQ). Locking: none.
bool demangle_name(kstd::StringView mangled, char* out, usize capacity);
