// Core tests of the DMA API (kernel/io/dma*.cpp) with a virtual test device whose DMA mask and
// boundary are set per test. "The device" is played by the test: it reads and writes the bus
// addresses it was given through the direct map, which is what a bus master would see (bus
// address = physical address, no IOMMU).
#include <kernel/dev/device.h>
#include <kernel/io/dma.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/layout.h>
#include <kernel/test.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 MASK_16M = 0x00FFFFFF;
constexpr u64 PAGE = mm::PAGE_SIZE;

void fill(u8* bytes, usize length, u8 seed)
{
    for (usize i = 0; i < length; ++i)
        bytes[i] = u8(seed + i * 7);
}

bool holds(u8 const* bytes, usize length, u8 seed)
{
    for (usize i = 0; i < length; ++i) {
        if (bytes[i] != u8(seed + i * 7))
            return false;
    }
    return true;
}

// What the device sees at a bus address.
u8* device_view(u64 bus) { return mm::phys_to_ptr<u8>(bus); }

}

KTEST(dma_bounce_above_mask_both_directions, CORE_SUITE)
{
    io::dma_init();
    dev::Device device("ktest-isa", dev::BusType::Virtual);
    device.set_dma_mask(MASK_16M);
    u64 frame = EXPECT_OK(mm::alloc_frame());
    EXPECT_MSG(frame >= 16 * MiB, "alloc_frame gave %#lx: the test needs memory above 16 MiB", frame);
    constexpr usize OFFSET = 0x123, LENGTH = 3000;
    u8* buffer = mm::phys_to_ptr<u8>(frame) + OFFSET;
    Bytes bytes(buffer, LENGTH);
    io::DmaStats before = io::dma_stats();

    // ToDevice: the device finds the data at its bus address, which it can reach.
    fill(buffer, LENGTH, 1);
    auto out = EXPECT_OK(io::dma_map(device, bytes, io::Direction::ToDevice));
    EXPECT(out.is_bounced());
    EXPECT(has(out.segments()[0].bounce, io::BounceReason::AboveMask));
    EXPECT(out.bus_address() + LENGTH - 1 <= MASK_16M);
    EXPECT_EQ(out.segments()[0].cpu_phys, frame + OFFSET);
    EXPECT(holds(device_view(out.bus_address()), LENGTH, 1));
    EXPECT_EQ(device.live_dma_mappings(), 1u);
    fill(buffer, LENGTH, 2);   // the CPU writes again: sync_for_device carries it over
    EXPECT_OK(out.sync_for_device());
    EXPECT(holds(device_view(out.bus_address()), LENGTH, 2));
    fill(device_view(out.bus_address()), LENGTH, 99);   // ToDevice: never copied back
    EXPECT_OK(out.unmap());
    EXPECT(holds(buffer, LENGTH, 2));
    EXPECT_EQ(device.live_dma_mappings(), 0u);

    // FromDevice: what the device writes reaches the buffer at sync_for_cpu and at unmap.
    auto in = EXPECT_OK(io::dma_map(device, bytes, io::Direction::FromDevice));
    EXPECT(in.is_bounced());
    fill(device_view(in.bus_address()), LENGTH, 3);
    EXPECT_OK(in.sync_for_cpu());
    EXPECT(holds(buffer, LENGTH, 3));
    fill(device_view(in.bus_address()), LENGTH, 4);
    EXPECT_OK(in.sync_for_cpu(100, 50));   // a partial sync copies just that range
    EXPECT(holds(buffer + 100, 50, u8(4 + 100 * 7)));
    EXPECT_EQ(buffer[99], u8(3 + 99 * 7));
    EXPECT_OK(in.unmap());
    EXPECT(holds(buffer, LENGTH, 4));

    // Counters: two mappings, two bounces; copies: map+sync (out), map+sync+partial+unmap (in).
    io::DmaStats after = io::dma_stats();
    EXPECT_EQ(after.mappings - before.mappings, 2u);
    EXPECT_EQ(after.bounces - before.bounces, 2u);
    EXPECT_EQ(after.bytes_bounced - before.bytes_bounced, u64(5 * LENGTH + 50));
    EXPECT_EQ(after.live_mappings, before.live_mappings);
    EXPECT_EQ(after.pool_free_bytes, before.pool_free_bytes);
    EXPECT_EQ(after.bad_unmaps, before.bad_unmaps);

    // Memory the device reaches directly is not bounced.
    device.set_dma_mask(0xFFFFFFFF);
    auto direct = EXPECT_OK(io::dma_map(device, bytes, io::Direction::Bidirectional));
    EXPECT(!direct.is_bounced());
    EXPECT_EQ(direct.bus_address(), frame + OFFSET);
    EXPECT_OK(direct.unmap());
    EXPECT_EQ(io::dma_stats().bounces, after.bounces);
    mm::free_frame(frame);
    return {};
}

