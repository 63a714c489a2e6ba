// Scatter-gather tests of the DMA API over a buffer whose pages are deliberately out of
// physical order: frames are mapped at consecutive virtual addresses in the scratch window
// (as the heap would, only predictably), so the list must split where the frames jump.
#include <kernel/dev/device.h>
#include <kernel/io/dma.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/test.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 PAGE = mm::PAGE_SIZE;
// A corner of the scratch window no other test uses.
constexpr u64 SCRATCH = mm::SCRATCH_BASE + 1 * GiB;

// Maps `frames` at SCRATCH, SCRATCH + PAGE, ... and unmaps them again when it goes away.
class ScratchBuffer {
public:
    static constexpr usize MAX = 8;

    ErrorOr<void> map(u64 const* frames, usize count)
    {
        VERIFY(count <= MAX);
        for (usize i = 0; i < count; ++i) {
            TRY(mm::map(SCRATCH + i * PAGE, frames[i], mm::KERNEL_DATA));
            m_count = i + 1;
        }
        return {};
    }
    ~ScratchBuffer()
    {
        for (usize i = 0; i < m_count; ++i)
            (void)mm::unmap(SCRATCH + i * PAGE);
    }
    u8* data() const { return reinterpret_cast<u8*>(SCRATCH); }
    Bytes bytes(usize offset, usize length) const { return Bytes(data() + offset, length); }

private:
    usize m_count { 0 };
};

}

KTEST(dma_sg_splits_at_page_discontinuities, CORE_SUITE)
{
    io::dma_init();
    dev::Device device("ktest-sg", dev::BusType::Virtual);
    u64 block = EXPECT_OK(mm::alloc_contiguous(4, 4 * PAGE, 4 * GiB));
    // Virtual pages 0..3 -> frames 2, 0, 1, 3: chunks [2], [0 1], [3].
    u64 const frames[] = { block + 2 * PAGE, block, block + PAGE, block + 3 * PAGE };
    io::DmaStats before = io::dma_stats();
    {
        ScratchBuffer buffer;
        EXPECT_OK(buffer.map(frames, 4));
        auto sg = EXPECT_OK(io::dma_map_sg(device, buffer.bytes(0x100, 4 * PAGE - 0x200), io::Direction::FromDevice));
        auto segments = sg.segments();
        EXPECT_EQ(segments.size(), 3u);
        EXPECT_EQ(segments[0].bus_address, block + 2 * PAGE + 0x100);
        EXPECT_EQ(segments[0].length, PAGE - 0x100);
        EXPECT_EQ(segments[1].bus_address, block);
        EXPECT_EQ(segments[1].length, 2 * PAGE);
        EXPECT_EQ(segments[1].buffer_offset, PAGE - 0x100);
        EXPECT_EQ(segments[2].bus_address, block + 3 * PAGE);
        EXPECT_EQ(segments[2].length, PAGE - 0x100);
        EXPECT(!sg.is_bounced());

        // The device writes each segment; the CPU sees it in buffer order without a copy.
        for (usize i = 0; i < segments.size(); ++i)
            mm::phys_to_ptr<u8>(segments[i].bus_address)[0] = u8(0xA0 + i);
        EXPECT_OK(sg.sync_for_cpu());
        EXPECT_EQ(buffer.data()[0x100], 0xA0u);
        EXPECT_EQ(buffer.data()[PAGE], 0xA1u);
        EXPECT_EQ(buffer.data()[3 * PAGE], 0xA2u);

        // A maximum segment size splits further; too many segments for the table is E2BIG.
        io::DmaSgOptions small { .max_segment = 0x800 };
        auto fine = EXPECT_OK(io::dma_map_sg(device, buffer.bytes(0, 4 * PAGE), io::Direction::ToDevice, small));
        EXPECT_EQ(fine.segment_count(), 8u);
        for (auto const& segment : fine.segments())
            EXPECT_EQ(segment.length, 0x800u);
        io::DmaSgOptions table { .max_segments = 2 };
        EXPECT_ERROR(io::dma_map_sg(device, buffer.bytes(0, 4 * PAGE), io::Direction::ToDevice, table), E2BIG);

        // As one mapping the same buffer must be bounced: it is not physically contiguous.
        auto single = EXPECT_OK(io::dma_map(device, buffer.bytes(0, 2 * PAGE), io::Direction::ToDevice));
        EXPECT(has(single.segments()[0].bounce, io::BounceReason::Discontiguous));
    }
    io::DmaStats after = io::dma_stats();
    EXPECT_EQ(after.sg_lists - before.sg_lists, 2u);
    EXPECT_EQ(after.sg_segments - before.sg_segments, 11u);
    EXPECT_EQ(after.mappings - before.mappings, 3u);
    EXPECT_EQ(after.bounces - before.bounces, 1u);
    EXPECT_EQ(after.live_mappings, before.live_mappings);
    mm::free_contiguous(block, 4);
    return {};
}

KTEST(dma_sg_bounces_only_unreachable_segments, CORE_SUITE)
{
    io::dma_init();
    dev::Device device("ktest-sg-isa", dev::BusType::Virtual);
    device.set_dma_mask(0x00FFFFFF);
    device.set_dma_boundary(64 * KiB);
    u64 low = EXPECT_OK(mm::alloc_contiguous(1, PAGE, 16 * MiB));
    u64 high = EXPECT_OK(mm::alloc_frame());
    EXPECT_MSG(high >= 16 * MiB, "alloc_frame gave %#lx: the test needs memory above 16 MiB", high);
    u64 const frames[] = { low, high };
    {
        ScratchBuffer buffer;
        EXPECT_OK(buffer.map(frames, 2));
        for (usize i = 0; i < 2 * PAGE; ++i)
            buffer.data()[i] = u8(i * 13);
        auto sg = EXPECT_OK(io::dma_map_sg(device, buffer.bytes(0, 2 * PAGE), io::Direction::Bidirectional));
        auto segments = sg.segments();
        EXPECT_EQ(segments.size(), 2u);
        EXPECT(!segments[0].bounced());
        EXPECT_EQ(segments[0].bus_address, low);
        EXPECT(segments[1].bounced());
        EXPECT(segments[1].bounce == io::BounceReason::AboveMask);
        EXPECT_EQ(segments[1].cpu_phys, high);
        EXPECT(segments[1].bus_address + PAGE - 1 <= 0x00FFFFFF);
        EXPECT(!io::dma_crosses_boundary(segments[1].bus_address, PAGE, 64 * KiB));
        u8 const* seen = mm::phys_to_ptr<u8>(segments[1].bus_address);
        bool same = true;
        for (usize i = 0; i < PAGE; ++i)
            same &= seen[i] == u8((PAGE + i) * 13);
        EXPECT_MSG(same, "the bounce slot does not hold the second page");

        // The device answers into both segments; unmap copies only the bounced one back.
        mm::phys_to_ptr<u8>(segments[0].bus_address)[5] = 0x11;
        mm::phys_to_ptr<u8>(segments[1].bus_address)[5] = 0x22;
        EXPECT_OK(sg.unmap());
        EXPECT_EQ(buffer.data()[5], 0x11u);
        EXPECT_EQ(buffer.data()[PAGE + 5], 0x22u);
    }
    mm::free_contiguous(low, 1);
    mm::free_frame(high);
    return {};
}
