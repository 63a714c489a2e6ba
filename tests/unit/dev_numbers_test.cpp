// Device number allocation (kernel/dev/numbers.cpp): static numbers, EBUSY for a taken one,
// dynamic majors from the top of the range, and the limits.
#include "support.h"
#include <kernel/dev/numbers.h>
#include <vector>

using dev::DeviceNumber;
using dev::NumberSpace;

namespace {

int error_of(ErrorOr<DeviceNumber> const& result) { return result.is_error() ? result.error().code() : 0; }

}

TEST_CASE("a static number can be claimed once", "[dev][numbers]")
{
    NumberSpace space;
    auto null = space.claim(1, 3);
    REQUIRE_FALSE(null.is_error());
    CHECK(null.value() == DeviceNumber { 1, 3 });
    CHECK(space.is_claimed({ 1, 3 }));
    CHECK(error_of(space.claim(1, 3)) == EBUSY);
    CHECK_FALSE(space.claim(1, 5).is_error());   // another minor of the same major
    CHECK(space.size() == 2);

    space.release({ 1, 3 });
    CHECK_FALSE(space.is_claimed({ 1, 3 }));
    CHECK_FALSE(space.claim(1, 3).is_error());   // free again
}

TEST_CASE("numbers outside the range are refused", "[dev][numbers]")
{
    NumberSpace space;
    CHECK(error_of(space.claim(NumberSpace::MAX_MAJOR + 1, 0)) == EINVAL);
    CHECK(error_of(space.claim(1, NumberSpace::MAX_MINOR + 1)) == EINVAL);
    CHECK_FALSE(space.claim(NumberSpace::MAX_MAJOR, NumberSpace::MAX_MINOR).is_error());
    CHECK(space.size() == 1);
}

TEST_CASE("major 0 hands out unused majors from the top of the dynamic range", "[dev][numbers]")
{
    NumberSpace space;
    REQUIRE_FALSE(space.claim(NumberSpace::DYNAMIC_HIGH, 0).is_error());   // someone took 254
    auto first = space.claim(0, 0);
    REQUIRE_FALSE(first.is_error());
    CHECK(first.value().major == NumberSpace::DYNAMIC_HIGH - 1);
    auto second = space.claim(0, 7);
    REQUIRE_FALSE(second.is_error());
    CHECK(second.value() == DeviceNumber { NumberSpace::DYNAMIC_HIGH - 2, 7 });
    // The driver then uses its major for more minors.
    CHECK_FALSE(space.claim(first.value().major, 1).is_error());
    // A released major becomes available again.
    space.release(second.value());
    CHECK(space.claim(0, 0).value().major == NumberSpace::DYNAMIC_HIGH - 2);
}

TEST_CASE("the dynamic range and the table run out cleanly", "[dev][numbers]")
{
    NumberSpace space;
    usize dynamic = NumberSpace::DYNAMIC_HIGH - NumberSpace::DYNAMIC_LOW + 1;
    REQUIRE(dynamic < NumberSpace::CAPACITY);
    for (usize i = 0; i < dynamic; ++i)
        REQUIRE_FALSE(space.claim(0, 0).is_error());
    CHECK(error_of(space.claim(0, 0)) == EBUSY);   // Linux's answer too
    for (u16 minor = 0; space.size() < NumberSpace::CAPACITY; ++minor)
        REQUIRE_FALSE(space.claim(10, minor).is_error());
    CHECK(error_of(space.claim(11, 0)) == ENOSPC);
}

TEST_CASE("releasing a number that is not claimed is a bug", "[dev][numbers]")
{
    NumberSpace space;
    REQUIRE_VERIFY_FAILS(space.release({ 4, 64 }));
}
