// Host tests for the I/O manager's reservation set (kernel/io/range_set.cpp): conflicts,
// adjacency, sharing, release and reuse, and the listing order of `ioports`/`iomem`.
#include "support.h"
#include "../../kernel/io/range_set.h"
#include <deque>
#include <string>
#include <vector>

using io::detail::RangeSet;
using io::detail::Resource;

namespace {

constexpr u64 PORT_LIMIT = 0x10000;

// Owns the nodes (they must outlive their membership) and unlinks them at the end.
struct Fixture {
    RangeSet set { PORT_LIMIT };
    std::deque<Resource> nodes;

    ~Fixture()
    {
        for (auto& node : nodes) {
            if (set.contains(node))
                set.remove(node);
        }
    }

    Resource& node(u64 start, u64 length, char const* owner, bool shared = false, u8 tag = 0)
    {
        Resource& resource = nodes.emplace_back();
        resource.start = start;
        resource.length = length;
        resource.shared = shared;
        resource.tag = tag;
        io::detail::set_owner(resource, owner);
        return resource;
    }

    ErrorOr<void> reserve(u64 start, u64 length, char const* owner, bool shared = false, u8 tag = 0)
    {
        return set.insert(node(start, length, owner, shared, tag));
    }

    std::vector<std::string> listing() const
    {
        std::vector<std::string> result;
        set.for_each([&](Resource const& r) {
            char line[64];
            std::snprintf(line, sizeof(line), "%04llx-%04llx %s", (unsigned long long)r.start,
                (unsigned long long)(r.end() - 1), r.owner);
            result.push_back(line);
        });
        return result;
    }
};

int error_of(ErrorOr<void> const& result) { return result.is_error() ? result.error().code() : 0; }

}

TEST_CASE("overlapping exclusive reservations are refused with EBUSY", "[io][range_set]")
{
    Fixture f;
    REQUIRE(error_of(f.reserve(0x3F8, 8, "ttyS0")) == 0);
    CHECK(error_of(f.reserve(0x3F8, 8, "again")) == EBUSY);     // identical
    CHECK(error_of(f.reserve(0x3F0, 9, "left")) == EBUSY);      // overlaps the first port
    CHECK(error_of(f.reserve(0x3FF, 4, "right")) == EBUSY);     // overlaps the last port
    CHECK(error_of(f.reserve(0x3FA, 1, "inside")) == EBUSY);    // contained
    CHECK(error_of(f.reserve(0x300, 0x200, "around")) == EBUSY);   // contains it
    CHECK(f.set.size() == 1);

    Resource const* holder = f.set.find_conflict(0x3FC, 2, false, 0);
    REQUIRE(holder != nullptr);
    CHECK(std::string(holder->owner) == "ttyS0");
}

TEST_CASE("adjacent ranges do not conflict", "[io][range_set]")
{
    Fixture f;
    REQUIRE(error_of(f.reserve(0x40, 4, "pit")) == 0);
    CHECK(error_of(f.reserve(0x3C, 4, "below")) == 0);   // ends exactly where pit starts
    CHECK(error_of(f.reserve(0x44, 4, "above")) == 0);   // starts exactly where pit ends
    CHECK(f.set.size() == 3);
}

TEST_CASE("shared ranges overlap only shared ranges with the same tag", "[io][range_set]")
{
    Fixture f;
    REQUIRE(error_of(f.reserve(0x3F8, 8, "early console", true)) == 0);
    CHECK(error_of(f.reserve(0x3F8, 8, "ttyS0", true)) == 0);             // same range, shared
    CHECK(error_of(f.reserve(0x3FC, 8, "partial", true)) == 0);           // partial overlap, shared
    CHECK(error_of(f.reserve(0x3F8, 8, "exclusive")) == EBUSY);     // exclusive vs shared
    CHECK(error_of(f.reserve(0x3F8, 1, "other type", true, 3)) == EBUSY);   // different tag

    Fixture g;
    REQUIRE(error_of(g.reserve(0x60, 1, "kbd")) == 0);
    CHECK(error_of(g.reserve(0x60, 1, "shared asks", true)) == EBUSY);   // shared vs exclusive
}

