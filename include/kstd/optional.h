#pragma once
// Optional<T>: std::optional<T> (header-only in g++ 12) with value() removed.
// std::optional::value() throws bad_optional_access, which under -fno-exceptions turns into a
// call to abort(): the kernel has none, and a failed link is a poor error message. Here value()
// is deleted, so the mistake is a compile error; test has_value() (or `if (opt)`) and use *opt.
#include <optional>
#include <kstd/utility.h>

namespace kstd {

using NullOpt = std::nullopt_t;
inline constexpr NullOpt nullopt = std::nullopt;

template<typename T>
class Optional : public std::optional<T> {
    using Base = std::optional<T>;

public:
    using Base::Base;
    using Base::operator=;

    constexpr Optional(Base const& other) : Base(other) {}
    constexpr Optional(Base&& other) : Base(kstd::move(other)) {}

    // Use *opt after checking has_value(), or value_or(fallback).
    void value() const = delete;

    // std::optional's mixed comparisons would treat an Optional on the right-hand side as a
    // plain value (deriving from std::optional defeats their constraint), so two empty
    // Optionals would compare unequal. A non-template overload wins and does it right.
    friend constexpr bool operator==(Optional const& a, Optional const& b)
    {
        return static_cast<Base const&>(a) == static_cast<Base const&>(b);
    }
};

template<typename T>
Optional(T) -> Optional<T>;

}

using kstd::Optional;
