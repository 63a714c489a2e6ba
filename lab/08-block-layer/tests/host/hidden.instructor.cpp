// Lab 8's hidden host tests (instructor-only; graded in batch and instructor runs, never in a
// handout): random request streams and access patterns, checked against small reference models
// written here, so that a policy tuned to the visible tests' exact sets does not pass.
#include "cache_checks.h"
#include "scheduler_checks.h"
#include <algorithm>
#include <list>
#include <random>

using namespace lab8;

namespace {

// The reference choices, written independently of kernel/block: plain vectors, no lists.
struct Pending {
    usize index;
    BlockOp op;
    u64 sector, count, arrival, deadline;
};

usize model_look(std::vector<Pending> const& queue, u64 head, Direction& direction)
{
    auto pick = [&](bool up) -> long {
        long best = -1;
        for (usize i = 0; i < queue.size(); ++i) {
            Pending const& p = queue[i];
            bool eligible = up ? p.sector >= head : p.sector < head;
            if (!eligible)
                continue;
            if (best < 0)
                best = long(i);
            else if (up ? p.sector < queue[best].sector : p.sector > queue[best].sector)
                best = long(i);
            else if (p.sector == queue[best].sector && p.arrival < queue[best].arrival)
                best = long(i);
        }
        return best;
    };
    long chosen = pick(direction == Direction::Up);
    if (chosen < 0) {
        direction = direction == Direction::Up ? Direction::Down : Direction::Up;
        chosen = pick(direction == Direction::Up);
    }
    return usize(chosen);
}

usize model_deadline(std::vector<Pending> const& queue, u64 head, u64 now)
{
    long expired = -1;
    for (usize i = 0; i < queue.size(); ++i) {
        Pending const& p = queue[i];
        if (p.deadline > now)
            continue;
        // The oldest of its direction only (the fifo heads), then the earlier deadline.
        bool oldest = true;
        for (Pending const& other : queue)
            oldest = oldest && !(other.op == p.op && (other.arrival < p.arrival || (other.arrival == p.arrival && other.index < p.index)));
        if (!oldest)
            continue;
        if (expired < 0 || p.deadline < queue[expired].deadline
            || (p.deadline == queue[expired].deadline && p.op == BlockOp::Read))
            expired = long(i);
    }
    if (expired >= 0)
        return usize(expired);
    long best = -1, lowest = -1;
    for (usize i = 0; i < queue.size(); ++i) {
        auto better = [&](long current) {
            return current < 0 || queue[i].sector < queue[current].sector
                || (queue[i].sector == queue[current].sector && queue[i].arrival < queue[current].arrival);
        };
        if (queue[i].sector >= head && better(best))
            best = long(i);
        if (better(lowest))
            lowest = long(i);
    }
    return usize(best >= 0 ? best : lowest);
}

std::vector<Arrival> random_stream(u32 seed, usize count)
{
    std::mt19937 random(seed);
    std::vector<Arrival> stream;
    u64 at = 0;
    std::set<u64> used;
    for (usize i = 0; i < count; ++i) {
        at += random() % 3000;
        u64 sector;
        do
            sector = (random() % 5000) * 2;   // even sectors, one long: never adjacent
        while (!used.insert(sector).second);
        stream.push_back({ at, random() % 3 ? BlockOp::Read : BlockOp::Write, sector });
    }
    return stream;
}

// Plays `stream` through the reference: the order of sectors served.
std::vector<u64> play_model(std::vector<Arrival> const& stream, Disk const& disk, bool deadline)
{
    std::vector<Pending> queue;
    std::vector<u64> order;
    usize arrived = 0;
    u64 now = 0, head = disk.head;
    Direction direction = disk.direction;
    while (order.size() < stream.size()) {
        for (; arrived < stream.size() && stream[arrived].at_ns <= now; ++arrived) {
            Arrival const& a = stream[arrived];
            u64 expire = a.op == BlockOp::Read ? disk.read_expire_ns : disk.write_expire_ns;
            queue.push_back({ arrived, a.op, a.sector, a.count, a.at_ns, a.at_ns + expire });
        }
        if (queue.empty()) {
            now = stream[arrived].at_ns;
            continue;
        }
        usize chosen = deadline ? model_deadline(queue, head, now) : model_look(queue, head, direction);
        order.push_back(queue[chosen].sector);
        head = queue[chosen].sector + queue[chosen].count;
        queue.erase(queue.begin() + long(chosen));
        now += disk.service_ns;
    }
    return order;
}

}

