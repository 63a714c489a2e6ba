// RunQueue: highest priority first, FIFO among equals, front/back requeueing, removal from the
// level an entity was queued at even after its priority changed, misuse detection.
#include "support.h"
#include "../../kernel/sched/run_queue.h"
#include <vector>

namespace {

struct Entity : sched::SchedEntity {
    Entity(int tag_, int priority_) : tag(tag_) { priority = priority_; }
    int tag;
};

std::vector<int> drain(sched::RunQueue& queue)
{
    std::vector<int> tags;
    while (auto* entity = queue.pop_highest())
        tags.push_back(static_cast<Entity*>(entity)->tag);
    return tags;
}

}

TEST_CASE("run queue: empty", "[sched][run_queue]")
{
    sched::RunQueue queue;
    CHECK(queue.is_empty());
    CHECK(queue.size() == 0);
    CHECK(queue.highest_priority() == -1);
    CHECK(queue.pop_highest() == nullptr);
    CHECK(queue.peek_highest() == nullptr);
}

TEST_CASE("run queue: priority order, FIFO among equals", "[sched][run_queue]")
{
    Entity a(1, 10), b(2, 40), c(3, 10), d(4, 63), e(5, 0), f(6, 40);
    sched::RunQueue queue;
    for (Entity* entity : { &a, &b, &c, &d, &e, &f })
        queue.push_back(*entity);
    CHECK(queue.size() == 6);
    CHECK(queue.highest_priority() == 63);
    CHECK(static_cast<Entity*>(queue.peek_highest())->tag == 4);
    CHECK(drain(queue) == std::vector<int> { 4, 2, 6, 1, 3, 5 });
    CHECK(queue.is_empty());
    CHECK(queue.highest_priority() == -1);
}

TEST_CASE("run queue: push_front goes ahead of its equals only", "[sched][run_queue]")
{
    Entity a(1, 20), b(2, 20), c(3, 30), preempted(4, 20);
    sched::RunQueue queue;
    queue.push_back(a);
    queue.push_back(b);
    queue.push_back(c);
    queue.push_front(preempted);
    CHECK(drain(queue) == std::vector<int> { 3, 4, 1, 2 });
}

TEST_CASE("run queue: round-robin by requeueing at the back", "[sched][run_queue]")
{
    Entity a(1, 5), b(2, 5), c(3, 5);
    sched::RunQueue queue;
    queue.push_back(a);
    queue.push_back(b);
    queue.push_back(c);
    std::vector<int> order;
    for (int slice = 0; slice < 7; ++slice) {
        auto* running = queue.pop_highest();
        order.push_back(static_cast<Entity*>(running)->tag);
        queue.push_back(*running);
    }
    CHECK(order == std::vector<int> { 1, 2, 3, 1, 2, 3, 1 });
}

TEST_CASE("run queue: remove from the middle and after a priority change", "[sched][run_queue]")
{
    Entity a(1, 10), b(2, 10), c(3, 50);
    sched::RunQueue queue;
    queue.push_back(a);
    queue.push_back(b);
    queue.push_back(c);
    CHECK(queue.contains(b));
    queue.remove(b);
    CHECK_FALSE(queue.contains(b));
    CHECK(queue.size() == 2);

    // The scheduler changes priorities of queued threads by remove + push; removal must use the
    // level the entity was queued at, not its new priority.
    c.priority = 7;
    queue.remove(c);
    CHECK(queue.highest_priority() == 10);
    queue.push_back(c);
    CHECK(drain(queue) == std::vector<int> { 1, 3 });
}

TEST_CASE("run queue: levels empty out in the bitmap", "[sched][run_queue]")
{
    Entity low(1, 0), high(2, 63);
    sched::RunQueue queue;
    queue.push_back(low);
    queue.push_back(high);
    queue.remove(high);
    CHECK(queue.highest_priority() == 0);
    queue.remove(low);
    CHECK(queue.highest_priority() == -1);
}

TEST_CASE("run queue: misuse is caught", "[sched][run_queue]")
{
    Entity a(1, 10), out_of_range(2, 64), unqueued(3, 10);
    sched::RunQueue queue;
    queue.push_back(a);
    REQUIRE_VERIFY_FAILS(queue.push_back(a));   // already queued
    REQUIRE_VERIFY_FAILS(queue.push_back(out_of_range));
    REQUIRE_VERIFY_FAILS(queue.remove(unqueued));
    queue.remove(a);
}
