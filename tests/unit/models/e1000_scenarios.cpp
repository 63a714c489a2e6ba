// The e1000 scenarios (e1000_scenarios.h): the driver's rings, top half and poll against the
// e1000 model, with the hooks the kernel would provide (napi_schedule, link_change_seen).
#include "e1000_scenarios.h"
#include "e1000_model.h"
#include "framework.h"
#include <kernel/irq_flags.h>
#include <algorithm>
#include <cstring>

namespace models::e1000_scenarios {

namespace {

struct DmaDevice final : dev::Device {
    DmaDevice() : dev::Device("e1000-model", dev::BusType::Virtual) {}
};

// One NIC on the model, and what the scenario observed of it.
struct Rig {
    E1000Model model;
    DmaDevice dma;
    e1000::Nic nic;
    std::vector<OwnPtr<dev::Packet>> received;
    std::vector<std::vector<u8>> received_bytes;   // each frame as it was handed up
    u32 handed_up_this_call { 0 };
    bool poll_requested { false };
    unsigned link_changes { 0 };
    Problems problems;

    Rig()
    {
        reset_all();
        model.attach();
        std::strcpy(nic.name, "eth0");
        nic.rings.regs = io::MmioWindow(E1000Model::BAR, E1000Model::LENGTH);
        nic.rings.dma_device = &dma;
        nic.rings.deliver = [](void* rig, OwnPtr<dev::Packet> frame) {
            auto& self = *static_cast<Rig*>(rig);
            self.received_bytes.emplace_back(frame->data().begin(), frame->data().end());
            self.received.push_back(kstd::move(frame));
            ++self.handed_up_this_call;
        };
        nic.rings.deliver_ctx = this;
    }
    ~Rig()
    {
        e1000::tx_free(nic.rings);
        e1000::rx_free(nic.rings);
        received.clear();
        reset_all();
    }
    void problem(std::string text) { problems.push_back(std::move(text)); }
    Problems finish()
    {
        for (auto const& v : model.violations)
            problems.push_back("model: " + v);
        return problems;
    }
};

Rig* g_rig = nullptr;

// Frames with a pattern that differs per frame, so that a frame sent twice or lost shows.
std::vector<u8> make_frame(u32 seed, usize size)
{
    std::vector<u8> bytes(size);
    u32 x = seed * 2654435761u + 1;
    for (auto& b : bytes) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = u8(x);
    }
    return bytes;
}

OwnPtr<dev::Packet> packet_of(std::vector<u8> const& bytes)
{
    auto packet = dev::Packet::copy_of(ReadonlyBytes(bytes.data(), bytes.size()));
    VERIFY(!packet.is_error());
    return packet.release_value();
}

std::string first_difference(std::vector<u8> const& got, std::vector<u8> const& want)
{
    if (got.size() != want.size())
        return std::to_string(got.size()) + " bytes instead of " + std::to_string(want.size());
    for (usize i = 0; i < got.size(); ++i) {
        if (got[i] != want[i])
            return "byte " + std::to_string(i) + " differs";
    }
    return "";
}

void compare_frames(Rig& rig, std::vector<std::vector<u8>> const& got, std::vector<std::vector<u8>> const& want,
                    char const* what)
{
    if (got.size() != want.size())
        rig.problem(std::string(what) + ": " + std::to_string(got.size()) + " frames, expected " +
                    std::to_string(want.size()));
    for (usize i = 0; i < std::min(got.size(), want.size()); ++i) {
        std::string diff = first_difference(got[i], want[i]);
        if (!diff.empty()) {
            rig.problem(std::string(what) + ": frame " + std::to_string(i) + " is not the one expected (" + diff + ")");
            return;
        }
    }
}

}

}

// The kernel's hooks (e1000.cpp / napi.cpp), as the scenarios see them.
namespace e1000 {
void napi_schedule(Nic&) { models::e1000_scenarios::g_rig->poll_requested = true; }
void link_change_seen(Nic&) { ++models::e1000_scenarios::g_rig->link_changes; }
}

