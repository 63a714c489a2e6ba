// The UDP echo service (include/kernel/net/echo.h).
#include <kernel/net/echo.h>
#include <kernel/net/socket.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kstd/enforce.h>

namespace net {

namespace {

constexpr usize ECHO_QUEUE = 256;   // datagrams waiting to be echoed (bursts of a flood)

struct EchoService {
    OwnPtr<UdpSocket> socket;
    sched::Thread* thread { nullptr };
    bool volatile stopping { false };
    u16 port { 0 };
    u64 echoed { 0 }, bytes { 0 }, send_errors { 0 };
    u8 buffer[MAX_UDP_PAYLOAD] {};
};

sched::Mutex g_lock { "udp-echo" };
EchoService* g_service = nullptr;   // Guarded by g_lock

void echo_main(void* arg)
{
    auto& service = *static_cast<EchoService*>(arg);
    while (!service.stopping) {
        SocketAddress from;
        auto got = service.socket->receive_from(Bytes(service.buffer, sizeof(service.buffer)), &from, NO_TIMEOUT);
        if (got.is_error())
            continue;   // ESHUTDOWN when stopping
        if (service.socket->send_to(ReadonlyBytes(service.buffer, got.value()), from).is_error()) {
            ++service.send_errors;
            continue;
        }
        ++service.echoed;
        service.bytes += got.value();
    }
}

}

ErrorOr<void> start_udp_echo(u16 port)
{
    sched::MutexGuard guard(g_lock);
    if (g_service)
        return Error::from_errno(EALREADY);
    auto service = TRY(kstd::make<EchoService>());
    service->socket = TRY(UdpSocket::create());
    TRY(service->socket->bind({ ANY_ADDRESS, port }));
    service->socket->set_receive_queue_limit(ECHO_QUEUE);
    service->port = port;
    service->thread = TRY(sched::spawn("udp-echo", echo_main, service.ptr()));
    g_service = service.leak_ptr();
    log_info("net: UDP echo service on port %u\n", port);
    return {};
}

void stop_udp_echo()
{
    sched::MutexGuard guard(g_lock);
    if (!g_service)
        return;
    g_service->stopping = true;
    g_service->socket->shutdown();
    (void)sched::join(g_service->thread);
    delete g_service;
    g_service = nullptr;
}

EchoStats udp_echo_stats()
{
    sched::MutexGuard guard(g_lock);
    if (!g_service)
        return {};
    EchoService const& s = *g_service;
    return { true, s.port, s.echoed, s.bytes, s.send_errors, s.socket->dropped() };
}

}
