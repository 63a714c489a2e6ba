#pragma once
// A TTY port with no hardware behind it, for the TTY core's tests: typing pushes bytes through
// the flip buffer as a driver's top half would; what the TTY writes (output and echo) is kept
// for inspection; optionally it has an output queue of limited size that the test drains, to
// stand for a UART's TX queue.
#include <kernel/dev/devfs.h>
#include <kernel/dev/poll.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kernel/tty/tty.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>

namespace tty_test {

inline constexpr u32 PORT_PRIVATE_IOCTL = dev::ioctl_code('q', 1);
inline constexpr u64 READ_TIMEOUT_NS = 2 * time::NS_PER_S;   // a broken TTY fails instead of hanging
inline constexpr usize UNLIMITED = ~usize(0) >> 1;

class FakePort final : public tty::TtyPort {
public:
    // --- the port -----------------------------------------------------------------------------
    usize write(ReadonlyBytes bytes) override
    {
        InterruptsDisabled guard;
        usize const n = kstd::min(bytes.size(), write_room());
        for (usize i = 0; i < n; ++i) {
            if (m_length < sizeof(m_output))
                m_output[m_length++] = char(bytes[i]);
        }
        if (queue_limit != UNLIMITED)
            queued += n;
        return n;
    }
    usize write_room() const override { return queue_limit == UNLIMITED ? UNLIMITED : queue_limit - queued; }
    usize chars_in_buffer() const override { return queued; }
    ErrorOr<void> activate() override
    {
        ++activations;
        return {};
    }
    void shutdown() override { ++shutdowns; }
    void throttle() override
    {
        throttled = true;
        ++throttles;
    }
    void unthrottle() override
    {
        if (throttled)
            ++unthrottles;
        throttled = false;
    }
    ErrorOr<long> ioctl(u32 request, uptr argument) override
    {
        if (has_ioctl && request == PORT_PRIVATE_IOCTL)
            return 42L;
        return TtyPort::ioctl(request, argument);
    }

    // --- the test's side ---------------------------------------------------------------------
    // Bytes arriving from the "line", as a top half delivers them: into the flip buffer, one push.
    usize type(char const* text)
    {
        usize const n = receive(ReadonlyBytes(reinterpret_cast<u8 const*>(text), strlen(text)));
        push();
        return n;
    }
    // The "device" sends `count` queued bytes; like a driver, it calls write_wakeup() when the
    // queue drains below LOW_WATER (or empties).
    void send(usize count)
    {
        usize before, after;
        {
            InterruptsDisabled guard;
            before = queued;
            queued = count >= queued ? 0 : queued - count;
            after = queued;
        }
        if ((before >= tty::LOW_WATER && after < tty::LOW_WATER) || (before > 0 && after == 0))
            write_wakeup();
    }
    StringView written() const { return StringView(m_output, m_length); }
    void clear_output()
    {
        InterruptsDisabled guard;
        m_length = 0;
    }
    // Waits (up to a second) until the output is `expected`; true when it is.
    bool wait_written(StringView expected) const
    {
        for (int i = 0; i < 200; ++i) {
            if (written() == expected)
                return true;
            sched::sleep_for(5 * time::NS_PER_MS);
        }
        return written() == expected;
    }

    usize queue_limit { UNLIMITED };
    usize queued { 0 };   // Guarded by disabling interrupts
    bool has_ioctl { true };
    bool throttled { false };
    u32 throttles { 0 }, unthrottles { 0 }, activations { 0 }, shutdowns { 0 };

private:
    char m_output[2048];
    usize m_length { 0 };   // Guarded by disabling interrupts
};

// Control characters as \xNN, for failure messages.
inline char const* shown(StringView text)
{
    static char out[200];
    usize used = 0;
    for (usize i = 0; i < text.length() && used + 5 < sizeof(out); ++i) {
        u8 c = u8(text[i]);
        if (c >= 0x20 && c < 0x7F)
            out[used++] = char(c);
        else
            used += kstd::snprintf(out + used, sizeof(out) - used, "\\x%02x", c);
    }
    out[used] = '\0';
    return out;
}

#define EXPECT_TEXT(actual, expected)                                                            \
    do {                                                                                         \
        StringView const _got = (actual);                                                        \
        EXPECT_MSG(_got == StringView(expected), "expected \"%s\", got \"%s\"",                   \
                   ::tty_test::shown(StringView(expected)), ::tty_test::shown(_got));            \
    } while (0)

// Reads once into a static buffer; the result is valid until the next call.
inline ErrorOr<StringView> read_text(dev::File& file, usize capacity = 128)
{
    static char buffer[256];
    usize const n = TRY(file.read(Bytes(reinterpret_cast<u8*>(buffer), kstd::min(capacity, sizeof(buffer)))));
    return StringView(buffer, n);
}

// A registered fake TTY, opened read-write with READ_TIMEOUT_NS.
struct Opened {
    FakePort port;
    tty::TtyHandle handle;
    OwnPtr<dev::File> file;
};

inline ErrorOr<void> open_fake(Opened& o, char const* name)
{
    o.handle = TRY(tty::register_tty(name, o.port));
    char path[40];
    kstd::snprintf(path, sizeof(path), "/dev/%s", name);
    o.file = TRY(devfs::open(StringView(path), dev::OpenFlags::ReadWrite));
    o.file->set_timeout_ns(READ_TIMEOUT_NS);
    return {};
}

// A thread that waits in dev::poll on one or two files, for the tests of poll: start() it, make
// something happen, finish() it, look at what it saw.
struct Poller {
    dev::PollRequest requests[2];
    usize count { 2 };
    dev::File* stats_of { nullptr };   // if set: its output_queued is read as poll returns
    sched::Thread* thread { nullptr };
    usize volatile ready { 0 };
    int volatile error { 0 };
    bool volatile done { false };
    u64 volatile returned_ns { 0 };
    u64 volatile queued_at_return { 0 };
};

inline void poll_in_thread(void* arg)
{
    auto& p = *static_cast<Poller*>(arg);
    auto ready = dev::poll({ p.requests, p.count }, 3 * time::NS_PER_S);
    p.returned_ns = time::now_ns();
    if (p.stats_of) {
        tty::TtyStats stats {};
        (void)p.stats_of->ioctl(tty::TTY_GET_STATS, uptr(&stats));
        p.queued_at_return = stats.output_queued;
    }
    p.error = ready.is_error() ? ready.error().code() : 0;
    p.ready = ready.is_error() ? 0 : ready.value();
    p.done = true;
}

// Starts the poller and checks, 50 ms later, that it is still waiting.
inline ErrorOr<void> start_poller(Poller& poller)
{
    poller.done = false;
    poller.thread = TRY(sched::spawn("poller", poll_in_thread, &poller));
    sched::sleep_for(50 * time::NS_PER_MS);
    EXPECT_MSG(!poller.done, "dev::poll returned before anything happened (%zu ready)", poller.ready);
    return {};
}

inline ErrorOr<void> finish_poller(Poller& poller)
{
    for (int i = 0; i < 2000 && !poller.done; ++i)
        sched::sleep_for(time::NS_PER_MS);
    EXPECT_MSG(poller.done, "dev::poll did not return within 2 s");
    EXPECT_OK(sched::join(poller.thread));
    EXPECT_MSG(poller.error == 0, "dev::poll failed with %s", kstd::errno_name(poller.error));
    return {};
}

}
