// ErrorOr, TRY, MUST, VERIFY and the errno tables.
#include "support.h"
#include <kstd/error.h>
#include <kstd/unique_ptr.h>
#include <cstring>

namespace {

ErrorOr<int> parse_positive(int value)
{
    if (value <= 0)
        return Error::from_errno(EINVAL);
    return value;
}

ErrorOr<int> doubled(int value)
{
    int checked = TRY(parse_positive(value));
    return checked * 2;
}

ErrorOr<void> require_even(int value)
{
    if (value % 2 != 0)
        return Error::from_errno(ERANGE);
    return {};
}

ErrorOr<int> even_and_positive(int value)
{
    TRY(require_even(value));
    return TRY(doubled(value));
}

struct Counted {
    static inline int live = 0;
    int value;
    explicit Counted(int v) : value(v) { ++live; }
    Counted(Counted&& other) : value(other.value) { ++live; }
    ~Counted() { --live; }
};

ErrorOr<Counted> make_counted(int value)
{
    if (value < 0)
        return Error::from_errno(ENOMEM);
    return Counted(value);
}

}

TEST_CASE("errno names and texts", "[error]")
{
    CHECK(std::strcmp(kstd::errno_name(EINVAL), "EINVAL") == 0);
    CHECK(std::strcmp(kstd::errno_name(ETIMEDOUT), "ETIMEDOUT") == 0);
    CHECK(std::strcmp(kstd::errno_name(ECANCELED), "ECANCELED") == 0);
    CHECK(std::strcmp(kstd::errno_name(9999), "E?") == 0);
    CHECK(std::strcmp(kstd::errno_name(-1), "E?") == 0);
    CHECK(std::strcmp(kstd::errno_text(ENOMEM), "out of memory") == 0);
    CHECK(std::strcmp(kstd::errno_text(9999), "unknown error") == 0);
    CHECK(std::strcmp(Error::from_errno(EBUSY).name(), "EBUSY") == 0);
}

TEST_CASE("every Errno value has a name", "[error]")
{
    for (int code = 1; code < 200; ++code) {
        char const* name = kstd::errno_name(code);
        if (std::strcmp(name, "E?") == 0)
            continue;
        CHECK(name[0] == 'E');
        CHECK(std::strcmp(kstd::errno_text(code), "unknown error") != 0);
    }
    for (int code : { EPERM, ENOENT, EIO, E2BIG, EAGAIN, ENODEV, ENOSPC, ENOSYS, EPROTO, EBADMSG,
             EOVERFLOW, EMSGSIZE, EOPNOTSUPP, ENOBUFS, EALREADY, EINPROGRESS })
        CHECK(std::strcmp(kstd::errno_name(code), "E?") != 0);
}

TEST_CASE("ErrorOr holds a value or an error", "[error]")
{
    auto good = parse_positive(5);
    REQUIRE(!good.is_error());
    CHECK(good.value() == 5);

    auto bad = parse_positive(-1);
    REQUIRE(bad.is_error());
    CHECK(bad.error() == Error::from_errno(EINVAL));
    CHECK(bad.error().code() == EINVAL);
}

TEST_CASE("TRY propagates errors and unwraps values", "[error]")
{
    CHECK(doubled(4).value() == 8);
    CHECK(doubled(0).error().code() == EINVAL);
    CHECK(even_and_positive(6).value() == 12);
    CHECK(even_and_positive(3).error().code() == ERANGE);
    CHECK(even_and_positive(-2).error().code() == EINVAL);
}

TEST_CASE("ErrorOr destroys its value exactly once", "[error]")
{
    {
        auto result = make_counted(3);
        REQUIRE(!result.is_error());
        CHECK(Counted::live == 1);
        Counted taken = result.release_value();
        CHECK(taken.value == 3);
    }
    CHECK(Counted::live == 0);
    {
        auto result = make_counted(-1);
        CHECK(result.is_error());
        CHECK(Counted::live == 0);
    }
    CHECK(Counted::live == 0);
}

