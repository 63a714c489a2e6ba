// IntrusiveList: ordering, removal, misuse detection and removal during iteration.
#include "support.h"
#include <kstd/intrusive_list.h>
#include <deque>
#include <vector>

namespace {

struct Thread {
    explicit Thread(int i) : id(i) {}
    int id;
    IntrusiveListNode run_node;
    IntrusiveListNode wait_node; // an element may be on several lists at once
};

using RunQueue = IntrusiveList<Thread, &Thread::run_node>;
using WaitQueue = IntrusiveList<Thread, &Thread::wait_node>;

std::vector<int> ids(RunQueue const& queue)
{
    std::vector<int> result;
    for (auto& thread : queue)
        result.push_back(thread.id);
    return result;
}

}

TEST_CASE("push_back, push_front, first, last, size", "[intrusive_list]")
{
    Thread a(1), b(2), c(3);
    RunQueue queue;
    CHECK(queue.is_empty());
    CHECK(queue.size() == 0);
    CHECK(queue.first() == nullptr);
    CHECK(queue.last() == nullptr);
    CHECK(queue.pop_front() == nullptr);

    queue.push_back(b);
    queue.push_back(c);
    queue.push_front(a);
    CHECK(ids(queue) == std::vector<int> { 1, 2, 3 });
    CHECK(queue.size() == 3);
    CHECK(queue.first() == &a);
    CHECK(queue.last() == &c);
    CHECK(a.run_node.is_linked());
    CHECK(queue.contains(b));
    queue.clear();
    CHECK_FALSE(a.run_node.is_linked());
}

TEST_CASE("pop_front, pop_back and remove unlink", "[intrusive_list]")
{
    Thread a(1), b(2), c(3), d(4);
    RunQueue queue;
    for (Thread* t : { &a, &b, &c, &d })
        queue.push_back(*t);

    CHECK(queue.pop_front() == &a);
    CHECK_FALSE(a.run_node.is_linked());
    CHECK(queue.pop_back() == &d);
    CHECK_FALSE(d.run_node.is_linked());
    CHECK(ids(queue) == std::vector<int> { 2, 3 });

    queue.remove(c);
    CHECK_FALSE(c.run_node.is_linked());
    CHECK_FALSE(queue.contains(c));
    CHECK(ids(queue) == std::vector<int> { 2 });
    queue.remove(b);
    CHECK(queue.is_empty());
    CHECK(queue.first() == nullptr);

    // A removed node can go on a list again.
    queue.push_back(c);
    CHECK(ids(queue) == std::vector<int> { 3 });
    queue.clear();
}

TEST_CASE("insert_before", "[intrusive_list]")
{
    Thread a(1), b(2), c(3), d(4);
    RunQueue queue;
    queue.push_back(b);
    queue.insert_before(b, a);
    queue.push_back(d);
    queue.insert_before(d, c);
    CHECK(ids(queue) == std::vector<int> { 1, 2, 3, 4 });
    CHECK(queue.first() == &a);
    CHECK(queue.size() == 4);
    queue.clear();
}

TEST_CASE("insert_after, next and prev", "[intrusive_list]")
{
    Thread a(1), b(2), c(3), d(4);
    RunQueue queue;
    queue.insert_after(nullptr, b);   // at the front
    queue.insert_after(&b, d);
    queue.insert_after(&b, c);
    queue.insert_after(nullptr, a);
    CHECK(ids(queue) == std::vector<int> { 1, 2, 3, 4 });
    CHECK(queue.last() == &d);
    CHECK(queue.next(a) == &b);
    CHECK(queue.next(d) == nullptr);
    CHECK(queue.prev(c) == &b);
    CHECK(queue.prev(a) == nullptr);
    Thread stranger(9);
    REQUIRE_VERIFY_FAILS(queue.next(stranger));   // not on this list
    queue.clear();
}

TEST_CASE("one element on two lists", "[intrusive_list]")
{
    Thread a(1), b(2);
    RunQueue run;
    WaitQueue wait;
    run.push_back(a);
    run.push_back(b);
    wait.push_back(b);
    CHECK(wait.first() == &b);
    CHECK(wait.first()->id == 2);
    run.remove(b);
    CHECK(b.wait_node.is_linked());
    CHECK(wait.pop_front() == &b);
    run.clear();
}

TEST_CASE("misuse is a VERIFY failure", "[intrusive_list]")
{
    Thread a(1), b(2);
    RunQueue queue;
    RunQueue other;

    // Removing an unlinked node.
    REQUIRE_VERIFY_FAILS(queue.remove(a));

    // Linking a node twice, on the same or another list.
    queue.push_back(a);
    REQUIRE_VERIFY_FAILS(queue.push_back(a));
    REQUIRE_VERIFY_FAILS(other.push_front(a));

    // Removing a node from a list it is not on.
    REQUIRE_VERIFY_FAILS(other.remove(a));

    // insert_before a position that is not on this list.
    REQUIRE_VERIFY_FAILS(other.insert_before(a, b));
    CHECK_FALSE(b.run_node.is_linked());

    CHECK(ids(queue) == std::vector<int> { 1 });
    CHECK(other.is_empty());
    queue.clear();
}

TEST_CASE("destroying a list unlinks its elements", "[intrusive_list]")
{
    Thread a(1);
    {
        RunQueue queue;
        queue.push_back(a);
    }
    CHECK_FALSE(a.run_node.is_linked());
}

TEST_CASE("the current element may be removed while iterating", "[intrusive_list]")
{
    std::deque<Thread> threads; // a deque never moves its elements (Thread cannot move)
    for (int i = 0; i < 10; ++i)
        threads.emplace_back(i);
    RunQueue queue;
    for (auto& t : threads)
        queue.push_back(t);

    // "Wake every waiter whose condition holds": remove the even ones during the walk.
    int visited = 0;
    for (auto& t : queue) {
        ++visited;
        if (t.id % 2 == 0)
            queue.remove(t);
    }
    CHECK(visited == 10);
    CHECK(ids(queue) == std::vector<int> { 1, 3, 5, 7, 9 });
    CHECK(queue.size() == 5);

    // Removing everything while iterating.
    for (auto& t : queue)
        queue.remove(t);
    CHECK(queue.is_empty());
}
