#pragma once
// Optional<T>: a value or nothing. It holds a std::optional<T> (header-only in g++ 12), which
// does the storage, lifetime and constexpr work, and forwards the safe part of its interface.
//
// There is no value(): std::optional::value() throws bad_optional_access, which under
// -fno-exceptions becomes a call to abort() that the kernel does not have. Test has_value()
// (or `if (opt)`) and use *opt / opt->member, or value_or(fallback). Unlike std::optional,
// dereferencing an empty Optional is a VERIFY failure rather than undefined behaviour.
// Context: any. Locking: none.
//
// (Composition rather than inheritance: a class derived from std::optional makes the standard
// comparison and assignment templates ambiguous.)
#include <optional>
#include <type_traits>
#include <kstd/error.h>
#include <kstd/utility.h>

namespace kstd {

using NullOpt = std::nullopt_t;
inline constexpr NullOpt nullopt = std::nullopt;

template<typename T>
class Optional;

template<typename T>
inline constexpr bool is_optional = false;
template<typename T>
inline constexpr bool is_optional<Optional<T>> = true;

template<typename T>
class Optional {
    // Plain values (not another Optional, not nullopt) that can initialize or be compared with T.
    template<typename U>
    static constexpr bool is_plain = !is_optional<std::remove_cvref_t<U>>
        && !std::is_same_v<std::remove_cvref_t<U>, NullOpt>
        && !std::is_same_v<std::remove_cvref_t<U>, std::in_place_t>;

public:
    constexpr Optional() = default;
    constexpr Optional(NullOpt) {}

    template<typename U = T>
        requires(is_plain<U> && std::is_constructible_v<T, U &&>)
    constexpr Optional(U&& value) : m_storage(std::in_place, kstd::forward<U>(value))
    {
    }

    constexpr Optional& operator=(NullOpt)
    {
        m_storage.reset();
        return *this;
    }

    template<typename U = T>
        requires(is_plain<U> && std::is_constructible_v<T, U &&> && std::is_assignable_v<T&, U &&>)
    constexpr Optional& operator=(U&& value)
    {
        m_storage = kstd::forward<U>(value);
        return *this;
    }

    constexpr bool has_value() const { return m_storage.has_value(); }
    constexpr explicit operator bool() const { return m_storage.has_value(); }

    constexpr T& operator*() &
    {
        VERIFY(has_value());
        return *m_storage;
    }
    constexpr T const& operator*() const&
    {
        VERIFY(has_value());
        return *m_storage;
    }
    constexpr T&& operator*() &&
    {
        VERIFY(has_value());
        return kstd::move(*m_storage);
    }
    constexpr T* operator->()
    {
        VERIFY(has_value());
        return &*m_storage;
    }
    constexpr T const* operator->() const
    {
        VERIFY(has_value());
        return &*m_storage;
    }

    template<typename U>
    constexpr T value_or(U&& fallback) const&
    {
        return m_storage.value_or(kstd::forward<U>(fallback));
    }
    template<typename U>
    constexpr T value_or(U&& fallback) &&
    {
        return kstd::move(m_storage).value_or(kstd::forward<U>(fallback));
    }

    template<typename... Args>
    constexpr T& emplace(Args&&... args)
    {
        return m_storage.emplace(kstd::forward<Args>(args)...);
    }
    constexpr void reset() { m_storage.reset(); }

    // C++20 derives !=, the reversed forms (1 == opt, nullopt == opt) from these.
    friend constexpr bool operator==(Optional const& a, Optional const& b)
    {
        return a.m_storage == b.m_storage;
    }
    friend constexpr bool operator==(Optional const& a, NullOpt) { return !a.has_value(); }
    template<typename U>
        requires(is_plain<U>)
    friend constexpr bool operator==(Optional const& a, U const& value)
    {
        return a.has_value() && *a.m_storage == value;
    }

private:
    std::optional<T> m_storage;
};

template<typename T>
Optional(T) -> Optional<T>;

}

using kstd::Optional;
