#pragma once
// A user address space: a PML4 of its own whose lower half (below USER_SPACE_LIMIT) holds one
// process's mappings and whose upper half is the kernel's, shared by copying PML4 entries
// 256-511 (the kernel creates every kernel-half PML4 slot at boot, so those entries never
// change afterwards). The kernel is therefore mapped in every process, at the same addresses,
// and only reachable from ring 0 (no User bit).
//
// Two kinds of user mapping:
//   * memory: fresh zeroed frames that belong to the address space and are freed with it
//     (program segments, stacks);
//   * device memory: physical pages the address space does not own (an MMIO range the I/O
//     manager reserved for the process), mapped with the cache policy the caller gives.
// Only 4 KiB pages. Mapping over an existing page fails (EEXIST), as mm::map does.
//
// Context: thread (page tables and frames are allocated). Locking: interrupts off while a table
// is changed (uniprocessor); one address space is changed by one thread at a time (its process).
#include <kernel/mm/paging.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>
#include <kstd/unique_ptr.h>

namespace mm {

class AddressSpace {
public:
    // A new space: empty lower half, the kernel's upper half. ENOMEM.
    static ErrorOr<OwnPtr<AddressSpace>> create();
    // Frees every owned frame and every page table of the lower half, then the PML4. The space
    // must not be the current one (switch to the kernel's first).
    ~AddressSpace();
    AddressSpace(AddressSpace const&) = delete;
    AddressSpace& operator=(AddressSpace const&) = delete;

    // Physical address of the PML4, for CR3.
    u64 root() const { return m_root; }

    // Maps zeroed frames owned by this space over [virt, virt + size) (page-aligned virt, size
    // rounded up), with `flags` plus User. EINVAL: unaligned, empty or outside the user half;
    // EEXIST: a page is mapped there already; ENOMEM. On error nothing new stays mapped.
    [[nodiscard]] ErrorOr<void> allocate(u64 virt, u64 size, PageFlags flags);
    // Maps the physical range [phys, phys + size) (device memory, not owned) at virt. Errors as
    // allocate(); EINVAL also for unaligned phys.
    [[nodiscard]] ErrorOr<void> map_device(u64 virt, u64 phys, u64 size, PageFlags flags, CachePolicy policy);
    // Unmaps every page of the range, freeing owned frames. ENOENT (nothing changed) if a page
    // in it is not mapped.
    [[nodiscard]] ErrorOr<void> unmap(u64 virt, u64 size);

    // Copies `data` into mapped memory at virt through the kernel's direct map (the loader
    // fills segments before the space is ever current). ENOENT: a page is not mapped; EINVAL:
    // a page is device memory.
    [[nodiscard]] ErrorOr<void> write(u64 virt, ReadonlyBytes data);

    [[nodiscard]] ErrorOr<Mapping> query(u64 virt) const;
    // The memory type a user access at virt gets, read back from this space's page tables and
    // the IA32_PAT MSR (mm::cache_policy_of for user mappings).
    [[nodiscard]] ErrorOr<CachePolicy> cache_policy_of(u64 virt) const;

    u64 owned_frames() const { return m_owned_frames; }

private:
    explicit AddressSpace(u64 root) : m_root(root) {}
    static bool is_user_range(u64 virt, u64 size);

    u64 m_root;
    u64 m_owned_frames { 0 };
};

}
