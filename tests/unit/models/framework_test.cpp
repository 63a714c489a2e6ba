// The device-model framework itself: port and MMIO routing through the kernel's own window
// types, the clock's events, interrupt delivery as a CPU does it, and the kernel's DMA API
// running over the models' physical memory.
#include "../support.h"
#include "framework.h"
#include <kernel/io/dma.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kernel/irq/tasklet.h>
#include <kernel/sched/sync.h>
#include <cstring>
#include <vector>

namespace {

using models::ModelFixture;

// A register file of 8 bytes that remembers what was written and counts reads.
struct ScratchDevice final : models::PortDevice, models::MmioDevice {
    u8 regs[8] {};
    u32 reads { 0 };
    u32 port_read(u16 port, u8 width) override
    {
        ++reads;
        u32 value = 0;
        std::memcpy(&value, &regs[port & 7], width);
        return value;
    }
    void port_write(u16 port, u8 width, u32 value) override { std::memcpy(&regs[port & 7], &value, width); }
    u64 mmio_read(u64 offset, u8 width) override
    {
        u64 value = 0;
        std::memcpy(&value, &regs[offset], width);
        return value;
    }
    void mmio_write(u64 offset, u8 width, u64 value) override { std::memcpy(&regs[offset], &value, width); }
};

namespace regs {
inline constexpr io::Reg<u8, 3> byte3 {};
inline constexpr io::Reg<u16, 4> word4 {};
}

struct TestDevice final : dev::Device {
    TestDevice() : dev::Device("model-test", dev::BusType::Virtual) {}
};

}

TEST_CASE_METHOD(ModelFixture, "port windows reach the model attached at their ports", "[models]")
{
    ScratchDevice device;
    models::port_bus().attach(0x1F0, 8, device, "scratch");
    io::PortWindow window(0x1F0, 8);
    window.write(regs::byte3, 0x5A);
    window.write(regs::word4, 0x1234);
    REQUIRE(device.regs[3] == 0x5A);
    REQUIRE(window.read(regs::word4) == 0x1234);
    u16 words[3] {};
    window.read16_repeated(4, words, 3);
    REQUIRE(words[2] == 0x1234);
    REQUIRE(device.reads == 4);
    // Each access costs a bus cycle of simulated time.
    REQUIRE(models::clock().now() == 6 * models::clock().access_cost());

    io::PortWindow elsewhere(0x170, 8);
    REQUIRE(elsewhere.read8(7) == 0xFF);   // a floating bus
    REQUIRE(models::port_bus().unclaimed_accesses() == 1);
    REQUIRE_VERIFY_FAILS(window.read8(8));   // outside the window: a driver bug
}

TEST_CASE_METHOD(ModelFixture, "MMIO windows reach the model attached at their address", "[models]")
{
    ScratchDevice device;
    models::mmio_bus().attach(0xFEBC0000, 8, device, "scratch");
    io::MmioWindow window(0xFEBC0000, 8);
    window.write32(0, 0xDEADBEEF);
    REQUIRE(device.regs[0] == 0xEF);
    REQUIRE(window.read16(2) == 0xDEAD);
    REQUIRE(models::mmio_bus().unclaimed_accesses() == 0);
}

TEST_CASE_METHOD(ModelFixture, "events fire in time order as the clock passes them", "[models]")
{
    std::vector<int> order;
    auto& clock = models::clock();
    clock.schedule(500, [&] { order.push_back(2); });
    clock.schedule(100, [&] { order.push_back(1); });
    auto cancelled = clock.schedule(300, [&] { order.push_back(9); });
    clock.schedule(500, [&] { order.push_back(3); });
    clock.cancel(cancelled);
    models::clock().advance(99);
    REQUIRE(order.empty());
    clock.advance(1000);
    REQUIRE(order == std::vector<int> { 1, 2, 3 });
    REQUIRE(!clock.has_events());
}

TEST_CASE_METHOD(ModelFixture, "interrupts are delivered at once, or when the CPU allows it", "[models]")
{
    models::InterruptLine line { "test", models::Trigger::Edge };
    int handled = 0;
    line.connect([&] {
        REQUIRE(irq::in_irq());
        ++handled;
    });
    line.raise();
    REQUIRE(handled == 1);
    line.raise();   // still high: no new edge
    REQUIRE(handled == 1);
    line.lower();

    sched::Spinlock lock;
    bool were = lock.lock();
    line.raise();
    REQUIRE(handled == 1);   // interrupts are off while the lock is held
    lock.unlock(were);
    REQUIRE(handled == 2);
    REQUIRE(line.rising_edges() == 2);
    REQUIRE(line.deliveries() == 2);
}

