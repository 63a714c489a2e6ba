#pragma once
// Opt-in bit operators for `enum class` flag sets (docs/style.md, "Hardware access"):
//
//     enum class Lsr : u8 { DataReady = 1 << 0, ThrEmpty = 1 << 5 };
//     ENUM_BITMASK(Lsr)
//     if (has(status, Lsr::ThrEmpty)) ...
//
// Only enums that ask for it get `|`, so mixing bits of two registers stays a compile error.
// Use the macro at namespace scope in the enum's own namespace, so that argument-dependent
// lookup finds `has`. No trailing semicolon is needed. Context: any (constexpr, pure).
#include <type_traits>

namespace kstd {

template<typename E>
using UnderlyingType = std::underlying_type_t<E>;

template<typename E>
constexpr UnderlyingType<E> to_underlying(E value)
{
    return static_cast<UnderlyingType<E>>(value);
}

}

#define ENUM_BITMASK(E)                                                                    \
    constexpr E operator|(E a, E b)                                                        \
    {                                                                                      \
        return E(::kstd::to_underlying(a) | ::kstd::to_underlying(b));                     \
    }                                                                                      \
    constexpr E operator&(E a, E b)                                                        \
    {                                                                                      \
        return E(::kstd::to_underlying(a) & ::kstd::to_underlying(b));                     \
    }                                                                                      \
    constexpr E operator^(E a, E b)                                                        \
    {                                                                                      \
        return E(::kstd::to_underlying(a) ^ ::kstd::to_underlying(b));                     \
    }                                                                                      \
    constexpr E operator~(E a)                                                             \
    {                                                                                      \
        return E(::kstd::UnderlyingType<E>(~::kstd::to_underlying(a)));                   \
    }                                                                                      \
    constexpr E& operator|=(E& a, E b) { return a = a | b; }                              \
    constexpr E& operator&=(E& a, E b) { return a = a & b; }                              \
    constexpr E& operator^=(E& a, E b) { return a = a ^ b; }                              \
    /* True when every bit of `bits` is set in `set`. */                                   \
    constexpr bool has(E set, E bits) { return (set & bits) == bits; }                    \
    /* True when at least one bit of `bits` is set in `set`. */                            \
    constexpr bool has_any(E set, E bits) { return ::kstd::to_underlying(set & bits) != 0; }
