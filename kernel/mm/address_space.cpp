// User address spaces (include/kernel/mm/address_space.h): a PML4 per process over the paging
// code of paging.cpp, which walks any root.
#include "internal.h"
#include <kernel/mm/address_space.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace mm {

using namespace detail;

namespace {

constexpr usize KERNEL_HALF_FIRST_SLOT = 256;
constexpr usize ENTRIES = 512;

u64* table_at(u64 phys) { return phys_to_ptr<u64>(phys); }

// Frees the tables below `table_phys` at `level` (3 = PDPT ... 1 = PT) and the owned frames
// their leaves map; returns how many owned frames it freed.
u64 free_tree(u64 table_phys, int level)
{
    u64 freed = 0;
    u64* table = table_at(table_phys);
    for (usize i = 0; i < ENTRIES; ++i) {
        u64 entry = table[i];
        if (!(entry & PTE_PRESENT))
            continue;
        u64 phys = entry & PTE_ADDRESS_MASK;
        if (level > 1) {
            freed += free_tree(phys, level - 1);
        } else if (entry & PTE_OWNED_FRAME) {
            free_frame(phys);
            ++freed;
        }
    }
    free_user_table(table_phys);
    return freed;
}

}

ErrorOr<OwnPtr<AddressSpace>> AddressSpace::create()
{
    u64 root = TRY(alloc_user_root());
    u64 const* kernel = table_at(kernel_page_table_root());
    u64* pml4 = table_at(root);
    for (usize i = KERNEL_HALF_FIRST_SLOT; i < ENTRIES; ++i)
        pml4[i] = kernel[i];
    auto* space = new (kstd::nothrow) AddressSpace(root);
    if (!space) {
        free_user_table(root);
        return Error::from_errno(ENOMEM);
    }
    return OwnPtr<AddressSpace>(space);
}

AddressSpace::~AddressSpace()
{
    VERIFY(arch_current_root() != m_root);   // tearing down the tables the CPU walks
    u64* pml4 = table_at(m_root);
    u64 freed = 0;
    for (usize i = 0; i < KERNEL_HALF_FIRST_SLOT; ++i) {
        if (pml4[i] & PTE_PRESENT)
            freed += free_tree(pml4[i] & PTE_ADDRESS_MASK, 3);
    }
    VERIFY(freed == m_owned_frames);
    free_user_table(m_root);
}

bool AddressSpace::is_user_range(u64 virt, u64 size)
{
    return size > 0 && virt % PAGE_SIZE == 0 && virt < USER_SPACE_LIMIT && size <= USER_SPACE_LIMIT - virt;
}

ErrorOr<void> AddressSpace::allocate(u64 virt, u64 size, PageFlags flags)
{
    if (!is_user_range(virt, size))
        return Error::from_errno(EINVAL);
    u64 pages = kstd::align_up(size, PAGE_SIZE) / PAGE_SIZE;
    for (u64 i = 0; i < pages; ++i) {
        auto frame = alloc_frame();
        ErrorOr<void> mapped = frame.is_error() ? ErrorOr<void>(frame.error()) : ErrorOr<void>();
        if (!frame.is_error()) {
            memset(phys_to_ptr<void>(frame.value()), 0, PAGE_SIZE);
            mapped = map_in(m_root, virt + i * PAGE_SIZE, frame.value(), flags | PageFlags::User,
                CachePolicy::WriteBack, PTE_OWNED_FRAME);
            if (mapped.is_error())
                free_frame(frame.value());
        }
        if (mapped.is_error()) {
            if (i > 0)
                MUST(unmap(virt, i * PAGE_SIZE));
            return mapped.release_error();
        }
        ++m_owned_frames;
    }
    return {};
}

ErrorOr<void> AddressSpace::map_device(u64 virt, u64 phys, u64 size, PageFlags flags, CachePolicy policy)
{
    if (!is_user_range(virt, size) || phys % PAGE_SIZE)
        return Error::from_errno(EINVAL);
    u64 pages = kstd::align_up(size, PAGE_SIZE) / PAGE_SIZE;
    for (u64 i = 0; i < pages; ++i) {
        auto mapped = map_in(m_root, virt + i * PAGE_SIZE, phys + i * PAGE_SIZE, flags | PageFlags::User, policy);
        if (mapped.is_error()) {
            if (i > 0)
                MUST(unmap(virt, i * PAGE_SIZE));
            return mapped.release_error();
        }
    }
    return {};
}

ErrorOr<void> AddressSpace::unmap(u64 virt, u64 size)
{
    if (!is_user_range(virt, size))
        return Error::from_errno(EINVAL);
    u64 end = virt + kstd::align_up(size, PAGE_SIZE);
    for (u64 page = virt; page < end; page += PAGE_SIZE)
        TRY(query(page));
    for (u64 page = virt; page < end; page += PAGE_SIZE) {
        u64 bits = 0;
        u64 phys = TRY(unmap_in(m_root, page, &bits));
        if (bits & PTE_OWNED_FRAME) {
            free_frame(phys);
            --m_owned_frames;
        }
    }
    // FIXME: page tables that become empty stay until the space is destroyed.
    return {};
}

ErrorOr<void> AddressSpace::write(u64 virt, ReadonlyBytes data)
{
    usize done = 0;
    while (done < data.size()) {
        u64 address = virt + done;
        u64 page = kstd::align_down(address, PAGE_SIZE);
        if (page >= USER_SPACE_LIMIT)
            return Error::from_errno(EINVAL);
        u64 entry = TRY(leaf_entry_in(m_root, page));
        // Only owned frames are RAM that the direct map reaches; device pages are not written.
        if (!(entry & PTE_OWNED_FRAME))
            return Error::from_errno(EINVAL);
        u64 in_page = address - page;
        usize chunk = kstd::min<usize>(data.size() - done, PAGE_SIZE - in_page);
        memcpy(phys_to_ptr<u8>((entry & PTE_ADDRESS_MASK) + in_page), data.data() + done, chunk);
        done += chunk;
    }
    return {};
}

ErrorOr<Mapping> AddressSpace::query(u64 virt) const
{
    if (virt >= USER_SPACE_LIMIT)
        return Error::from_errno(EINVAL);
    return query_in(m_root, virt);
}

ErrorOr<CachePolicy> AddressSpace::cache_policy_of(u64 virt) const
{
    if (virt >= USER_SPACE_LIMIT)
        return Error::from_errno(EINVAL);
    return cache_policy_in(m_root, virt);
}

}
