// Core tests of the kernel page tables: map/unmap/translate, W^X of the image, the direct map,
// splitting a 2 MiB page, and MMIO mappings with each cache policy.
#include <arch/interrupts.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/test.h>
#include <kstd/enforce.h>

extern "C" char __rodata_start[];

namespace {

u64 g_writable_global = 1;   // .data

void poke(void* address) { *static_cast<u64 volatile*>(address) = 0x5a5a5a5a5a5a5a5a; }

constexpr u64 PAGE = mm::PAGE_SIZE;
constexpr u64 HPET_PHYS = 0xfed00000;   // present on QEMU pc and q35 (ACPI HPET table)

}

KTEST(mm_paging_map_unmap_translate, CORE_SUITE)
{
    using mm::PageFlags;
    u64 frame = EXPECT_OK(mm::alloc_frame());
    u64 virt = mm::SCRATCH_BASE;

    EXPECT_OK(mm::map(virt, frame, mm::KERNEL_DATA));
    EXPECT_EQ(EXPECT_OK(mm::translate(virt + 0x123)), frame + 0x123);
    // Write through the new mapping, read through the direct map.
    *reinterpret_cast<u64 volatile*>(virt + 8) = 0x0123456789abcdef;
    EXPECT_EQ(*mm::phys_to_ptr<u64 volatile>(frame + 8), 0x0123456789abcdefull);

    auto mapping = EXPECT_OK(mm::query(virt));
    EXPECT_EQ(mapping.page_size, PAGE);
    EXPECT(has(mapping.flags, PageFlags::Writable | PageFlags::NoExecute | PageFlags::Global));
    EXPECT(EXPECT_OK(mm::cache_policy_of(virt)) == mm::CachePolicy::WriteBack);

    EXPECT_ERROR(mm::map(virt, frame, mm::KERNEL_DATA), EEXIST);   // no silent overwrite
    EXPECT_ERROR(mm::map(mm::phys_to_virt(frame), frame, mm::KERNEL_DATA), EEXIST);   // inside a 2 MiB page
    EXPECT_ERROR(mm::map(virt + 1, frame, mm::KERNEL_DATA), EINVAL);
    EXPECT_ERROR(mm::map(0x0000800000000000, frame, mm::KERNEL_DATA), EINVAL);   // non-canonical

    EXPECT_EQ(EXPECT_OK(mm::unmap(virt)), frame);
    EXPECT_ERROR(mm::translate(virt), ENOENT);
    EXPECT_ERROR(mm::unmap(virt), ENOENT);

    // A range, then the whole range away again.
    EXPECT_OK(mm::map_range(virt, frame, 3 * PAGE, mm::KERNEL_RODATA));
    EXPECT_EQ(EXPECT_OK(mm::translate(virt + 2 * PAGE)), frame + 2 * PAGE);
    EXPECT_ERROR(mm::unmap_range(virt, 4 * PAGE), ENOENT);   // 4th page unmapped: nothing changes
    EXPECT_OK(mm::translate(virt));
    EXPECT_OK(mm::unmap_range(virt, 3 * PAGE));
    EXPECT_ERROR(mm::translate(virt + PAGE), ENOENT);
    mm::free_frame(frame);
    return {};
}

KTEST(mm_paging_kernel_layout, CORE_SUITE)
{
    using mm::PageFlags;
    auto text = EXPECT_OK(mm::query(reinterpret_cast<u64>(&poke)));
    EXPECT_MSG(!has(text.flags, PageFlags::Writable) && !has(text.flags, PageFlags::NoExecute), ".text must be RX");
    auto rodata = EXPECT_OK(mm::query(reinterpret_cast<u64>(__rodata_start)));
    EXPECT_MSG(!has(rodata.flags, PageFlags::Writable) && has(rodata.flags, PageFlags::NoExecute), ".rodata must be R+NX");
    auto data = EXPECT_OK(mm::query(reinterpret_cast<u64>(&g_writable_global)));
    EXPECT_MSG(has(data.flags, PageFlags::Writable | PageFlags::NoExecute), ".data must be RW+NX");
    EXPECT_EQ(text.page_size, PAGE);
    EXPECT_EQ(EXPECT_OK(mm::translate(reinterpret_cast<u64>(&g_writable_global))),
        mm::kernel_virt_to_phys(reinterpret_cast<u64>(&g_writable_global)));

    EXPECT_ERROR(mm::translate(0x100000), ENOENT);   // the boot identity map is gone
    auto direct = EXPECT_OK(mm::query(mm::phys_to_virt(4 * MiB + 0x10)));
    EXPECT_EQ(direct.phys, 4 * MiB + 0x10);
    EXPECT_EQ(direct.page_size, mm::LARGE_PAGE_SIZE);
    EXPECT_ERROR(mm::translate(mm::phys_to_virt(0xfee00000)), ENOENT);   // MMIO is not in the direct map

    // Writing to .rodata is a protection fault (CR0.WP makes ring 0 honour read-only pages).
    arch::FaultInfo info {};
    EXPECT(arch::run_catching_faults(poke, __rodata_start, &info));
    EXPECT_EQ(info.vector, 14u);
    EXPECT_EQ(info.error_code & 3, 3u);   // present + write
    return {};
}

