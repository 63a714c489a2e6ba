#pragma once
// Error and ErrorOr<T>: every fallible kernel function returns [[nodiscard]] ErrorOr<T>
// (SerenityOS style). Propagate with TRY(expr); MUST(expr) is for boot code only.
#include <kstd/errno.h>
#include <kstd/utility.h>
#include <new>

namespace kstd {

// Called when MUST() or VERIFY() fails. The kernel panics; host tests abort.
[[noreturn]] void verify_failed(char const* expr, char const* file, int line);

class Error {
public:
    static constexpr Error from_errno(int code) { return Error(code); }
    constexpr int code() const { return m_code; }
    char const* name() const { return errno_name(m_code); }
    constexpr bool operator==(Error const&) const = default;

private:
    explicit constexpr Error(int code) : m_code(code) {}
    int m_code;
};

template<typename T>
class [[nodiscard]] ErrorOr {
public:
    ErrorOr(T const& value) : m_has_value(true) { new (&m_value) T(value); }
    ErrorOr(T&& value) : m_has_value(true) { new (&m_value) T(kstd::move(value)); }
    template<typename U>
        requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, Error>
                 && !std::is_same_v<std::remove_cvref_t<U>, ErrorOr>)
    ErrorOr(U&& value) : m_has_value(true) { new (&m_value) T(kstd::forward<U>(value)); }
    ErrorOr(Error error) : m_error(error), m_has_value(false) {}

    ErrorOr(ErrorOr&& other) : m_error(other.m_error), m_has_value(other.m_has_value)
    {
        if (m_has_value)
            new (&m_value) T(kstd::move(other.m_value));
    }
    ErrorOr(ErrorOr const&) = delete;
    ErrorOr& operator=(ErrorOr const&) = delete;
    ErrorOr& operator=(ErrorOr&&) = delete;
    ~ErrorOr()
    {
        if (m_has_value)
            m_value.~T();
    }

    bool is_error() const { return !m_has_value; }
    Error error() const { return m_error; }
    T& value() { return m_value; }
    T const& value() const { return m_value; }
    T release_value() { return kstd::move(m_value); }
    Error release_error() { return m_error; }

private:
    union {
        T m_value;
    };
    Error m_error { Error::from_errno(0) };
    bool m_has_value;
};

template<>
class [[nodiscard]] ErrorOr<void> {
public:
    ErrorOr() = default;
    ErrorOr(Error error) : m_error(error), m_is_error(true) {}
    bool is_error() const { return m_is_error; }
    Error error() const { return m_error; }
    void release_value() {}
    Error release_error() { return m_error; }

private:
    Error m_error { Error::from_errno(0) };
    bool m_is_error { false };
};

}

using kstd::Error;
using kstd::ErrorOr;

// Propagates an error to the caller, otherwise yields the value.
#define TRY(expression)                                  \
    ({                                                   \
        auto _try_result = (expression);                 \
        if (_try_result.is_error()) [[unlikely]]         \
            return _try_result.release_error();          \
        _try_result.release_value();                     \
    })

// For boot code that cannot continue without the value.
#define MUST(expression)                                                 \
    ({                                                                   \
        auto _must_result = (expression);                                \
        if (_must_result.is_error()) [[unlikely]]                        \
            ::kstd::verify_failed(#expression, __FILE__, __LINE__);      \
        _must_result.release_value();                                    \
    })

#define VERIFY(cond)                                                     \
    do {                                                                 \
        if (!(cond)) [[unlikely]]                                        \
            ::kstd::verify_failed(#cond, __FILE__, __LINE__);            \
    } while (0)

#define VERIFY_NOT_REACHED() ::kstd::verify_failed("not reached", __FILE__, __LINE__)
