#pragma once
// ACPI table layouts and their parsers (ACPI 6.5 specification, section 5.2 "ACPI System
// Description Tables"). Everything here is portable: no arch includes and no memory access
// beyond the spans it is handed (physical memory is reached through a PhysReader callback), so
// the host unit tests run these same parsers over hand-built byte arrays. Firmware tables are
// untrusted input: every length is checked against the span that holds it. The MADT has its
// own header (madt.h).
#include <kstd/error.h>
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace acpi {

// 5.2.5.3 "Root System Description Pointer (RSDP) Structure". Revision 0 (ACPI 1.0) ends after
// rsdt_address (20 bytes, one checksum); revision >= 2 adds the XSDT and an extended checksum.
struct [[gnu::packed]] Rsdp {
    char signature[8];        // "RSD PTR "
    u8 checksum;              // bytes 0-19 sum to 0 (mod 256)
    char oem_id[6];
    u8 revision;
    u32 rsdt_address;
    u32 length;               // revision >= 2: whole structure
    u64 xsdt_address;
    u8 extended_checksum;     // all `length` bytes sum to 0
    u8 reserved[3];
};
static_assert(sizeof(Rsdp) == 36);
inline constexpr usize RSDP_V1_SIZE = 20;

// 5.2.6 "System Description Table Header": starts every table but the RSDP.
struct [[gnu::packed]] SdtHeader {
    char signature[4];
    u32 length;               // of the whole table, header included
    u8 revision;
    u8 checksum;              // the whole table sums to 0
    char oem_id[6];
    char oem_table_id[8];
    u32 oem_revision;
    u32 creator_id;
    u32 creator_revision;
};
static_assert(sizeof(SdtHeader) == 36);

// Sum of all bytes mod 256; a valid table or RSDP sums to 0.
u8 checksum(ReadonlyBytes bytes);

// Signature of a table (its first four bytes) as a NUL-terminated string for log lines.
struct Signature {
    char text[5];
};
Signature signature_of(ReadonlyBytes table);

// Checks a whole table: header present, length field within `table`, checksum zero.
// EINVAL for a short or lying length, EBADMSG for a bad checksum.
[[nodiscard]] ErrorOr<void> validate_table(ReadonlyBytes table);

// What the RSDP says. EINVAL: wrong signature or too short; EBADMSG: bad checksum.
struct RootPointer {
    u8 revision;
    u64 rsdt_phys;
    u64 xsdt_phys;            // 0 when revision < 2 or the firmware left it empty
};
[[nodiscard]] ErrorOr<RootPointer> parse_rsdp(ReadonlyBytes rsdp);

// Reads `length` bytes of physical memory; returns an empty span when that memory is not
// reachable (the kernel checks its direct map, the host tests a fake memory).
using PhysReader = ReadonlyBytes (*)(u64 phys, usize length, void* ctx);

// The tables listed by the RSDT/XSDT (plus the DSDT, which only the FADT points to), each
// validated once when the directory is loaded. Tables that fail validation are left out and
// counted.
class TableDirectory {
public:
    static constexpr usize MAX_TABLES = 48;
    struct Entry {
        u64 phys;
        u32 length;
        char signature[4];
    };

    // Walks the XSDT when revision >= 2 and it validates, else the RSDT (64- or 32-bit
    // pointers). ENOENT when neither root table is readable and valid.
    [[nodiscard]] ErrorOr<void> load(RootPointer root, PhysReader reader, void* ctx);

    // The `instance`-th table with this 4-character signature, validated; nullopt if absent.
    Optional<Entry> find(char const* signature, usize instance = 0) const;

    usize count() const { return m_count; }
    Entry const& at(usize i) const { return m_entries[i]; }
    bool uses_xsdt() const { return m_uses_xsdt; }
    usize rejected() const { return m_rejected; }

private:
    void add(u64 phys, PhysReader reader, void* ctx);
    Entry m_entries[MAX_TABLES] {};
    usize m_count { 0 };
    usize m_rejected { 0 };
    bool m_uses_xsdt { false };
};

// --- MCFG (PCI Firmware Specification 3.2, section 4.1.2) ---------------------------------------

struct McfgRegion {
    u64 base;                 // ECAM base of `segment`; bus b starts at base + (b << 20)
    u16 segment;
    u8 start_bus;
    u8 end_bus;
};

struct McfgInfo {
    static constexpr usize MAX_REGIONS = 8;
    McfgRegion regions[MAX_REGIONS] {};
    usize region_count { 0 };
};
[[nodiscard]] ErrorOr<void> parse_mcfg(ReadonlyBytes table, McfgInfo& out);

// --- FADT (5.2.9 "Fixed ACPI Description Table") -----------------------------------------------

// IAPC_BOOT_ARCH bits (Table 5.11).
inline constexpr u16 BOOT_ARCH_LEGACY_DEVICES = 1 << 0;
inline constexpr u16 BOOT_ARCH_8042 = 1 << 1;
inline constexpr u16 BOOT_ARCH_VGA_NOT_PRESENT = 1 << 2;
inline constexpr u16 BOOT_ARCH_MSI_NOT_SUPPORTED = 1 << 3;
inline constexpr u16 BOOT_ARCH_CMOS_RTC_NOT_PRESENT = 1 << 5;

struct FadtInfo {
    u8 revision { 0 };
    u16 sci_irq { 0 };
    u32 pm_timer_port { 0 };  // PM_TMR_BLK (I/O port), 0 if none
    u32 flags { 0 };
    u64 dsdt_phys { 0 };      // X_DSDT when present and non-zero, else DSDT
    // IAPC_BOOT_ARCH exists from FADT revision 2 on (QEMU pc has revision 1: absent).
    bool has_boot_arch { false };
    u16 boot_arch { 0 };

    // Whether an i8042 may be probed: the flag when the firmware reports it; ACPI 1.0 tables
    // predate the field, and a PC of that age has one.
    bool has_8042() const { return !has_boot_arch || (boot_arch & BOOT_ARCH_8042); }
};
[[nodiscard]] ErrorOr<void> parse_fadt(ReadonlyBytes table, FadtInfo& out);

namespace detail {
// Little-endian field reads from a span; the caller has checked the bounds.
u16 read16(ReadonlyBytes bytes, usize offset);
u32 read32(ReadonlyBytes bytes, usize offset);
u64 read64(ReadonlyBytes bytes, usize offset);
}

}
