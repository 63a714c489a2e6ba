#pragma once
// What the network tests share (lab 7's and the kernel's own, tests/kernel/net_*_tests.cpp): the
// addresses of the grader's wire (lab/grader/harness/net_peer.py), the ready line, the peer's
// control datagram, and the payloads both sides derive from the run's nonce.
#include <kernel/dev/netdev.h>
#include <kernel/irq_flags.h>
#include <kernel/net/net.h>
#include <kernel/net/socket.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>

namespace net_test {

inline constexpr net::Ipv4Address GUEST { 192, 168, 76, 2 };   // net.ip=192.168.76.2/24
inline constexpr net::Ipv4Address HOST { 192, 168, 76, 1 };    // the grader's peer
inline constexpr net::Ipv4Address WIRE_BROADCAST { 192, 168, 76, 255 };
inline constexpr u16 CONTROL_PORT = 9999;                      // the peer's `send = "..."`
inline constexpr u16 ECHO_PORT = 7;
inline constexpr u16 EXPECT_PORT = 5000;                        // the peer's `udp_expect`
inline constexpr u64 PEER_TIMEOUT_NS = 60 * time::NS_PER_S;    // the grader's hang clock is shorter

inline void announce_ready(char const* test) { diag_print("@@CONDUIT ready name=%s nonce=%s\n", test, ktest::nonce()); }

// eth0 with its address (net.ip=...), or a failure that says where to look. Context: thread.
inline ErrorOr<void> eth0_configured(u64 timeout_ns = 5 * time::NS_PER_S)
{
    if (netdev::find("eth0").is_error())
        return ktest::fail(__FILE__, __LINE__,
                           "there is no eth0: the e1000 driver did not probe (the log says why: 'pci: e1000 probe ...')");
    if (net::wait_configured("eth0", timeout_ns).is_error())
        return ktest::fail(__FILE__, __LINE__, "eth0 has no address after %lu s (is it up? `ifconfig`)",
                           timeout_ns / time::NS_PER_S);
    return {};
}

// Holds interrupts off (so that no poll runs) until eth0's ring holds `frames` received frames
// or `timeout_ns` passed: a burst from the peer then meets a full ring, however slowly the host
// delivered it. Returns how many were waiting. Context: thread.
inline usize hold_until_received(usize frames, u64 timeout_ns = 10 * time::NS_PER_S)
{
    auto eth0 = netdev::find("eth0");
    if (eth0.is_error())
        return 0;
    InterruptsDisabled hold;
    u64 deadline = time::now_ns() + timeout_ns;
    usize pending = 0;
    while ((pending = netdev::rx_pending(*eth0.value())) < frames && time::now_ns() < deadline)
        time::busy_wait_ns(100 * time::NS_PER_US);
    return pending;
}

// A socket on the control port, bound before the test says it is ready.
inline ErrorOr<OwnPtr<net::UdpSocket>> control_socket()
{
    auto socket = TRY(net::UdpSocket::create());
    TRY(socket->bind({ net::ANY_ADDRESS, CONTROL_PORT }));
    return socket;
}

// Waits for the peer's control datagram that says `word` (other datagrams are ignored).
inline ErrorOr<void> wait_for_peer(net::UdpSocket& control, StringView word, u64 timeout_ns = PEER_TIMEOUT_NS)
{
    u64 deadline = time::now_ns() + timeout_ns;
    u8 buffer[64];
    for (;;) {
        u64 now = time::now_ns();
        if (now >= deadline)
            return Error::from_errno(ETIMEDOUT);
        usize n = TRY(control.receive_from(Bytes(buffer, sizeof(buffer)), nullptr, deadline - now));
        if (StringView(reinterpret_cast<char const*>(buffer), n) == word)
            return {};
    }
}

// The peer's `udp_expect` payloads: xorshift32 seeded with the low 32 bits of the nonce (1 if
// zero); per datagram: length = 1 + next % 1472, then one byte per next value.
class NoncePayloads {
public:
    NoncePayloads()
    {
        StringView nonce(ktest::nonce());
        StringView low = nonce.length() > 8 ? nonce.substring(nonce.length() - 8) : nonce;
        auto value = kstd::parse_u64(low, 16);
        m_state = value.is_error() || u32(value.value()) == 0 ? 1 : u32(value.value());
    }
    // Writes the next payload into `buffer` (at least 1472 bytes) and returns its length.
    usize next(u8* buffer)
    {
        usize length = 1 + step() % 1472;
        for (usize i = 0; i < length; ++i)
            buffer[i] = u8(step());
        return length;
    }

private:
    u32 step()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 17;
        m_state ^= m_state << 5;
        return m_state;
    }
    u32 m_state;
};

}
