#pragma once
// Shared helpers for the host unit tests: testing VERIFY failures and allocation failures,
// and teaching Catch to print kstd types.
#include <catch2/catch.hpp>
#include <kstd/error.h>
#include <kstd/string.h>
#include <string>

namespace test {

// Thrown by kstd::verify_failed while an ExpectVerifyFailure is alive; otherwise a failed
// VERIFY prints and aborts, as in the kernel.
struct VerifyFailure {
    char const* expression;
    char const* file;
    int line;
};

class ExpectVerifyFailure {
public:
    ExpectVerifyFailure();
    ~ExpectVerifyFailure();
    ExpectVerifyFailure(ExpectVerifyFailure const&) = delete;
    ExpectVerifyFailure& operator=(ExpectVerifyFailure const&) = delete;
};

// While alive, allocations through operator new(kstd::nothrow) fail (return nullptr) once
// `successes` of them have succeeded.
class FailAllocations {
public:
    explicit FailAllocations(long successes = 0);
    ~FailAllocations();
    FailAllocations(FailAllocations const&) = delete;
    FailAllocations& operator=(FailAllocations const&) = delete;
};

}

// Requires that evaluating `expression` fails a VERIFY (instead of aborting the test run).
// Do not use it on code whose VERIFY fires inside a destructor: that would terminate.
#define REQUIRE_VERIFY_FAILS(expression)                           \
    do {                                                           \
        ::test::ExpectVerifyFailure _expect_verify_failure;        \
        REQUIRE_THROWS_AS((expression), ::test::VerifyFailure);    \
    } while (0)

namespace Catch {

template<>
struct StringMaker<kstd::StringView> {
    static std::string convert(kstd::StringView view)
    {
        return '"' + std::string(view.characters(), view.length()) + '"';
    }
};

template<>
struct StringMaker<kstd::Error> {
    static std::string convert(kstd::Error error) { return error.name(); }
};

}