TEST_CASE("ErrorOr carries move-only values", "[error]")
{
    auto result = kstd::make<int>(42);
    REQUIRE(!result.is_error());
    OwnPtr<int> pointer = result.release_value();
    CHECK(*pointer == 42);
}

TEST_CASE("MUST and VERIFY call verify_failed", "[error]")
{
    CHECK(MUST(parse_positive(7)) == 7);
    REQUIRE_VERIFY_FAILS(MUST(parse_positive(0)));
    // VERIFY is a statement, so wrap it in a lambda to use it as an expression.
    REQUIRE_VERIFY_FAILS([] { VERIFY(1 + 1 == 3); }());
    REQUIRE_VERIFY_FAILS([] { VERIFY_NOT_REACHED(); }());
    VERIFY(1 + 1 == 2);

    test::ExpectVerifyFailure expect;
    try {
        VERIFY(2 < 1);
        FAIL("VERIFY did not fail");
    } catch (test::VerifyFailure const& failure) {
        CHECK(std::strcmp(failure.expression, "2 < 1") == 0);
        CHECK(std::strstr(failure.file, "error_test.cpp") != nullptr);
        CHECK(failure.line > 0);
    }
}

// On the host, EINVAL & co. below are libc's macros (see kstd/detail/host_errno_push.h). The
// stringized name is the unexpanded token, so this proves libc and kstd agree on every value.
#define CHECK_ERRNO_NAME(name) CHECK(std::strcmp(kstd::errno_name(name), #name) == 0)

TEST_CASE("libc's errno values match kstd's", "[error]")
{
    CHECK_ERRNO_NAME(EPERM);
    CHECK_ERRNO_NAME(ENOENT);
    CHECK_ERRNO_NAME(EINTR);
    CHECK_ERRNO_NAME(EIO);
    CHECK_ERRNO_NAME(ENXIO);
    CHECK_ERRNO_NAME(E2BIG);
    CHECK_ERRNO_NAME(EBADF);
    CHECK_ERRNO_NAME(EAGAIN);
    CHECK_ERRNO_NAME(ENOMEM);
    CHECK_ERRNO_NAME(EFAULT);
    CHECK_ERRNO_NAME(EBUSY);
    CHECK_ERRNO_NAME(EEXIST);
    CHECK_ERRNO_NAME(ENODEV);
    CHECK_ERRNO_NAME(EINVAL);
    CHECK_ERRNO_NAME(ENFILE);
    CHECK_ERRNO_NAME(EMFILE);
    CHECK_ERRNO_NAME(ENOTTY);
    CHECK_ERRNO_NAME(EFBIG);
    CHECK_ERRNO_NAME(ENOSPC);
    CHECK_ERRNO_NAME(ESPIPE);
    CHECK_ERRNO_NAME(EROFS);
    CHECK_ERRNO_NAME(EPIPE);
    CHECK_ERRNO_NAME(ERANGE);
    CHECK_ERRNO_NAME(EDEADLK);
    CHECK_ERRNO_NAME(ENAMETOOLONG);
    CHECK_ERRNO_NAME(ENOSYS);
    CHECK_ERRNO_NAME(ENODATA);
    CHECK_ERRNO_NAME(EPROTO);
    CHECK_ERRNO_NAME(EOVERFLOW);
    CHECK_ERRNO_NAME(EBADMSG);
    CHECK_ERRNO_NAME(EMSGSIZE);
    CHECK_ERRNO_NAME(EOPNOTSUPP);
    CHECK_ERRNO_NAME(ENOBUFS);
    CHECK_ERRNO_NAME(ETIMEDOUT);
    CHECK_ERRNO_NAME(EALREADY);
    CHECK_ERRNO_NAME(EINPROGRESS);
    CHECK_ERRNO_NAME(ECANCELED);
}