TEST_CASE_METHOD(ModelFixture, "a level line that is never acknowledged is a storm", "[models]")
{
    models::InterruptLine line { "level", models::Trigger::Level };
    int handled = 0;
    line.connect([&] { ++handled; });
    line.raise();
    REQUIRE(line.storm());
    REQUIRE(handled == int(models::InterruptLine::MAX_REDELIVERIES));

    models::InterruptLine acked { "acked", models::Trigger::Level };
    acked.connect([&] { acked.lower(); });
    acked.raise();
    REQUIRE(acked.deliveries() == 1);
    REQUIRE(!acked.storm());
}

TEST_CASE_METHOD(ModelFixture, "tasklets run on the way out of the interrupt", "[models]")
{
    std::vector<char const*> order;
    irq::Tasklet tasklet([](void* ctx) {
        REQUIRE(irq::in_softirq());
        static_cast<std::vector<char const*>*>(ctx)->push_back("tasklet");
    }, &order, "test");
    models::InterruptLine line { "test" };
    line.connect([&] {
        tasklet.schedule();
        order.push_back("top half");
    });
    line.raise();
    REQUIRE(order == std::vector<char const*> { "top half", "tasklet" });
}

TEST_CASE_METHOD(ModelFixture, "a sleeping thread lets the models' time run to the next event", "[models]")
{
    sched::WaitQueue queue;
    bool done = false;
    models::clock().schedule(2'000'000, [&] { done = true; });
    auto slept = queue.wait_event_until([&] { return done; }, sched::deadline_after(10'000'000));
    REQUIRE(!slept.is_error());
    REQUIRE(models::clock().now() == 2'000'000);
    auto timed_out = queue.wait_event_until([&] { return false; }, sched::deadline_after(1'000'000));
    REQUIRE(timed_out.is_error());
    REQUIRE(timed_out.error().code() == ETIMEDOUT);
    REQUIRE(models::clock().now() == 3'000'000);
}

TEST_CASE_METHOD(ModelFixture, "physical memory: zones, translation and the scattered zone", "[models]")
{
    auto& memory = models::phys_memory();
    auto* low = static_cast<u8*>(memory.allocate(8192, models::Zone::Dma));
    auto* scattered = static_cast<u8*>(memory.allocate(3 * 4096, models::Zone::Scattered));
    REQUIRE(low);
    REQUIRE(scattered);
    REQUIRE(*memory.to_phys(low) < 16 * MiB);
    REQUIRE(*memory.to_phys(low + 4096) == *memory.to_phys(low) + 4096);
    // Reverse order: the second page sits one page *below* the first.
    REQUIRE(*memory.to_phys(scattered + 4096) == *memory.to_phys(scattered) - 4096);
    REQUIRE(memory.to_host(*memory.to_phys(scattered + 4100)) == scattered + 4100);
    std::vector<u8> stack_buffer(16);
    REQUIRE(!memory.to_phys(stack_buffer.data()).has_value());
    memory.free(low);
    memory.free(scattered);
}

TEST_CASE_METHOD(ModelFixture, "the kernel's DMA API maps model memory: segments, bounces, lookups", "[models]")
{
    auto& memory = models::phys_memory();
    TestDevice device;
    device.set_dma_boundary(64 * KiB);

    auto* scattered = static_cast<u8*>(memory.allocate(3 * 4096, models::Zone::Scattered));
    auto sg = io::dma_map_sg(device, Bytes(scattered, 3 * 4096), io::Direction::FromDevice);
    REQUIRE(!sg.is_error());
    REQUIRE(sg.value().segment_count() == 3);
    REQUIRE(sg.value().segments()[1].bus_address == *memory.to_phys(scattered + 4096));
    auto found = io::dma_debug_lookup_bus(sg.value().segments()[2].bus_address + 16, 512);
    REQUIRE(found.has_value());
    REQUIRE(found->direction == io::Direction::FromDevice);

    auto* high = static_cast<u8*>(memory.allocate(4096, models::Zone::High));
    std::memset(high, 0xA5, 4096);
    auto bounced = io::dma_map(device, Bytes(high, 4096), io::Direction::ToDevice);
    REQUIRE(!bounced.is_error());
    REQUIRE(bounced.value().is_bounced());
    u64 bus = bounced.value().bus_address();
    REQUIRE(bus < 16 * MiB);
    REQUIRE(memory.to_host(bus)[4095] == 0xA5);   // the bounce slot holds the data

    REQUIRE(!bounced.value().unmap().is_error());
    REQUIRE(!sg.value().unmap().is_error());
    REQUIRE(!io::dma_debug_lookup_bus(bus, 1).has_value());
    REQUIRE(io::dma_stats().live_mappings == 0);

    std::vector<u8> not_physical(512);
    REQUIRE(io::dma_map(device, Bytes(not_physical.data(), 512), io::Direction::ToDevice).is_error());
    memory.free(scattered);
    memory.free(high);
}
