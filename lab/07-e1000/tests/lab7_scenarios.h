#pragma once
// The guest side of lab 7's tests (lab7_tests.cpp), as functions of the test's name, so that the
// grader's self-tests can run the very same scenarios with a wrong driver
// (tests/kernel/e1000_selftests.instructor.cpp). Each says it is ready with that name.
#include "net_test_support.h"
#include <drivers/uart16550.h>
#include <kernel/bus/pci.h>
#include <kernel/dev/netdev.h>
#include <kernel/io/io.h>
#include <kernel/irq_flags.h>
#include <kernel/monitor.h>
#include <kernel/net/echo.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>

namespace lab7 {

using namespace net_test;

namespace detail {

// A line on COM1's scratch register: a window edge for the grader's trace checks.
inline void mark(char const* text)
{
    if (uart16550::Port* com1 = uart16550::port(0))
        uart16550::trace_mark(*com1, text);
}

inline bool bar_reserved_for(char const* owner)
{
    io::ResourceInfo ranges[64];
    usize count = io::list_mmio(Span<io::ResourceInfo>(ranges, 64));
    for (usize i = 0; i < count && i < 64; ++i) {
        if (StringView(ranges[i].owner) == StringView(owner) && ranges[i].length == 0x20000 && ranges[i].mapped)
            return true;
    }
    return false;
}

}

// Part 1: the driver bound to the NIC, mapped its 128 KiB register BAR and made it a bus
// master, and eth0 has the address from the EEPROM (the peer picks it per run and checks the
// line the driver prints).
inline ErrorOr<void> probe()
{
    auto found = netdev::find("eth0");
    EXPECT_MSG(!found.is_error(), "there is no eth0: the e1000 driver did not probe (the log says why: 'pci: e1000 probe ...')");
    auto device = found.release_value();
    EXPECT_MSG(StringView(device->driver()) == StringView("e1000"), "eth0 is driven by %s, not e1000", device->driver());
    EXPECT_MSG(detail::bar_reserved_for("eth0"), "no 128 KiB MMIO range mapped for eth0 (`iomem` lists them): map BAR 0");
    pci::PciDevice* nic = nullptr;
    for (u16 id : { 0x100E, 0x100F, 0x100C }) {
        if (!nic)
            nic = pci::find_id(0x8086, id);
    }
    EXPECT(nic != nullptr);
    EXPECT_MSG(nic->is_bus_master(), "the NIC is not a bus master: it cannot read a descriptor (enable_bus_master)");
    monitor::execute("ifconfig eth0");
    return {};
}

// Part 2: 200 datagrams to the wire's broadcast address (no ARP: only the TX ring matters) with
// payloads from the run's nonce; the peer checks every one, in order.
inline ErrorOr<void> send_nonce_datagrams(char const* test)
{
    TRY(eth0_configured());
    auto socket = EXPECT_OK(net::UdpSocket::create());
    socket->set_broadcast(true);
    auto control = EXPECT_OK(control_socket());
    announce_ready(test);
    NoncePayloads payloads;
    static u8 buffer[net::MAX_UDP_PAYLOAD];
    for (int i = 0; i < 200; ++i) {
        usize length = payloads.next(buffer);
        EXPECT_OK(socket->send_to(ReadonlyBytes(buffer, length), { WIRE_BROADCAST, EXPECT_PORT }));
    }
    // Stay up until the peer has them all: frames QEMU still holds for a slow peer are lost when
    // the guest ends. A driver that cannot receive yet (part 3) never hears the peer; it waits
    // out the timeout, and the peer's count decides either way.
    (void)wait_for_peer(*control, "done", 5 * time::NS_PER_S);
    return {};
}

// Parts 1-4: the peer pings and echoes; the guest keeps its echo service up until it is done.
inline ErrorOr<void> serve_until_done(char const* test)
{
    TRY(eth0_configured());
    auto control = EXPECT_OK(control_socket());
    (void)net::start_udp_echo(ECHO_PORT);
    announce_ready(test);
    detail::mark("echo-begin");
    auto done = wait_for_peer(*control, "done");
    detail::mark("echo-end");
    net::EchoStats echo = net::udp_echo_stats();
    ktest::note("udp echo: %lu datagrams echoed, %lu send errors", echo.echoed, echo.send_errors);
    net::stop_udp_echo();
    EXPECT_MSG(!done.is_error(), "the peer never said it was done (%s)", done.error().name());
    return {};
}

inline ErrorOr<void> echo_then_idle(char const* test)
{
    TRY(serve_until_done(test));
    // Idle: nothing arrives, so a driver that waits for interrupts touches no register.
    detail::mark("idle-begin");
    sched::sleep_for(500 * time::NS_PER_MS);
    detail::mark("idle-end");
    return {};
}

// Part 4: e1000.budget=16. While interrupts are held off, the peer's burst of 200 datagrams fills
// the RX ring; then the polls must take them 16 at a time, staying in polling mode in between.
inline ErrorOr<void> receive_burst(char const* test)
{
    TRY(eth0_configured());
    auto sink = EXPECT_OK(net::UdpSocket::create());
    EXPECT_OK(sink->bind({ net::ANY_ADDRESS, 9 }));
    sink->set_receive_queue_limit(256);
    announce_ready(test);
    detail::mark("burst-begin");
    usize waiting = hold_until_received(200);   // no poll runs until the burst is in the ring
    unsigned received = 0;
    u8 buffer[128];
    while (received < 200 && !sink->receive_from(Bytes(buffer, sizeof(buffer)), nullptr, 5 * time::NS_PER_S).is_error())
        ++received;
    detail::mark("burst-end");
    monitor::execute("e1000");
    EXPECT_MSG(received == 200, "%u of the 200 datagrams of the burst arrived (%zu were in the ring at once)", received,
               waiting);
    return {};
}

}