KTEST(mm_paging_split_large_page, CORE_SUITE)
{
    using mm::PageFlags;
    u64 frame = EXPECT_OK(mm::alloc_frame());
    u64 virt = mm::phys_to_virt(frame);
    u64 neighbour = virt ^ PAGE;   // same 2 MiB page

    EXPECT_OK(mm::protect(virt, PAGE, mm::KERNEL_RODATA));
    auto page = EXPECT_OK(mm::query(virt));
    EXPECT_EQ(page.page_size, PAGE);
    EXPECT(!has(page.flags, PageFlags::Writable));
    auto other = EXPECT_OK(mm::query(neighbour));
    EXPECT_EQ(other.page_size, PAGE);
    EXPECT(has(other.flags, PageFlags::Writable));
    EXPECT_EQ(other.phys, frame ^ PAGE);

    arch::FaultInfo info {};
    EXPECT(arch::run_catching_faults(poke, reinterpret_cast<void*>(virt), &info));
    EXPECT_EQ(info.address, virt);
    EXPECT_OK(mm::protect(virt, PAGE, mm::KERNEL_DATA));
    EXPECT(!arch::run_catching_faults(poke, reinterpret_cast<void*>(virt), &info));
    mm::free_frame(frame);
    return {};
}

KTEST(mm_mmio_cache_policy, CORE_SUITE)
{
    struct Case {
        mm::CachePolicy policy;
        u8 pat_index;
    };
    constexpr Case cases[] = {
        { mm::CachePolicy::WriteBack, 0 },
        { mm::CachePolicy::WriteThrough, 1 },
        { mm::CachePolicy::Uncached, 3 },
        { mm::CachePolicy::WriteCombining, 4 },
    };
    for (auto const& c : cases) {
        u64 virt = EXPECT_OK(mm::map_mmio(HPET_PHYS, 0x400, c.policy));
        EXPECT(virt >= mm::MMIO_BASE && virt < mm::MMIO_LIMIT);
        EXPECT_MSG(EXPECT_OK(mm::cache_policy_of(virt)) == c.policy, "%s mapping reads back as another type",
            mm::cache_policy_name(c.policy));
        EXPECT_EQ(EXPECT_OK(mm::query(virt)).pat_index, c.pat_index);
        EXPECT_OK(mm::unmap_mmio(virt));
        EXPECT_ERROR(mm::translate(virt), ENOENT);
    }

    // The offset inside the page survives, and the device answers: HPET GCAP_ID, vendor 8086.
    u64 regs = EXPECT_OK(mm::map_mmio(HPET_PHYS + 0x10, 8, mm::CachePolicy::Uncached));
    EXPECT_EQ(regs & 0xfff, 0x10u);
    u32 capabilities = *reinterpret_cast<u32 volatile*>(regs - 0x10);
    EXPECT_EQ(capabilities >> 16, 0x8086u);

    // Consecutive mappings are separated by an unmapped guard page.
    u64 next = EXPECT_OK(mm::map_mmio(HPET_PHYS, PAGE, mm::CachePolicy::Uncached));
    EXPECT(next >= (regs & ~(PAGE - 1)) + 2 * PAGE);
    EXPECT_ERROR(mm::translate(next - PAGE), ENOENT);
    EXPECT_OK(mm::unmap_mmio(regs));
    EXPECT_OK(mm::unmap_mmio(next));

    EXPECT_ERROR(mm::map_mmio(16 * MiB, PAGE, mm::CachePolicy::Uncached), EINVAL);   // RAM: type aliasing
    EXPECT_ERROR(mm::map_mmio(HPET_PHYS, 0, mm::CachePolicy::Uncached), EINVAL);
    EXPECT_ERROR(mm::unmap_mmio(next), EINVAL);   // already gone
    return {};
}
