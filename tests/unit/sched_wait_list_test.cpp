// WaitList: the bookkeeping behind WaitQueue/Semaphore/Mutex/ConditionVariable: FIFO among
// equals, highest priority first, priorities read at wake time (donation changes them while
// waiting), removal on timeout, counts, and misuse.
#include "support.h"
#include <kernel/sched/wait_list.h>
#include <vector>

namespace {

struct Entity : sched::SchedEntity {
    Entity(int tag_, int priority_) : tag(tag_) { priority = priority_; }
    int tag;
};

int tag_of(sched::Waiter* waiter) { return waiter ? static_cast<Entity&>(waiter->entity).tag : -1; }

}

TEST_CASE("wait list: empty", "[sched][wait_list]")
{
    sched::WaitList list;
    CHECK(list.is_empty());
    CHECK(list.size() == 0);
    CHECK(list.max_priority() == -1);
    CHECK(list.pop_best() == nullptr);
    CHECK(list.pop_front() == nullptr);
}

TEST_CASE("wait list: highest priority first, FIFO among equals", "[sched][wait_list]")
{
    Entity e1(1, 10), e2(2, 30), e3(3, 10), e4(4, 30), e5(5, 20);
    sched::Waiter w1(e1), w2(e2), w3(e3), w4(e4), w5(e5);
    sched::WaitList list;
    for (auto* w : { &w1, &w2, &w3, &w4, &w5 })
        list.add(*w);
    CHECK(list.size() == 5);
    CHECK(list.max_priority() == 30);
    std::vector<int> order;
    while (auto* w = list.pop_best())
        order.push_back(tag_of(w));
    CHECK(order == std::vector<int> { 2, 4, 5, 1, 3 });
    CHECK(list.is_empty());
}

TEST_CASE("wait list: pop_front is plain FIFO (wake_all)", "[sched][wait_list]")
{
    Entity e1(1, 10), e2(2, 50);
    sched::Waiter w1(e1), w2(e2);
    sched::WaitList list;
    list.add(w1);
    list.add(w2);
    CHECK(tag_of(list.pop_front()) == 1);
    CHECK(tag_of(list.pop_front()) == 2);
    CHECK(list.pop_front() == nullptr);
}

TEST_CASE("wait list: priority changes while waiting are honoured", "[sched][wait_list]")
{
    Entity e1(1, 10), e2(2, 20);
    sched::Waiter w1(e1), w2(e2);
    sched::WaitList list;
    list.add(w1);
    list.add(w2);
    e1.priority = 40;   // e.g. a donation reached it while it waited
    CHECK(list.max_priority() == 40);
    CHECK(tag_of(list.pop_best()) == 1);
    CHECK(list.max_priority() == 20);
}

TEST_CASE("wait list: removal on timeout and membership", "[sched][wait_list]")
{
    Entity e1(1, 10), e2(2, 10), e3(3, 10);
    sched::Waiter w1(e1), w2(e2), w3(e3);
    sched::WaitList list, other;
    list.add(w1);
    list.add(w2);
    list.add(w3);
    CHECK(list.contains(w2));
    CHECK(w2.list == &list);
    list.remove(w2);   // timed out: gone, and the count says so
    CHECK_FALSE(list.contains(w2));
    CHECK(w2.list == nullptr);
    CHECK(list.size() == 2);
    CHECK(tag_of(list.pop_best()) == 1);
    CHECK(w1.list == nullptr);
    CHECK(tag_of(list.pop_best()) == 3);
    CHECK(list.is_empty());

    other.add(w2);
    REQUIRE_VERIFY_FAILS(list.remove(w2));   // on another list
    REQUIRE_VERIFY_FAILS(list.add(w2));      // already queued somewhere
    other.remove(w2);
}

TEST_CASE("wait list: a waiter starts out waiting", "[sched][wait_list]")
{
    Entity e(1, 0);
    sched::Waiter w(e);
    CHECK(w.result == sched::WaitResult::Waiting);
    CHECK(w.list == nullptr);
    CHECK_FALSE(w.node.is_linked());
}