TEST_CASE("hidden: the elevator on random streams", "[.lab8_hidden][elevator]")
{
    for (u32 seed = 1; seed <= 40; ++seed) {
        auto stream = random_stream(seed, 60);
        Disk disk { .head = (seed * 977) % 10000, .direction = seed % 2 ? Direction::Up : Direction::Down,
            .service_ns = 1500 };
        Run run = play(block::elevator_next, stream, disk);
        REQUIRE(run.problem.empty());
        if (run.sectors() != play_model(stream, disk, false))
            FAIL("elevator: random stream " << seed << " served in a different order from LOOK's");
    }
}

TEST_CASE("hidden: deadline on random streams with short expiry", "[.lab8_hidden][deadline]")
{
    for (u32 seed = 1; seed <= 40; ++seed) {
        auto stream = random_stream(seed + 1000, 60);
        Disk disk { .head = (seed * 613) % 10000, .service_ns = 1500, .read_expire_ns = 5000 + seed * 300,
            .write_expire_ns = 20000 + seed * 1000 };
        Run run = play(block::deadline_next, stream, disk);
        REQUIRE(run.problem.empty());
        if (run.sectors() != play_model(stream, disk, true))
            FAIL("deadline: random stream " << seed << " served in a different order from the reference");
    }
}

TEST_CASE("hidden: LRU hit counts on random access patterns", "[.lab8_hidden][evict]")
{
    for (u32 seed = 1; seed <= 20; ++seed) {
        std::mt19937 random(seed);
        u32 capacity = 3 + random() % 10;
        std::vector<u64> pattern;
        for (int i = 0; i < 300; ++i)
            pattern.push_back(random() % (capacity + 1 + random() % 8));
        std::list<u64> model;   // most recent at the front
        u64 model_hits = 0;
        for (u64 number : pattern) {
            auto found = std::find(model.begin(), model.end(), number);
            if (found != model.end()) {
                ++model_hits;
                model.erase(found);
            } else if (model.size() == capacity) {
                model.pop_back();
            }
            model.push_front(number);
        }
        auto [hits, misses] = hits_for(block::lru_write_back_policy, capacity, pattern);
        (void)misses;
        if (hits != model_hits)
            FAIL("random pattern " << seed << " (cache of " << capacity << "): " << hits << " hits, LRU gets " << model_hits);
    }
}

TEST_CASE("hidden: random writes, failures and syncs never lose data", "[.lab8_hidden][writeback]")
{
    for (u32 seed = 1; seed <= 10; ++seed) {
        std::mt19937 random(seed);
        FakeCache fake(4 + random() % 6, block::lru_write_back_policy);
        std::vector<int> latest(64, -1);
        for (int step = 0; step < 400; ++step) {
            u64 number = random() % 64;
            u8 byte = u8(1 + random() % 250);
            if (random() % 7 == 0)
                fake.disk.failing_writes.insert(random() % 64);
            if (random() % 5 == 0)
                fake.disk.failing_writes.clear();
            if (fake.write(number, byte))
                latest[number] = byte;
            if (random() % 40 == 0)
                (void)fake.cache->sync(fake.device());
        }
        fake.disk.failing_writes.clear();
        REQUIRE(!fake.cache->sync(fake.device()).is_error());
        for (u64 number = 0; number < 64; ++number) {
            if (latest[number] >= 0 && !fake.on_disk(number, u8(latest[number])))
                FAIL("seed " << seed << ": block " << number << " lost its last write");
        }
        require_no_violations(fake);
    }
}