namespace models::e1000_scenarios {

Problems transmit(e1000::RingOps const& ops)
{
    Rig rig;
    g_rig = &rig;
    e1000::Rings& rings = rig.nic.rings;
    if (auto init = e1000::tx_init(rings, 64); init.is_error())
        return { std::string("tx_init(64) failed: ") + init.error().name() };
    if (rig.model.reg(0x3808) != 64 * 16 || !(rig.model.reg(0x0400) & 2) || rig.model.reg(0x3818) != 0)
        rig.problem("tx_init: TDLEN should be 1024 bytes, TCTL.EN set and TDT 0");
    std::vector<std::vector<u8>> sent;
    for (u32 i = 0; i < 150; ++i) {
        auto bytes = make_frame(i, 60 + (i * 397) % (1514 - 60));
        for (int tries = 0;; ++tries) {
            auto result = ops.tx_frame(rings, packet_of(bytes));
            if (!result.is_error())
                break;
            if (result.error().code() != EBUSY || tries == 100) {
                rig.problem(std::string("tx_frame failed: ") + result.error().name());
                return rig.finish();
            }
            clock().advance(5'000);
            ops.tx_reclaim(rings);
        }
        sent.push_back(bytes);
        if (i % 10 == 9) {
            clock().advance(3'000);
            ops.tx_reclaim(rings);
        }
    }
    clock().advance(50'000);
    ops.tx_reclaim(rings);
    compare_frames(rig, rig.model.sent, sent, "the wire");
    if (e1000::tx_in_flight(rings.tx) != 0)
        rig.problem(std::to_string(e1000::tx_in_flight(rings.tx)) + " descriptors were never reclaimed although DD was set");

    // The NIC is busy for a long time: the ring fills.
    rig.model.tx_delay_ns = 1'000'000'000;
    unsigned accepted = 0;
    for (u32 i = 0; i < 70; ++i)
        accepted += !ops.tx_frame(rings, packet_of(make_frame(1000 + i, 64))).is_error();
    if (accepted != 63)
        rig.problem("with the NIC busy, a 64-descriptor ring took " + std::to_string(accepted) +
                    " frames: it holds 63 (one descriptor stays back: head == tail means empty) and then says EBUSY");
    clock().advance(2'000'000'000);
    ops.tx_reclaim(rings);
    if (e1000::tx_in_flight(rings.tx) != 0)
        rig.problem("the full ring was not reclaimed once the NIC had written DD");
    if (rig.dma.live_dma_mappings() != 0)
        rig.problem(std::to_string(rig.dma.live_dma_mappings()) + " frames are still mapped after they were reclaimed");
    return rig.finish();
}

Problems receive(e1000::RingOps const& ops, u32 budget)
{
    Rig rig;
    g_rig = &rig;
    e1000::Rings& rings = rig.nic.rings;
    if (auto init = e1000::rx_init(rings, 32); init.is_error())
        return { std::string("rx_init(32) failed: ") + init.error().name() };
    if (rig.model.reg(0x2808) != 32 * 16 || rig.model.reg(0x2818) != 31 || !(rig.model.reg(0x0100) & 2))
        rig.problem("rx_init: RDLEN should be 512 bytes, RDT 31 (all but one descriptor given) and RCTL.EN set");
    std::vector<std::vector<u8>> arrived;
    auto drain = [&] {
        for (int calls = 0; calls < 200; ++calls) {
            rig.handed_up_this_call = 0;
            u32 done = ops.rx_receive(rings, budget);
            if (rig.handed_up_this_call > budget)
                rig.problem("one rx_receive call handed up " + std::to_string(rig.handed_up_this_call) +
                            " frames with a budget of " + std::to_string(budget));
            if (done < budget)
                return;
        }
    };
    for (u32 burst = 0; burst < 5; ++burst) {
        for (u32 i = 0; i < 20; ++i) {
            auto bytes = make_frame(burst * 20 + i, 60 + (burst * 20 + i) * 13);
            if (rig.model.receive(bytes))
                arrived.push_back(bytes);
        }
        drain();
    }
    // Nobody receives for a while: 31 descriptors are free, so 9 of 40 frames are dropped.
    u64 overruns = rig.model.rx_overruns;
    for (u32 i = 0; i < 40; ++i) {
        auto bytes = make_frame(500 + i, 100);
        if (rig.model.receive(bytes))
            arrived.push_back(bytes);
    }
    if (rig.model.rx_overruns - overruns != 9)
        rig.problem("of 40 frames into a ring of 32, the NIC dropped " + std::to_string(rig.model.rx_overruns - overruns) +
                    " (9 expected: were all 31 descriptors given back?)");
    drain();
    if (rings.stats.rx_ring_exhausted == 0)
        rig.problem("the driver did not notice that the NIC had run out of descriptors (RingStats::rx_ring_exhausted)");
    compare_frames(rig, rig.received_bytes, arrived, "frames handed up");
    std::vector<std::vector<u8>> now;
    for (auto const& frame : rig.received)
        now.emplace_back(frame->data().begin(), frame->data().end());
    compare_frames(rig, now, rig.received_bytes, "frames handed up, checked again after more traffic (was a buffer still in the ring?)");
    if (rig.model.rdh_reads)
        rig.problem("the driver read RDH/TDH " + std::to_string(rig.model.rdh_reads) +
                    " times: a descriptor's DD bit in memory says it is done, no register read needed");
    return rig.finish();
}

Problems napi(e1000::NapiOps const& ops, u32 budget)
{
    Rig rig;
    g_rig = &rig;
    e1000::Nic& nic = rig.nic;
    nic.napi_ops = &ops;
    if (e1000::tx_init(nic.rings, 64).is_error() || e1000::rx_init(nic.rings, 64).is_error())
        return { "tx_init or rx_init failed" };
    rig.model.line.connect([&nic, &ops] { ops.interrupt(nic); });
    {
        sched::SpinlockGuard guard(nic.irq_lock);
        nic.interrupts_on = true;
        e1000::interrupt_mask_locked(nic);
    }
    constexpr u32 RING_BITS = 0x80 | 0x01;   // RXT0, TXDW
    std::vector<std::vector<u8>> arrived;
    bool were = arch::save_and_disable_interrupts();   // 50 frames arrive before the CPU looks
    for (u32 i = 0; i < 50; ++i) {
        arrived.push_back(make_frame(i, 64 + i));
        rig.model.receive(arrived.back());
    }
    arch::restore_interrupts(were);   // the interrupt is taken here
    if (rig.model.line.storm() || rig.model.line.is_high() || rig.model.icr_reads < rig.model.line.deliveries())
        rig.problem("the NIC interrupted " + std::to_string(rig.model.line.deliveries()) + " times and ICR was read " +
                    std::to_string(rig.model.icr_reads) + " times: in the top half, read ICR, which acknowledges the "
                    "causes (and says what they are)");
    if (!rig.poll_requested)
        rig.problem("the top half did not schedule the poll (napi_schedule)");
    if (rig.model.reg(0x00D0) & RING_BITS)
        rig.problem("the ring interrupts are still enabled in IMS while the poll is pending: mask them in the top half");
    unsigned polls = 0;
    for (; polls < 100; ++polls) {   // what irq::NapiPoll does
        rig.handed_up_this_call = 0;
        u32 done = ops.poll(&nic, budget);
        if (rig.handed_up_this_call > budget)
            rig.problem("a poll handed up " + std::to_string(rig.handed_up_this_call) + " frames with a budget of " +
                        std::to_string(budget));
        if (done < budget) {
            ops.rearm(&nic);
            break;
        }
    }
    if ((rig.model.reg(0x00D0) & RING_BITS) != RING_BITS)
        rig.problem("after the last poll (under budget) the ring interrupts are not enabled again in IMS");
    compare_frames(rig, rig.received_bytes, arrived, "frames handed up by the polls");
    rig.poll_requested = false;
    for (u32 i = 0; i < 10; ++i)
        (void)nic.ring_ops->tx_frame(nic.rings, packet_of(make_frame(700 + i, 80)));
    clock().advance(10'000);   // the frames go; TXDW interrupts; the top half schedules the poll
    if (!rig.poll_requested)
        rig.problem("a TXDW interrupt did not schedule the poll");
    (void)ops.poll(&nic, budget);
    ops.rearm(&nic);
    if (e1000::tx_in_flight(nic.rings.tx) != 0)
        rig.problem("the poll did not reclaim the TX descriptors the NIC had finished");
    return rig.finish();
}

}
