#pragma once
// Lab 0 (tools): the code the exercises are about. See lab/00-tools/README.md.
#include <kstd/types.h>

namespace lab0 {

// --- Exercise 2: reading a panic's backtrace ----------------------------------------------
// A driver's queue of pending disk requests, as a singly linked list: `head` is the oldest
// request, each `next` the one after it, the last one's `next` is nullptr, and `count` is the
// number of requests in the list.
inline constexpr u64 SECTOR_SIZE = 512;

struct Request {
    Request* next;
    u64 first_sector;
    u32 sectors;        // length of the transfer, in sectors
};

struct RequestQueue {
    Request* head;
    usize count;
};

// Bytes the queue still has to transfer: the sum over its requests of sectors * SECTOR_SIZE
// (0 for an empty queue). Context: any.
u64 queued_bytes(RequestQueue const& queue);

// --- Exercise 3: gdb ------------------------------------------------------------------------
// Computes the lab's secret and hands it to secret_ready(), where gdb can catch it.
u64 reveal_secret();
// Does nothing with the secret; exists so that `break lab0::secret_ready` has somewhere to stop.
void secret_ready(u64 secret);

}
