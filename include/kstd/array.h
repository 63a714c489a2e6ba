#pragma once
// Array<T, N>: a fixed-size array with value semantics (std::array, header-only in g++ 12).
// Do not call at(): it throws, which in the kernel means a call to abort() that does not
// exist. Index with [] after checking the bound, or use a Span. Context: any.
#include <array>
#include <kstd/types.h>

namespace kstd {

template<typename T, usize N>
using Array = std::array<T, N>;

}

using kstd::Array;
