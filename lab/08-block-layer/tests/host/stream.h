#pragma once
// Lab 8 host tests: a scripted request stream played against an I/O scheduler's choice.
//
// A stream is a list of arrivals (when, which way, where). The "disk" serves one entry at a
// time and each takes `service_ns`; before every choice, everything that has arrived by then is
// queued (with its own arrival time, so deadlines are exact). The result is the order served,
// when each was served, and the head's travel. No merging: the arrivals never touch each other.
#include <kernel/block/scheduler.h>
#include <kernel/dev/blockdev.h>
#include <memory>
#include <string>
#include <vector>

namespace lab8 {

using block::ChooseNext;
using block::Direction;
using block::QueueEntry;
using block::SchedulerQueue;
using dev::BlockOp;

struct Arrival {
    u64 at_ns;
    BlockOp op;
    u64 sector;
    u32 count { 1 };
};

struct Served {
    usize index;     // which arrival
    u64 sector;
    BlockOp op;
    u64 at_ns;       // when the choice was made
};

struct Run {
    std::vector<Served> served;
    u64 seek { 0 };
    std::string problem;   // empty, or what went wrong (a choice not on the queue, ...)

    std::vector<u64> sectors() const
    {
        std::vector<u64> out;
        for (Served const& s : served)
            out.push_back(s.sector);
        return out;
    }
    // When arrival `index` was served; ~0 if never.
    u64 served_at(usize index) const
    {
        for (Served const& s : served) {
            if (s.index == index)
                return s.at_ns;
        }
        return ~u64(0);
    }
};

struct Disk {
    u64 head { 0 };
    Direction direction { Direction::Up };
    u64 service_ns { 1000 };
    u64 read_expire_ns { block::DEFAULT_READ_EXPIRE_NS };
    u64 write_expire_ns { block::DEFAULT_WRITE_EXPIRE_NS };
};

inline Run play(ChooseNext next, std::vector<Arrival> const& arrivals, Disk const& disk)
{
    Run run;
    auto entries = std::make_unique<QueueEntry[]>(arrivals.size());
    SchedulerQueue queue;
    queue.head = disk.head;
    queue.direction = disk.direction;
    queue.read_expire_ns = disk.read_expire_ns;
    queue.write_expire_ns = disk.write_expire_ns;
    usize arrived = 0;
    u64 now = 0;
    while (run.served.size() < arrivals.size()) {
        for (; arrived < arrivals.size() && arrivals[arrived].at_ns <= now; ++arrived) {
            QueueEntry& entry = entries[arrived];
            entry.op = arrivals[arrived].op;
            entry.sector = arrivals[arrived].sector;
            entry.count = arrivals[arrived].count;
            queue.stamp(entry, arrivals[arrived].at_ns);
            queue.add(entry);
        }
        if (queue.is_empty()) {
            now = arrivals[arrived].at_ns;
            continue;
        }
        queue.now_ns = now;
        QueueEntry* chosen = next(queue);
        if (!chosen || !queue.contains(*chosen)) {
            run.problem = chosen ? "the scheduler chose an entry that is not on the queue"
                                 : "the scheduler chose nothing although the queue was not empty";
            break;
        }
        queue.remove(*chosen);
        run.seek += queue.move_head_to(*chosen);
        usize index = usize(chosen - entries.get());
        run.served.push_back({ index, chosen->sector, chosen->op, now });
        now += disk.service_ns;
    }
    queue.sorted.clear();
    for (auto& fifo : queue.fifo)
        fifo.clear();
    return run;
}

// All arrivals at time 0, in this order, one sector each.
inline std::vector<Arrival> at_once(std::vector<u64> const& sectors, BlockOp op = BlockOp::Read)
{
    std::vector<Arrival> arrivals;
    for (u64 sector : sectors)
        arrivals.push_back({ 0, op, sector });
    return arrivals;
}

inline std::string text(std::vector<u64> const& sectors)
{
    std::string out;
    for (u64 sector : sectors)
        out += (out.empty() ? "" : " ") + std::to_string(sector);
    return out;
}

}