TEST_CASE("a released range can be reserved again", "[io][range_set]")
{
    Fixture f;
    Resource& first = f.node(0xCF8, 8, "pci");
    REQUIRE(error_of(f.set.insert(first)) == 0);
    CHECK(error_of(f.reserve(0xCF8, 8, "second")) == EBUSY);
    f.set.remove(first);
    CHECK_FALSE(f.set.contains(first));
    CHECK(error_of(f.reserve(0xCF8, 8, "second")) == 0);
    CHECK(f.listing() == std::vector<std::string> { "0cf8-0cff second" });
    // The released node can go back in once its range is free again.
    CHECK(error_of(f.set.insert(first)) == EBUSY);
}

TEST_CASE("bad ranges are EINVAL", "[io][range_set]")
{
    Fixture f;
    CHECK(error_of(f.reserve(0x100, 0, "empty")) == EINVAL);
    CHECK(error_of(f.reserve(0xFFFF, 2, "past the end")) == EINVAL);
    CHECK(error_of(f.reserve(0x10000, 1, "outside")) == EINVAL);
    CHECK(error_of(f.reserve(0xFFFF, 1, "last port")) == 0);

    RangeSet mmio { 1ull << 52 };
    Resource wrap;
    wrap.start = ~0ull - 10;
    wrap.length = 100;   // start + length overflows
    CHECK(error_of(mmio.insert(wrap)) == EINVAL);
}

TEST_CASE("listing is sorted by address, enclosing ranges first", "[io][range_set]")
{
    Fixture f;
    REQUIRE(error_of(f.reserve(0xCF8, 8, "pci")) == 0);
    REQUIRE(error_of(f.reserve(0x20, 2, "pic1")) == 0);
    REQUIRE(error_of(f.reserve(0x3FC, 2, "inner", true)) == 0);
    REQUIRE(error_of(f.reserve(0x3F8, 8, "outer", true)) == 0);
    REQUIRE(error_of(f.reserve(0x3F8, 8, "second outer", true)) == 0);   // equal: insertion order
    REQUIRE(error_of(f.reserve(0xA0, 2, "pic2")) == 0);
    CHECK(f.listing() == std::vector<std::string> {
        "0020-0021 pic1", "00a0-00a1 pic2", "03f8-03ff outer", "03f8-03ff second outer", "03fc-03fd inner",
        "0cf8-0cff pci" });
}

TEST_CASE("lookups by address and by owner", "[io][range_set]")
{
    Fixture f;
    REQUIRE(error_of(f.reserve(0x40, 4, "pit")) == 0);
    REQUIRE(error_of(f.reserve(0x3F8, 8, "early console", true)) == 0);
    REQUIRE(f.set.find_containing(0x43) != nullptr);
    CHECK(std::string(f.set.find_containing(0x43)->owner) == "pit");
    CHECK(f.set.find_containing(0x44) == nullptr);
    CHECK(f.set.find(0x3F8, "early console") != nullptr);
    CHECK(f.set.find(0x3F8, "ttyS0") == nullptr);
    CHECK(f.set.find(0x3F9, "early console") == nullptr);
}

TEST_CASE("owner names are copied and truncated", "[io][range_set]")
{
    Resource r;
    io::detail::set_owner(r, "a very long owner name that does not fit in the node");
    CHECK(std::string(r.owner).size() == Resource::OWNER_CAPACITY - 1);
    io::detail::set_owner(r, nullptr);
    CHECK(std::string(r.owner) == "?");
}

TEST_CASE("removing a node that is not in the set is a VERIFY failure", "[io][range_set]")
{
    Fixture f;
    Resource& stray = f.node(0x80, 1, "stray");
    REQUIRE_VERIFY_FAILS(f.set.remove(stray));
}
