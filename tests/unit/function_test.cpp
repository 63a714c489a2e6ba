// kstd::Function (inline callable storage) and OwnPtr / make (nothrow allocation).
#include "support.h"
#include <kstd/function.h>
#include <kstd/unique_ptr.h>
#include <type_traits>

namespace {

int add(int a, int b) { return a + b; }

struct Tracker {
    static inline int live = 0;
    static inline int destroyed = 0;
    Tracker() { ++live; }
    Tracker(Tracker const&) { ++live; }
    Tracker(Tracker&&) noexcept { ++live; }
    ~Tracker()
    {
        --live;
        ++destroyed;
    }
};

struct Base {
    virtual ~Base() = default;
    virtual int kind() const { return 1; }
};

struct Derived : Base {
    static inline int live = 0;
    Derived() { ++live; }
    ~Derived() override { --live; }
    int kind() const override { return 2; }
};

struct alignas(64) Descriptor {
    u8 bytes[64];
};

}

// Too-large callables are rejected at compile time (the static_assert fires only when the
// constructor is instantiated, so here we just check the documented capacity).
static_assert(sizeof(Function<void()>) <= 32 + 16);
static_assert(!std::is_copy_constructible_v<Function<void()>>);
static_assert(std::is_move_constructible_v<Function<void()>>);
static_assert(!std::is_constructible_v<Function<int(int)>, int>);

TEST_CASE("Function calls lambdas and function pointers", "[function]")
{
    Function<int(int, int)> f = add;
    CHECK(f(2, 3) == 5);

    int base = 10;
    Function<int(int)> g = [base](int x) { return base + x; };
    CHECK(g(5) == 15);

    int counter = 0;
    Function<void()> increment = [&counter] { ++counter; };
    increment();
    increment();
    CHECK(counter == 2);

    // A mutable lambda keeps its state between calls.
    Function<int()> next = [n = 0]() mutable { return ++n; };
    CHECK(next() == 1);
    CHECK(next() == 2);

    // Captures up to the capacity fit.
    u64 a = 1, b = 2, c = 3, d = 4;
    Function<u64()> sum = [a, b, c, d] { return a + b + c + d; };
    CHECK(sum() == 10);

    // A bigger capacity when asked for.
    u64 e = 5;
    Function<u64(), 48> bigger = [a, b, c, d, e] { return a + b + c + d + e; };
    CHECK(bigger() == 15);
}

TEST_CASE("empty Functions", "[function]")
{
    Function<void()> empty;
    CHECK_FALSE(empty);
    CHECK(empty.is_empty());
    REQUIRE_VERIFY_FAILS(empty());

    int (*null_pointer)(int, int) = nullptr;
    Function<int(int, int)> from_null = null_pointer;
    CHECK_FALSE(from_null);

    Function<void()> assigned = [] {};
    CHECK(assigned);
    assigned = nullptr;
    CHECK_FALSE(assigned);
}

TEST_CASE("Function moves and destroys its callable", "[function]")
{
    Tracker::live = 0;
    Tracker::destroyed = 0;
    {
        Tracker tracker;
        Function<int()> f = [tracker] { return 1; };
        CHECK(Tracker::live == 2);

        Function<int()> g = kstd::move(f);
        CHECK_FALSE(f);
        CHECK(g() == 1);
        CHECK(Tracker::live == 2);

        Function<int()> h;
        h = kstd::move(g);
        CHECK(h() == 1);
        CHECK(Tracker::live == 2);

        h.reset();
        CHECK(Tracker::live == 1);
        h = [tracker] { return 2; };
        CHECK(Tracker::live == 2);
    }
    CHECK(Tracker::live == 0);
}

TEST_CASE("Function stores move-only callables", "[function]")
{
    auto owned = MUST(kstd::make<int>(41));
    Function<int()> f = [p = kstd::move(owned)] { return *p + 1; };
    CHECK(f() == 42);
}

TEST_CASE("OwnPtr owns and deletes", "[own_ptr]")
{
    Derived::live = 0;
    {
        OwnPtr<Base> pointer = MUST(kstd::make<Derived>());
        CHECK(Derived::live == 1);
        CHECK(pointer->kind() == 2);
        CHECK((*pointer).kind() == 2);
        CHECK(pointer);

        OwnPtr<Base> other = kstd::move(pointer);
        CHECK(pointer.is_null());
        CHECK(Derived::live == 1);

        other = nullptr;
        CHECK(Derived::live == 0);

        other.reset(new Derived);
        CHECK(Derived::live == 1);
        Base* raw = other.leak_ptr();
        CHECK(other.is_null());
        delete raw;
        CHECK(Derived::live == 0);
    }
    CHECK(Derived::live == 0);

    OwnPtr<int> null;
    REQUIRE_VERIFY_FAILS(*null);
}

TEST_CASE("make reports ENOMEM when allocation fails", "[own_ptr]")
{
    Derived::live = 0;
    {
        test::FailAllocations fail;
        auto result = kstd::make<Derived>();
        REQUIRE(result.is_error());
        CHECK(result.error().code() == ENOMEM);
        CHECK(Derived::live == 0);
        CHECK(kstd::adopt_own_or_enomem<int>(nullptr).error().code() == ENOMEM);
    }
    {
        test::FailAllocations fail(1);
        CHECK_FALSE(kstd::make<int>(1).is_error());
        CHECK(kstd::make<int>(2).is_error());
    }
    CHECK_FALSE(kstd::make<int>(3).is_error());
}

TEST_CASE("over-aligned types use the aligned nothrow operator new", "[own_ptr]")
{
    auto descriptor = MUST(kstd::make<Descriptor>());
    CHECK(reinterpret_cast<uptr>(descriptor.ptr()) % 64 == 0);

    auto* array = new (kstd::nothrow) Descriptor[3];
    REQUIRE(array != nullptr);
    CHECK(reinterpret_cast<uptr>(array) % 64 == 0);
    delete[] array;

    auto* bytes = new (kstd::nothrow) u8[100];
    REQUIRE(bytes != nullptr);
    delete[] bytes;
}
