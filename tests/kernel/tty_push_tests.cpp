// The TTY core's push model over a fake port (tests/kernel/tty_fake_port.h): echo with nobody
// reading, throttling when the line discipline is full (nothing lost silently), poll() and
// dev::poll() on several files, and writers woken below the low-water mark.
#include "tty_fake_port.h"
#include <kernel/dev/devfs.h>
#include <kernel/dev/poll.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kernel/tty/tty.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace tty_test;
using dev::PollMask;
constexpr u64 MS = time::NS_PER_MS;

// Until the bottom half has taken everything from the flip buffer (or a second passed).
void wait_flushed(FakePort& port)
{
    for (int i = 0; i < 200 && !port.flip().is_empty(); ++i)
        sched::sleep_for(MS);
    sched::sleep_for(2 * MS);   // and finished its run
}

ErrorOr<void> set_raw(dev::File& file)
{
    tty::Termios raw = tty::raw_termios();
    raw.onlcr = false;
    TRY(file.ioctl(tty::TCSETS, uptr(&raw)));
    return {};
}

}

// Characters are edited and echoed when they arrive, whether or not anybody is reading.
KTEST(tty_echo_without_reader, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq20"));
    o.port.type("hu\x7fi there\r");
    EXPECT_MSG(o.port.wait_written(StringView("hu\b \bi there\r\n")),
               "no echo within a second with nobody reading: got \"%s\"", shown(o.port.written()));
    EXPECT_EQ(o.handle.stats().reader_sleeps, 0u);   // nobody was reading
    EXPECT_TEXT(EXPECT_OK(read_text(*o.file)), "hi there\n");
    return {};
}

// Raw mode, nobody reading: the discipline fills (1024 bytes), then the TTY throttles its port
// and leaves the rest in the flip buffer (512), and what does not fit there either is counted as
// overflow. Reading makes room: the bottom half takes the rest and unthrottles.
KTEST(tty_throttle_when_full, CORE_SUITE)
{
    Opened o;
    TRY(open_fake(o, "ttyq21"));
    TRY(set_raw(*o.file));
    static char chunk[tty::FlipBuffer::CAPACITY + 1];
    memset(chunk, 'x', tty::FlipBuffer::CAPACITY);
    chunk[tty::FlipBuffer::CAPACITY] = '\0';
    usize typed = 0, stored = 0;
    for (int i = 0; i < 3; ++i) {   // 1536 bytes: 1024 into the discipline, 512 wait
        stored += o.port.type(chunk);
        typed += tty::FlipBuffer::CAPACITY;
        wait_flushed(o.port);
    }
    EXPECT_EQ(stored, typed);
    EXPECT_MSG(o.port.throttled && o.port.throttles == 1, "the discipline is full and 512 bytes wait: the port "
               "must be throttled once (throttled %d, %u throttle calls)", o.port.throttled, o.port.throttles);
    stored += o.port.type("overflow!");   // the flip buffer is full too
    typed += 9;
    tty::TtyStats const full = o.handle.stats();
    EXPECT_MSG(full.overflow == 9 && stored == typed - 9, "9 bytes with every buffer full: %lu counted as "
               "overflow, %zu of %zu stored", full.overflow, stored, typed);
    EXPECT(has(EXPECT_OK(o.file->poll()), PollMask::Error));   // input was lost since the last read

    static u8 buffer[600];
    usize got = 0;
    while (got < stored) {
        auto n = o.file->read(Bytes(buffer, sizeof(buffer)));
        EXPECT_MSG(!n.is_error(), "after %zu of %zu bytes: %s", got, stored, n.error().name());
        got += n.value();
    }
    EXPECT_EQ(got, stored);   // everything that was not counted as overflow arrived
    EXPECT_MSG(!o.port.throttled && o.port.unthrottles >= 1, "reading made room, but the port is still throttled");
    EXPECT(!has(EXPECT_OK(o.file->poll()), PollMask::Error));
    EXPECT(o.handle.stats().throttles >= 1);
    return {};
}

// poll() answers from the same state the sleepers wait on.
KTEST(tty_poll_readable_writable_hangup, CORE_SUITE)
{
    Opened o;
    o.port.queue_limit = 1024;
    TRY(open_fake(o, "ttyq22"));
    EXPECT_EQ(EXPECT_OK(o.file->poll()), PollMask::Writable);
    o.port.type("line\r");
    wait_flushed(o.port);
    EXPECT_EQ(EXPECT_OK(o.file->poll()), PollMask::Readable | PollMask::Writable);
    (void)EXPECT_OK(read_text(*o.file));
    o.port.send(1024);   // the echo
    static u8 fill[1024];
    memset(fill, 'w', sizeof(fill));
    EXPECT_EQ(EXPECT_OK(o.file->write(ReadonlyBytes(fill, 1024))), 1024u);
    EXPECT_EQ(EXPECT_OK(o.file->poll()), PollMask::None);       // the queue is full
    o.port.send(1024 - tty::LOW_WATER);                          // at the mark: not yet
    EXPECT_EQ(EXPECT_OK(o.file->poll()), PollMask::None);
    o.port.send(1);                                              // below it
    EXPECT_EQ(EXPECT_OK(o.file->poll()), PollMask::Writable);

    dev::PollRequest request { o.file.ptr(), PollMask::Readable };
    o.handle.unregister();
    EXPECT_EQ(EXPECT_OK(dev::poll({ &request, 1 }, 0)), 1u);
    EXPECT_EQ(request.ready, PollMask::Hangup);
    return {};
}

