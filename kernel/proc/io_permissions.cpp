// ioperm(): a process's ports (kernel/proc/io_permissions.h). The arithmetic of the bitmap is
// the lecture's: port p is bit p % 8 of byte p / 8, and a CLEAR bit lets ring 3 through.
#include <kernel/proc/io_permissions.h>
#include <arch/user.h>
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace proc {

namespace {

constexpr u32 PORT_COUNT = 65536;

struct WrongVariant {
    char const* name;
    IoPermissions::GrantFunction grant;
};
WrongVariant g_wrong_variants[4];
IoPermissions::GrantFunction g_selected = nullptr;   // null: the real one

}

void IoPermissions::register_wrong_variant(char const* name, GrantFunction grant)
{
    for (auto& slot : g_wrong_variants) {
        if (!slot.name) {
            slot = { name, grant };
            return;
        }
    }
    VERIFY_NOT_REACHED();   // more wrong variants than slots: raise the array size
}

void IoPermissions::select_variant(StringView name)
{
    for (auto const& variant : g_wrong_variants) {
        if (variant.name && name == StringView(variant.name)) {
            g_selected = variant.grant;
            log_warn("SELFTEST: ioperm runs the purpose-made wrong variant '%s'\n", variant.name);
        }
    }
}

ErrorOr<void> IoPermissions::grant(u32 first, u32 count, char const* owner)
{
    return g_selected ? g_selected(*this, first, count, owner) : grant_ports(first, count, owner);
}

// BEGIN LAB 9
ErrorOr<void> IoPermissions::grant_ports(u32 first, u32 count, char const* owner)
{
    // The range must name real ports: 0 ports is a mistake, and first + count must not run
    // past 0xFFFF (checked without overflowing: count may be huge).
    if (count == 0 || first >= PORT_COUNT || count > PORT_COUNT - first)
        return Error::from_errno(EINVAL);
    usize slot = 0;
    while (slot < MAX_GRANTS && m_grants[slot].is_valid())
        ++slot;
    if (slot == MAX_GRANTS)
        return Error::from_errno(ENOSPC);
    if (!m_bitmap) {
        m_bitmap = TRY(kstd::make<Bitmap>());
        memset(m_bitmap->bits, 0xFF, sizeof(m_bitmap->bits));
    }
    // The I/O manager decides who owns a port: a driver, another process, or nobody.
    m_grants[slot] = TRY(io::reserve_ports(u16(first), u16(count), owner));
    set_bits(first, count, false);
    return {};
}

void IoPermissions::set_bits(u32 first, u32 count, bool denied)
{
    for (u32 port = first; port < first + count; ++port) {
        u8 bit = u8(1u << (port % 8));
        if (denied)
            m_bitmap->bits[port / 8] |= bit;
        else
            m_bitmap->bits[port / 8] &= u8(~bit);
    }
    if (!denied && (first + count + 7) / 8 > m_bytes_in_use)
        m_bytes_in_use = (first + count + 7) / 8;
    ++m_generation;
}
// END LAB 9
// STUB LAB 9: ErrorOr<void> IoPermissions::grant_ports(u32, u32, char const*) { return Error::from_errno(ENOSYS); }
// STUB LAB 9: void IoPermissions::set_bits(u32, u32, bool) {}

ErrorOr<void> IoPermissions::revoke(u32 first, u32 count)
{
    if (count == 0 || first >= PORT_COUNT || count > PORT_COUNT - first)
        return Error::from_errno(EINVAL);
    u32 end = first + count;
    for (auto const& grant : m_grants) {
        if (!grant.is_valid())
            continue;
        u32 start = grant.base(), stop = u32(grant.base()) + grant.length();
        bool overlaps = start < end && first < stop;
        bool inside = start >= first && stop <= end;
        if (overlaps && !inside)
            return Error::from_errno(EINVAL);
    }
    for (auto& grant : m_grants) {
        if (grant.is_valid() && grant.base() >= first && u32(grant.base()) + grant.length() <= end) {
            set_bits(grant.base(), grant.length(), true);
            grant.release();
        }
    }
    return {};
}

void IoPermissions::release_all()
{
    for (auto& grant : m_grants)
        grant.release();
    m_bitmap = nullptr;
    m_bytes_in_use = 0;
    ++m_generation;
}

void IoPermissions::activate() const
{
    if (!m_bitmap || m_bytes_in_use == 0) {
        arch::io_bitmap_deny_all();
        return;
    }
    arch::io_bitmap_load(this, m_generation, m_bitmap->bits, m_bytes_in_use);
}

bool IoPermissions::allows(u16 port) const
{
    return m_bitmap && !(m_bitmap->bits[port / 8] & (1u << (port % 8)));
}

u32 IoPermissions::ports_granted() const
{
    u32 ports = 0;
    for (auto const& grant : m_grants)
        ports += grant.is_valid() ? grant.length() : 0;
    return ports;
}

}
