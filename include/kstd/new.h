#pragma once
// Allocation that reports failure instead of throwing: `new (kstd::nothrow) T(args...)`
// returns nullptr when memory is exhausted. The kernel heap (kernel/mm) defines these
// operators; host tests define them in tests/unit/support.cpp. <new> also supplies placement
// new, which is header-only.
// Context: whatever the kernel heap allows (see kernel/mm). Locking: the heap's own.
//
// Deallocation is ordinary `delete`, i.e. operator delete(void*, usize) (sized, C++14), which
// the kernel defines as well. The align_val_t forms are chosen by the compiler for types with
// alignas() above 16; a program that never allocates such a type never references them.
#include <new>
#include <kstd/types.h>

namespace kstd {

struct NoThrow {
    explicit NoThrow() = default;
};
inline constexpr NoThrow nothrow {};

using AlignVal = std::align_val_t;

}

[[nodiscard]] void* operator new(usize size, kstd::NoThrow const&) noexcept;
[[nodiscard]] void* operator new[](usize size, kstd::NoThrow const&) noexcept;
[[nodiscard]] void* operator new(usize size, kstd::AlignVal alignment, kstd::NoThrow const&) noexcept;
[[nodiscard]] void* operator new[](usize size, kstd::AlignVal alignment, kstd::NoThrow const&) noexcept;
