#pragma once
// The I/O manager (docs/architecture.md, "The device model"; docs/style.md, "Hardware access"): the kernel owns who may touch
// which hardware. A driver reserves a port range or an MMIO range (exclusive unless sharing is
// asked for; a conflict is EBUSY), gets an owning RAII handle, and from it a typed register
// window. Drivers never compute raw addresses or execute port instructions themselves.
//
//   auto ports = TRY(io::reserve_ports(0x3F8, 8, "ttyS0"));
//   auto window = ports.window();
//   window.write(uart16550::regs::ier, Ier::None);
//
//   auto mmio = TRY(io::map_mmio(bar_phys, bar_size, CachePolicy::Uncached, "e1000"));
//   u32 status = mmio.window().read(e1000::regs::status);
//
// Sharing rule (like Linux's request_region, without its nesting): an exclusive reservation may
// not overlap anything. A shared one may overlap other shared ones only, and for MMIO only those
// with the same cache policy, because two mappings of one page with different memory types are
// undefined behaviour on x86 (SDM 11.12.4). Shared ranges may overlap partially; each keeps its
// own extent and owner in the listings.
// FIXME: conflicts are checked on bytes, mappings are whole pages: two exclusive reservations
// that share a 4 KiB page (small BARs) can still map it with different types.
#include <kernel/io/window.h>
#include <kernel/mm/paging.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace io {

using mm::CachePolicy;

enum class Sharing : u8 { Exclusive, Shared };

namespace detail {
struct Resource;
}

// Owning handles: the destructor releases the reservation (and unmaps MMIO). Move-only; a
// moved-from or released handle is empty (is_valid() false, window() VERIFY-fails).
class PortRange {
public:
    PortRange() = default;
    PortRange(PortRange&& other);
    PortRange& operator=(PortRange&& other);
    PortRange(PortRange const&) = delete;
    PortRange& operator=(PortRange const&) = delete;
    ~PortRange() { release(); }

    PortWindow window() const;
    u16 base() const;
    u16 length() const;
    char const* owner() const;
    bool is_valid() const { return m_resource != nullptr; }
    // Gives the ports back now (the destructor does the same). Context: thread.
    void release();

private:
    friend ErrorOr<PortRange> reserve_ports(u16, u16, char const*, Sharing);
    explicit PortRange(detail::Resource* resource) : m_resource(resource) {}
    detail::Resource* m_resource { nullptr };
};

class MmioRegion {
public:
    MmioRegion() = default;
    MmioRegion(MmioRegion&& other);
    MmioRegion& operator=(MmioRegion&& other);
    MmioRegion(MmioRegion const&) = delete;
    MmioRegion& operator=(MmioRegion const&) = delete;
    ~MmioRegion() { release(); }

    MmioWindow window() const;   // covers exactly [phys, phys + length)
    u64 phys() const;
    usize length() const;
    u64 virt() const;            // virtual address of phys() (the page offset is kept)
    CachePolicy policy() const;
    char const* owner() const;
    bool is_valid() const { return m_resource != nullptr; }
    // Unmaps and gives the range back now (the destructor does the same). Context: thread.
    void release();

private:
    friend ErrorOr<MmioRegion> map_mmio(u64, usize, CachePolicy, char const*, Sharing);
    explicit MmioRegion(detail::Resource* resource) : m_resource(resource) {}
    detail::Resource* m_resource { nullptr };
};

// Reserves ports [base, base + length). EINVAL: zero length or past 0xFFFF; EBUSY: overlaps a
// reservation it may not share (logged with the holder's name); ENOMEM.
// Context: thread. Locking: takes the I/O manager's mutex.
[[nodiscard]] ErrorOr<PortRange> reserve_ports(u16 base, u16 length, char const* owner,
                                              Sharing sharing = Sharing::Exclusive);
// Reserves [phys, phys + length) and maps it with `policy` (mm::map_mmio: 4 KiB pages, guard
// page after). EINVAL: zero length, RAM with a policy other than write-back; EBUSY: conflict
// (see the sharing rule above); ENOMEM. Context: thread. Locking: the I/O manager's mutex.
[[nodiscard]] ErrorOr<MmioRegion> map_mmio(u64 phys, usize length, CachePolicy policy, char const* owner,
                                           Sharing sharing = Sharing::Exclusive);

// Registers what the kernel itself drives before any driver exists (debugcon, isa-debug-exit,
// PIT, PICs, ELCR, fw_cfg, COM1 as the shared "early console", PCI conf1, the LAPIC and IOAPIC
// pages from the MADT). Call once from kernel_main after mm::init, acpi::init and sched::init.
// Idempotent: a later call only puts back boot ranges that are not registered (dropped with
// release_fixed_ports, or refused earlier), logging any that conflict now.
// Context: thread (boot). Locking: the I/O manager's mutex.
void reserve_fixed_ranges();
// Drops one of those boot reservations, matched by its start and owner, so that a driver can
// take the range over exclusively (the UART driver and "early console"). ENOENT if none.
// Context: thread.
[[nodiscard]] ErrorOr<void> release_fixed_ports(u16 base, char const* owner);

// One reservation, for listings and tests.
struct ResourceInfo {
    u64 start;
    u64 length;
    char owner[32];
    Sharing sharing;
    bool fixed;            // registered by reserve_fixed_ranges()
    bool mapped;           // MMIO: mapped by this manager (virt and policy valid)
    CachePolicy policy;
    u64 virt;
};
// Copies up to out.size() reservations, sorted by start address (then longest first), and
// returns how many there are. Context: thread. Locking: the I/O manager's mutex.
usize list_ports(Span<ResourceInfo> out);
usize list_mmio(Span<ResourceInfo> out);
// Print the tables of the `ioports` and `iomem` monitor commands. Context: thread.
void dump_ports();
void dump_mmio();

}
