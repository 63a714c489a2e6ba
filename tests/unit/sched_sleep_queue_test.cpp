// SleepQueue: deadline order, FIFO among equal deadlines, expiry against "now", removal (a timed
// wait that is woken before its deadline).
#include "support.h"
#include "../../kernel/sched/sleep_queue.h"
#include <deque>
#include <vector>

namespace {

struct Entity : sched::SchedEntity {
    explicit Entity(int tag_) : tag(tag_) {}
    int tag;
};

std::vector<int> expire(sched::SleepQueue& queue, u64 now)
{
    std::vector<int> tags;
    while (auto* entity = queue.pop_expired(now))
        tags.push_back(static_cast<Entity*>(entity)->tag);
    return tags;
}

}

TEST_CASE("sleep queue: empty", "[sched][sleep_queue]")
{
    sched::SleepQueue queue;
    CHECK(queue.is_empty());
    CHECK(queue.next_deadline() == sched::NO_DEADLINE);
    CHECK(queue.pop_expired(~u64(0)) == nullptr);
}

TEST_CASE("sleep queue: wakes in deadline order, only what has expired", "[sched][sleep_queue]")
{
    Entity a(1), b(2), c(3), d(4);
    sched::SleepQueue queue;
    queue.insert(a, 300);
    queue.insert(b, 100);
    queue.insert(c, 400);
    queue.insert(d, 200);
    CHECK(queue.size() == 4);
    CHECK(queue.next_deadline() == 100);
    CHECK(expire(queue, 99).empty());
    CHECK(expire(queue, 100) == std::vector<int> { 2 });   // a deadline equal to now has passed
    CHECK(expire(queue, 350) == std::vector<int> { 4, 1 });
    CHECK(queue.next_deadline() == 400);
    CHECK(expire(queue, 10'000) == std::vector<int> { 3 });
    CHECK(queue.is_empty());
}

TEST_CASE("sleep queue: equal deadlines keep insertion order", "[sched][sleep_queue]")
{
    Entity a(1), b(2), c(3), d(4), e(5);
    sched::SleepQueue queue;
    queue.insert(a, 50);
    queue.insert(b, 20);
    queue.insert(c, 50);
    queue.insert(d, 20);
    queue.insert(e, 50);
    CHECK(expire(queue, 50) == std::vector<int> { 2, 4, 1, 3, 5 });
}

TEST_CASE("sleep queue: a late tick wakes everything overdue at once, in order", "[sched][sleep_queue]")
{
    // TCG loses ticks: one late tick must still wake the sleepers in deadline order.
    std::deque<Entity> entities;   // never moves its elements (the queue links into them)
    sched::SleepQueue queue;
    for (int i = 0; i < 10; ++i)
        entities.emplace_back(i);
    for (int i = 9; i >= 0; --i)
        queue.insert(entities[i], u64(i) * 1'000'000);
    CHECK(expire(queue, 5'500'000) == std::vector<int> { 0, 1, 2, 3, 4, 5 });
    CHECK(queue.size() == 4);
    CHECK(expire(queue, ~u64(0) - 1) == std::vector<int> { 6, 7, 8, 9 });
}

TEST_CASE("sleep queue: removal before the deadline", "[sched][sleep_queue]")
{
    Entity a(1), b(2), c(3);
    sched::SleepQueue queue;
    queue.insert(a, 10);
    queue.insert(b, 20);
    queue.insert(c, 30);
    CHECK(queue.contains(b));
    queue.remove(b);
    CHECK_FALSE(queue.contains(b));
    CHECK(b.deadline_ns == sched::NO_DEADLINE);
    queue.remove(a);
    CHECK(queue.next_deadline() == 30);
    CHECK(expire(queue, 100) == std::vector<int> { 3 });
    REQUIRE_VERIFY_FAILS(queue.remove(a));
}