KTEST(dma_boundary_crossing_bounced_or_split, CORE_SUITE)
{
    io::dma_init();
    dev::Device device("ktest-ide", dev::BusType::Virtual);
    constexpr u64 LINE = 64 * KiB;   // IDE PRDs must not cross a 64 KiB line
    device.set_dma_boundary(LINE);
    u64 block = EXPECT_OK(mm::alloc_contiguous(17, LINE, 4 * GiB));
    u8* base = mm::phys_to_ptr<u8>(block);
    Bytes straddling(base + LINE - 4 * KiB, 8 * KiB);   // 4 KiB each side of the line
    fill(straddling.data(), straddling.size(), 5);

    auto single = EXPECT_OK(io::dma_map(device, straddling, io::Direction::ToDevice));
    EXPECT(single.is_bounced());
    EXPECT(has(single.segments()[0].bounce, io::BounceReason::CrossesBoundary));
    EXPECT(!io::dma_crosses_boundary(single.bus_address(), straddling.size(), LINE));
    EXPECT(holds(device_view(single.bus_address()), straddling.size(), 5));
    EXPECT_OK(single.unmap());

    // As a scatter-gather list it is split at the line instead, without copying.
    auto sg = EXPECT_OK(io::dma_map_sg(device, straddling, io::Direction::ToDevice));
    EXPECT_EQ(sg.segment_count(), 2u);
    EXPECT(!sg.is_bounced());
    EXPECT_EQ(sg.segments()[0].bus_address, block + LINE - 4 * KiB);
    EXPECT_EQ(sg.segments()[0].length, 4 * KiB);
    EXPECT_EQ(sg.segments()[1].bus_address, block + LINE);
    EXPECT_EQ(sg.segments()[1].buffer_offset, 4 * KiB);
    EXPECT_OK(sg.unmap());

    // Longer than the line: no single bounce slot can hold it, so only dma_map_sg works.
    Bytes long_buffer(base, LINE + 4 * KiB);
    EXPECT_ERROR(io::dma_map(device, long_buffer, io::Direction::ToDevice), EINVAL);
    auto split = EXPECT_OK(io::dma_map_sg(device, long_buffer, io::Direction::ToDevice));
    EXPECT_EQ(split.segment_count(), 2u);
    EXPECT_EQ(split.segments()[0].length, LINE);
    EXPECT_OK(split.unmap());
    mm::free_contiguous(block, 17);
    return {};
}

KTEST(dma_unmap_misuse_reported, CORE_SUITE)
{
    dev::Device device("ktest-a", dev::BusType::Virtual);
    dev::Device other("ktest-b", dev::BusType::Virtual);
    u64 frame = EXPECT_OK(mm::alloc_frame());
    Bytes bytes(mm::phys_to_ptr<u8>(frame), 512);
    io::DmaStats before = io::dma_stats();

    auto mapping = EXPECT_OK(io::dma_map(device, bytes, io::Direction::ToDevice));
    EXPECT_ERROR(io::dma_unmap(other, mapping), EINVAL);   // wrong device: refused, still mapped
    EXPECT(mapping.is_mapped());
    EXPECT_EQ(io::dma_stats().bad_unmaps, before.bad_unmaps + 1);
    EXPECT_OK(io::dma_unmap(device, mapping));
    EXPECT_ERROR(mapping.unmap(), EINVAL);                  // twice
    EXPECT_ERROR(io::dma_unmap(device, mapping), EINVAL);   // and again through the device
    EXPECT_EQ(io::dma_stats().bad_unmaps, before.bad_unmaps + 3);

    // A moved-from handle is empty; the mapping moved with the new one.
    auto first = EXPECT_OK(io::dma_map(device, bytes, io::Direction::FromDevice));
    io::DmaMapping second = kstd::move(first);
    EXPECT_ERROR(first.unmap(), EINVAL);
    EXPECT_ERROR(first.sync_for_cpu(), EINVAL);
    EXPECT_ERROR(second.sync_for_cpu(500, 100), EINVAL);   // past the end of the mapping
    EXPECT_OK(second.sync_for_cpu(500, 12));
    EXPECT_EQ(device.live_dma_mappings(), 1u);
    EXPECT_OK(second.unmap());

    io::DmaStats after = io::dma_stats();
    EXPECT_EQ(after.bad_unmaps, before.bad_unmaps + 4);
    EXPECT_EQ(after.bad_syncs, before.bad_syncs + 2);
    EXPECT_EQ(after.live_mappings, before.live_mappings);
    EXPECT_EQ(device.live_dma_mappings(), 0u);
    EXPECT_ERROR(io::dma_map(device, Bytes(), io::Direction::ToDevice), EINVAL);
    mm::free_frame(frame);
    return {};
}

