// The lists every I/O scheduler chooses from (kernel/block/scheduler_queue.cpp), the fifo
// scheduler, the registry, and the head's seek distance. The elevator's and deadline's choices
// are lab 8's, tested in lab/08-block-layer/tests/host.
#include "support.h"
#include <kernel/block/scheduler.h>
#include <kernel/dev/blockdev.h>
#include <vector>

using namespace block;
using dev::BlockOp;

namespace {

struct Entries {
    std::vector<QueueEntry*> all;
    ~Entries()
    {
        for (QueueEntry* entry : all)
            delete entry;
    }
    QueueEntry& make(BlockOp op, u64 sector, u32 count, u64 arrival)
    {
        auto* entry = new QueueEntry;
        entry->op = op;
        entry->sector = sector;
        entry->count = count;
        entry->arrival_ns = arrival;
        entry->deadline_ns = arrival + 1000;
        all.push_back(entry);
        return *entry;
    }
};

std::vector<u64> sorted_sectors(SchedulerQueue& queue)
{
    std::vector<u64> out;
    for (QueueEntry& entry : queue.sorted)
        out.push_back(entry.sector);
    return out;
}

std::vector<u64> fifo_sectors(SchedulerQueue::FifoList& list)
{
    std::vector<u64> out;
    for (QueueEntry& entry : list)
        out.push_back(entry.sector);
    return out;
}

// Empties the queue through `next`, moving the head, and returns the sectors served.
std::vector<u64> drain(SchedulerQueue& queue, ChooseNext next, u64* seek = nullptr)
{
    std::vector<u64> order;
    u64 distance = 0;
    while (!queue.is_empty()) {
        QueueEntry* entry = next(queue);
        REQUIRE(entry);
        REQUIRE(queue.contains(*entry));
        queue.remove(*entry);
        distance += queue.move_head_to(*entry);
        order.push_back(entry->sector);
    }
    if (seek)
        *seek = distance;
    return order;
}

}

TEST_CASE("the sorted list is by sector and each fifo by arrival, whatever the insertion order", "[block][iosched]")
{
    Entries entries;
    SchedulerQueue queue;
    queue.add(entries.make(BlockOp::Read, 50, 1, 30));
    queue.add(entries.make(BlockOp::Write, 10, 1, 10));
    queue.add(entries.make(BlockOp::Read, 90, 1, 20));
    queue.add(entries.make(BlockOp::Read, 10, 1, 40));    // equal sector: after the earlier one
    queue.add(entries.make(BlockOp::Write, 70, 1, 5));    // arrived before the other write
    CHECK(sorted_sectors(queue) == std::vector<u64> { 10, 10, 50, 70, 90 });
    CHECK(queue.sorted.first()->op == BlockOp::Write);   // the older of the two at sector 10
    CHECK(fifo_sectors(queue.fifo[SchedulerQueue::READS]) == std::vector<u64> { 90, 50, 10 });
    CHECK(fifo_sectors(queue.fifo[SchedulerQueue::WRITES]) == std::vector<u64> { 70, 10 });
    CHECK(queue.size() == 5);
    queue.remove(*queue.sorted.first());
    CHECK(fifo_sectors(queue.fifo[SchedulerQueue::WRITES]) == std::vector<u64> { 70 });
    queue.sorted.clear();
    queue.fifo[0].clear();
    queue.fifo[1].clear();
}

TEST_CASE("stamp gives reads and writes their own expiry", "[block][iosched]")
{
    SchedulerQueue queue;
    queue.read_expire_ns = 100;
    queue.write_expire_ns = 1000;
    QueueEntry read, write;
    read.op = BlockOp::Read;
    write.op = BlockOp::Write;
    queue.stamp(read, 5000);
    queue.stamp(write, 5000);
    CHECK(read.arrival_ns == 5000);
    CHECK(read.deadline_ns == 5100);
    CHECK(write.deadline_ns == 6000);
}

TEST_CASE("fifo serves in arrival order across reads and writes; the head measures the seeks", "[block][iosched]")
{
    Entries entries;
    SchedulerQueue queue;
    queue.head = 53;
    u64 arrival = 0;
    BlockOp ops[] = { BlockOp::Read, BlockOp::Write };
    for (u64 sector : { 98, 183, 37, 122, 14, 124, 65, 67 }) {
        queue.add(entries.make(ops[arrival % 2], sector, 1, arrival));
        ++arrival;
    }
    u64 seek = 0;
    CHECK(drain(queue, fifo_next, &seek) == std::vector<u64> { 98, 183, 37, 122, 14, 124, 65, 67 });
    // From the end of each request to the start of the next: 45+84+147+84+109+109+60+1.
    CHECK(seek == 639);
    CHECK(queue.head == 68);
    CHECK(fifo_next(queue) == nullptr);
}

TEST_CASE("schedulers are found by name", "[block][iosched]")
{
    CHECK(find_scheduler("fifo") == &fifo_scheduler);
    CHECK(find_scheduler("elevator") == &elevator_scheduler);
    CHECK(find_scheduler("deadline") == &deadline_scheduler);
    CHECK(find_scheduler("cfq") == nullptr);
    CHECK(find_scheduler("") == nullptr);
    CHECK(scheduler_count() == 3);
    CHECK(&default_scheduler() == &deadline_scheduler);
    for (usize i = 0; i < scheduler_count(); ++i)
        CHECK(scheduler_at(i).next != nullptr);
}
