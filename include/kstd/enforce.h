#pragma once
// Last include of every kernel .cpp: after this line the identifier `std` is an error,
// so std facilities enter only through the curated kstd headers (Zircon's ktl/enforce.h idea).
#pragma GCC poison std