struct alignas(16) TestDescriptor {   // shaped like an e1000 legacy RX descriptor
    u64 address;
    u16 length;
    u16 checksum;
    u8 status;
    u8 errors;
    u16 special;
};
static_assert(sizeof(TestDescriptor) == 16);

struct alignas(64) TestStatusBlock {
    u32 head;
    u32 flags;
};

KTEST(dma_coherent_below_mask_aligned, CORE_SUITE)
{
    dev::Device device("ktest-ring", dev::BusType::Virtual);
    device.set_dma_mask(MASK_16M);
    device.set_dma_boundary(64 * KiB);
    io::DmaStats before = io::dma_stats();
    {
        auto ring = EXPECT_OK(io::dma_alloc_coherent<TestDescriptor[]>(device, 256));
        EXPECT_EQ(ring.count(), 256u);
        EXPECT_EQ(ring.size(), 4096u);
        EXPECT(ring.bus_address() + ring.size() - 1 <= MASK_16M);
        EXPECT_EQ(ring.bus_address() % PAGE, 0u);
        EXPECT_EQ(ring.bus_address_of(3), ring.bus_address() + 48);
        EXPECT_EQ(EXPECT_OK(mm::translate(reinterpret_cast<u64>(&ring[0]))), ring.bus_address());
        EXPECT(EXPECT_OK(mm::cache_policy_of(reinterpret_cast<u64>(&ring[0]))) == io::CachePolicy::WriteBack);
        bool zero = true;
        for (auto const& descriptor : ring.span())
            zero &= descriptor.address == 0 && descriptor.status == 0;
        EXPECT(zero);
        ring[255].status = 1;   // the last descriptor is inside the buffer

        auto status = EXPECT_OK(io::dma_alloc_coherent<TestStatusBlock>(device));
        EXPECT_EQ(status.bus_address() % 64, 0u);
        EXPECT_EQ(status->head, 0u);

        // 12 KiB with a 64 KiB boundary: aligned to 16 KiB, so it cannot straddle a line.
        auto odd = EXPECT_OK(io::dma_alloc_coherent<u8[]>(device, 12 * KiB));
        EXPECT_EQ(odd.bus_address() % (16 * KiB), 0u);
        EXPECT(!io::dma_crosses_boundary(odd.bus_address(), odd.size(), 64 * KiB));

        io::DmaStats during = io::dma_stats();
        EXPECT_EQ(during.coherent_allocations, before.coherent_allocations + 3);
        EXPECT_EQ(during.coherent_bytes, before.coherent_bytes + 4096 + sizeof(TestStatusBlock) + 12 * KiB);
        EXPECT_EQ(device.live_dma_mappings(), 0u);   // coherent buffers are not streaming mappings
    }
    EXPECT_EQ(io::dma_stats().coherent_bytes, before.coherent_bytes);

    // Uncached: the direct map's entries switch to UC and back to WB when freed.
    u64 virt = 0;
    {
        auto words = EXPECT_OK(io::dma_alloc_coherent<u32[]>(device, 1024, io::CachePolicy::Uncached));
        virt = reinterpret_cast<u64>(&words[0]);
        EXPECT(EXPECT_OK(mm::cache_policy_of(virt)) == io::CachePolicy::Uncached);
        words[1023] = 0xC0FFEE;
        EXPECT_EQ(*mm::phys_to_ptr<u32>(words.bus_address() + 4092), 0xC0FFEEu);
    }
    EXPECT(EXPECT_OK(mm::cache_policy_of(virt)) == io::CachePolicy::WriteBack);

    EXPECT_ERROR(io::dma_alloc_coherent<u8[]>(device, 128 * KiB), EINVAL);   // larger than the boundary
    EXPECT_ERROR(io::dma_alloc_coherent<u8[]>(device, 0), EINVAL);
    EXPECT_ERROR(io::dma_alloc_coherent<u8[]>(device, 64, io::CachePolicy::WriteCombining), EINVAL);
    return {};
}

