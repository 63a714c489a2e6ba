#pragma once
// move/forward/swap and small helpers, so kernel code never spells `std`.
#include <utility>
#include <type_traits>
#include <kstd/types.h>

namespace kstd {

using std::forward;
using std::move;
using std::swap;
using std::exchange;

template<typename T>
constexpr T const& min(T const& a, T const& b) { return b < a ? b : a; }
template<typename T>
constexpr T const& max(T const& a, T const& b) { return a < b ? b : a; }
template<typename T>
constexpr T clamp(T v, T lo, T hi) { return v < lo ? lo : (hi < v ? hi : v); }

// Alignment helpers for power-of-two alignments.
constexpr u64 align_down(u64 v, u64 a) { return v & ~(a - 1); }
constexpr u64 align_up(u64 v, u64 a) { return (v + a - 1) & ~(a - 1); }
constexpr bool is_aligned(u64 v, u64 a) { return (v & (a - 1)) == 0; }
constexpr bool is_power_of_two(u64 v) { return v != 0 && (v & (v - 1)) == 0; }

template<typename T, usize N>
constexpr usize array_size(T const (&)[N]) { return N; }

}
