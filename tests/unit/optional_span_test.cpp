// The thin std wrappers: Optional (value() removed), Span helpers, Array.
#include "support.h"
#include <kstd/array.h>
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <optional>
#include <type_traits>

// value() is deleted so that kernel code cannot reach std::optional's throwing path.
template<typename T>
concept HasValueMember = requires(T t) { t.value(); };
static_assert(!HasValueMember<Optional<int>>);
static_assert(HasValueMember<std::optional<int>>);

namespace {

Optional<int> maybe(bool yes)
{
    if (!yes)
        return kstd::nullopt;
    return 7;
}

struct Packed {
    u16 a;
    u8 b;
    u8 c;
};

}

TEST_CASE("Optional basics", "[optional]")
{
    Optional<int> empty;
    CHECK_FALSE(empty.has_value());
    CHECK_FALSE(empty);
    CHECK(empty.value_or(3) == 3);

    auto full = maybe(true);
    REQUIRE(full.has_value());
    CHECK(*full == 7);
    CHECK_FALSE(maybe(false).has_value());

    Optional<StringView> view = StringView("abc");
    CHECK(view->length() == 3);

    full = kstd::nullopt;
    CHECK_FALSE(full.has_value());
    full = 9;
    CHECK(*full == 9);
    full.reset();
    CHECK_FALSE(full.has_value());
    full.emplace(11);
    CHECK(*full == 11);

    Optional deduced = 5u;
    static_assert(std::is_same_v<decltype(deduced), Optional<unsigned>>);
}

TEST_CASE("Optional comparisons", "[optional]")
{
    Optional<int> a;
    Optional<int> b;
    CHECK(a == b);
    CHECK(a == kstd::nullopt);
    a = 1;
    CHECK_FALSE(a == b);
    CHECK(a == 1);
    CHECK(1 == a);
    CHECK(a != 2);
    b = 1;
    CHECK(a == b);
    b = 2;
    CHECK(a != b);

    CHECK(kstd::nullopt == Optional<int>());
    CHECK(Optional<int>(3) != kstd::nullopt);
}

TEST_CASE("dereferencing an empty Optional is a VERIFY failure", "[optional]")
{
    Optional<int> empty;
    REQUIRE_VERIFY_FAILS(*empty);
    Optional<StringView> no_view;
    REQUIRE_VERIFY_FAILS(no_view->length());
}

TEST_CASE("Optional of a move-only type", "[optional]")
{
    struct MoveOnly {
        explicit MoveOnly(int v) : value(v) {}
        MoveOnly(MoveOnly&&) = default;
        MoveOnly& operator=(MoveOnly&&) = default;
        int value;
    };
    Optional<MoveOnly> a = MoveOnly(5);
    Optional<MoveOnly> b = kstd::move(a);
    REQUIRE(b.has_value());
    CHECK(b->value == 5);
    MoveOnly taken = *kstd::move(b);
    CHECK(taken.value == 5);
}

// Usable in constant expressions, and as cheap to copy as what it holds.
static_assert(*Optional<int>(4) == 4);
static_assert(!Optional<int>().has_value());
static_assert(std::is_trivially_copyable_v<Optional<int>>);
static_assert(std::is_trivially_destructible_v<Optional<StringView>>);

TEST_CASE("Span helpers", "[span]")
{
    u8 data[6] = { 1, 2, 3, 4, 5, 6 };
    Span<u8> all(data);
    CHECK(all.size() == 6);

    auto middle = kstd::slice(all, 2, 3);
    REQUIRE(middle.size() == 3);
    CHECK(middle[0] == 3);
    CHECK(kstd::slice(all, 4).size() == 2);
    CHECK(kstd::slice(all, 4, 100).size() == 2);
    CHECK(kstd::slice(all, 6).empty());
    CHECK(kstd::slice(all, 7, 1).empty());

    Packed packed { 0x0201, 3, 4 };
    auto bytes = kstd::bytes_of(packed);
    REQUIRE(bytes.size() == 4);
    CHECK(bytes[0] == 1);
    CHECK(bytes[1] == 2);
    CHECK(bytes[3] == 4);
    kstd::writable_bytes_of(packed)[2] = 9;
    CHECK(packed.b == 9);

    kstd::ReadonlyBytes readonly = all;
    CHECK(readonly.size() == 6);
}

TEST_CASE("Array", "[array]")
{
    Array<int, 3> values { 1, 2, 3 };
    CHECK(values.size() == 3);
    int sum = 0;
    for (int v : values)
        sum += v;
    CHECK(sum == 6);
    Span<int> view(values);
    CHECK(view[2] == 3);
}