KTEST(dma_leaks_reported_on_remove, CORE_SUITE)
{
    auto device = EXPECT_OK(kstd::make<dev::Device>("ktest-gone", dev::BusType::Virtual));
    u64 frame = EXPECT_OK(mm::alloc_frame());
    io::DmaStats before = io::dma_stats();
    EXPECT_EQ(io::dma_report_leaks(*device), 0u);

    auto mapping = EXPECT_OK(io::dma_map(*device, Bytes(mm::phys_to_ptr<u8>(frame), 256), io::Direction::ToDevice));
    auto ring = EXPECT_OK(io::dma_alloc_coherent<u64[]>(*device, 32));
    EXPECT_EQ(device->live_dma_mappings(), 1u);
    EXPECT_EQ(io::dma_report_leaks(*device), 2u);   // the bus's remove path
    EXPECT_EQ(device->live_dma_mappings(), 0u);
    EXPECT_EQ(io::dma_stats().leaked, before.leaked + 2);
    device = nullptr;   // the device is gone; the handles must not touch it any more

    EXPECT_OK(mapping.unmap());
    ring.release();
    io::DmaStats after = io::dma_stats();
    EXPECT_EQ(after.live_mappings, before.live_mappings);
    EXPECT_EQ(after.coherent_bytes, before.coherent_bytes);
    mm::free_frame(frame);
    return {};
}

KTEST(dma_free_while_mapped_detected, CORE_SUITE)
{
    dev::Device device("ktest-free", dev::BusType::Virtual);
    auto* buffer = static_cast<u8*>(mm::kmalloc(2000));
    EXPECT(buffer);
    io::DmaStats before = io::dma_stats();
    EXPECT(!io::dma_debug_check_free(buffer, 2000));
    {
        auto mapping = EXPECT_OK(io::dma_map(device, Bytes(buffer, 2000), io::Direction::FromDevice));
        EXPECT(io::dma_debug_check_free(buffer, 2000));         // the whole buffer
        EXPECT(io::dma_debug_check_free(buffer + 1999, 1));     // its last byte
        EXPECT(!io::dma_debug_check_free(buffer + 2000, 16));   // just past it
        u64 phys = EXPECT_OK(mm::translate(reinterpret_cast<u64>(buffer)));
        EXPECT(io::dma_debug_check_free_phys(phys, 8));
    }
    EXPECT(!io::dma_debug_check_free(buffer, 2000));   // unmapped by the destructor
    EXPECT_EQ(io::dma_stats().freed_while_mapped, before.freed_while_mapped + 3);
    mm::kfree(buffer);
    return {};
}

// The free hook first asks a summary of where the live mappings lie (dma_registry.cpp): every
// page of a mapping must be in it, and nothing may stay there once it is unmapped.
KTEST(dma_free_while_mapped_every_page, CORE_SUITE)
{
    dev::Device device("ktest-free-pages", dev::BusType::Virtual);
    constexpr usize SIZE = 3 * mm::PAGE_SIZE;
    auto* buffer = static_cast<u8*>(mm::kmalloc(SIZE));
    EXPECT(buffer);
    io::DmaStats before = io::dma_stats();
    {
        auto mapping = EXPECT_OK(io::dma_map(device, Bytes(buffer, SIZE), io::Direction::ToDevice));
        for (usize offset = 0; offset < SIZE; offset += mm::PAGE_SIZE / 2)
            EXPECT_MSG(io::dma_debug_check_free(buffer + offset, 1), "byte %zu of a mapped %zu-byte buffer not seen", offset, SIZE);
        EXPECT(io::dma_debug_check_free(buffer + SIZE - 1, 1));
        EXPECT(!io::dma_debug_check_free(buffer + SIZE, 64));
    }
    for (usize offset = 0; offset < SIZE; offset += mm::PAGE_SIZE / 2)
        EXPECT_MSG(!io::dma_debug_check_free(buffer + offset, 1), "byte %zu still seen as mapped after unmap", offset);
    EXPECT_EQ(io::dma_stats().freed_while_mapped, before.freed_while_mapped + SIZE / (mm::PAGE_SIZE / 2) + 1);
    mm::kfree(buffer);
    return {};
}