// dev::poll on two TTYs sleeps until one is ready and says which.
KTEST(tty_dev_poll_two_files, CORE_SUITE)
{
    Opened a, b;
    TRY(open_fake(a, "ttyq23"));
    TRY(open_fake(b, "ttyq24"));
    static Poller poller;
    poller = Poller {};
    poller.requests[0] = { a.file.ptr(), PollMask::Readable };
    poller.requests[1] = { b.file.ptr(), PollMask::Readable };
    TRY(start_poller(poller));
    u64 const typed_ns = time::now_ns();
    b.port.type("b\r");
    TRY(finish_poller(poller));
    EXPECT_MSG(poller.ready == 1, "dev::poll returned %zu ready, expected 1", poller.ready);
    EXPECT_EQ(poller.requests[0].ready, PollMask::None);
    EXPECT_EQ(poller.requests[1].ready, PollMask::Readable);
    ktest::note("dev::poll returned %lu us after the line was typed", (poller.returned_ns - typed_ns) / 1000);

    // Nothing ready: 0 after the timeout; bad requests are refused.
    dev::PollRequest idle[2] = { { a.file.ptr(), PollMask::Readable }, { b.file.ptr(), PollMask::Readable } };
    (void)EXPECT_OK(read_text(*b.file));
    u64 const start = time::now_ns();
    EXPECT_EQ(EXPECT_OK(dev::poll({ idle, 2 }, 30 * MS)), 0u);
    EXPECT(time::now_ns() - start >= 30 * MS);
    EXPECT_ERROR(dev::poll({ idle, 0 }, 0), EINVAL);
    EXPECT_OK(a.file->close());
    EXPECT_ERROR(dev::poll({ idle, 2 }, 0), EBADF);
    return {};
}

namespace {
struct Writer {
    dev::File* file;
    sched::Thread* thread { nullptr };
    usize volatile written { 0 };
    bool volatile done { false };
};
void write_4000(void* arg)
{
    auto& w = *static_cast<Writer*>(arg);
    static u8 data[4000];
    memset(data, 'd', sizeof(data));
    auto n = w.file->write(ReadonlyBytes(data, sizeof(data)));
    w.written = n.is_error() ? 0 : n.value();
    w.done = true;
}
}

// A writer that finds the queue full sleeps until it has drained below LOW_WATER: the device
// sending a few bytes at a time does not wake it each time.
KTEST(tty_writer_wakes_below_low_water, CORE_SUITE)
{
    Opened o;
    o.port.queue_limit = 1024;
    TRY(open_fake(o, "ttyq25"));
    TRY(set_raw(*o.file));
    static Writer writer;
    writer = Writer { o.file.ptr() };
    writer.thread = EXPECT_OK(sched::spawn("writer", write_4000, &writer));
    u64 const switches_at_start = sched::switch_count(writer.thread);
    usize sends = 0;
    while (!writer.done && sends < 2000) {
        o.port.send(16);   // a 16-byte FIFO's worth, as a UART's THRE interrupt
        ++sends;
        sched::sleep_for(MS / 4);
    }
    u64 const switches = sched::switch_count(writer.thread) - switches_at_start;
    EXPECT_OK(sched::join(writer.thread));
    EXPECT_EQ(writer.written, 4000u);
    tty::TtyStats const stats = o.handle.stats();
    ktest::note("4000 bytes through a 1024-byte queue drained 16 at a time (%zu sends): the writer slept %lu "
                "times and ran %lu times", sends, stats.writer_sleeps, switches);
    EXPECT_MSG(stats.writer_sleeps >= 3 && stats.writer_sleeps <= 6, "the writer slept %lu times: it should "
               "refill below the low-water mark, about (4000 - 1024) / (1024 - %zu) times", stats.writer_sleeps,
               tty::LOW_WATER);
    EXPECT_MSG(switches <= 2 * stats.writer_sleeps + 10, "the writer ran %lu times for %lu sleeps: it was woken "
               "while the queue was still above the low-water mark", switches, stats.writer_sleeps);
    return {};
}
