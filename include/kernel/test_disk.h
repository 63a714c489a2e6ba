#pragma once
// Disk plans: I/O the grader picks for a test run, done by the guest and checked by the host
// (lab/grader/harness/disk_plan.py). The host makes a fresh disk image per run, picks where
// to write and read, and hands the guest a plan through fw_cfg ("opt/conduit/disk-plan"):
//
//     device hda
//     capacity 131072             the disk's size in sectors
//     chunk 2048                  sectors per request (requests larger than a command are split
//                                 by the driver; this is what a caller asks for at once)
//     write 81920 4096 2718281    LBA, sectors, seed: the bytes are Python's
//                                 random.Random(seed).randbytes(sectors * 512)
//     read 16384 4096             the guest reports the CRC-32 of what it read
//     read 30000 8 eio            the read must fail with EIO (a fault the host injected)
//
// The guest reports on the debug console, one line per step, with the run's nonce:
//
//     @@CONDUIT disk-read lba=16384 sectors=4096 crc32=0x1a2b3c4d nonce=N
//     @@CONDUIT disk-write lba=81920 sectors=4096 nonce=N
//     @@CONDUIT disk-error op=read lba=30000 sectors=8 errno=EIO nonce=N
//
// After the run the host checks that every write is on the image byte for byte, that nothing
// else changed, and that every CRC matches the image: the evidence is the host's, the guest
// only moves the bytes. Context: thread (tests). Locking: none.
#include <kernel/dev/blockdev.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace test_disk {

enum class StepKind : u8 { Read, Write };

struct Step {
    StepKind kind;
    u64 lba;
    u32 sectors;
    u32 seed;                // writes
    bool expect_eio;         // the step must fail with EIO
};

struct Plan {
    static constexpr usize MAX_STEPS = 64;
    char device[16];
    u32 chunk;               // sectors per request
    u64 capacity;            // the disk's size in sectors, as the host made it (`capacity N`)
    Step steps[MAX_STEPS];
    usize count;
};

// Reads and parses the plan. ENOENT: no plan (the rubric gave none); EINVAL: malformed (the
// line is logged). Context: thread.
[[nodiscard]] ErrorOr<Plan> load_plan();

struct RunStats {
    u64 bytes_read;
    u64 bytes_written;
    u64 elapsed_ns;
};

// Runs the plan's steps in order on its device, `chunk` sectors per request, and prints the
// report lines. A step that fails unexpectedly (or succeeds where EIO was expected) stops the
// run with that error, logged. Buffers come from the heap, `chunk` sectors large.
[[nodiscard]] ErrorOr<RunStats> run_plan(Plan const& plan);

// Python's random.Random(seed) for a 32-bit seed (MT19937 seeded through init_by_array), as
// bytes: the generator both sides of a disk plan use for written data.
class PythonRandom {
public:
    explicit PythonRandom(u32 seed);
    u32 next_u32();
    // Like randbytes(): consecutive 32-bit outputs, little-endian. `count` % 4 == 0.
    void fill(u8* buffer, usize count);

private:
    static constexpr usize N = 624;
    u32 m_state[N];
    usize m_index { N };
};

// Prints the report line of one step (tests that do a step their own way).
void report(Step const& step, ErrorOr<void> const& result, u32 crc);

// Writes a marker line on COM1 for the grader's trace windows ("ata-begin"). Context: thread.
void trace_mark(char const* text);

// A whole test: loads the plan, lets `check` look at it first (e.g. "is the disk in the right
// mode?"), runs it between the COM1 marks "disk-begin" and "disk-end", and notes the
// throughput. Context: thread.
[[nodiscard]] ErrorOr<RunStats> run_plan_test(ErrorOr<void> (*check)(Plan const& plan));

}
