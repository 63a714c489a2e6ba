// Lab 0, exercise 2: the request queue of an imaginary disk driver.
//
// Exercise 2 of lab/00-tools/README.md: run the test lab0_queued_bytes, read the panic report
// (the faulting address, the instruction pointer, the backtrace), find the bug and fix it.
#include "lab0.h"
#include <kstd/enforce.h>

namespace lab0 {

u64 queued_bytes(RequestQueue const& queue)
{
    u64 total = 0;
    Request const* request = queue.head;
    // BEGIN LAB 0
    for (usize i = 0; i < queue.count; ++i) {
    // END LAB 0
    // STUB LAB 0: for (usize i = 0; i <= queue.count; ++i) {
        total += u64(request->sectors) * SECTOR_SIZE;
        request = request->next;
    }
    return total;
}

}
