#pragma once
// Typed register windows (docs/style.md, "Hardware access"): what a driver gets from the I/O manager
// (io.h) instead of raw port numbers or addresses. A register is a Reg<T, offset> descriptor;
// T is an integer or an `enum class` bit set, so writing one register's bits into another is a
// compile error.
//
//   namespace regs { inline constexpr io::Reg<Lsr, 5> lsr {}; }
//   if (has(window.read(regs::lsr), Lsr::ThrEmpty)) ...
#include <kernel/io/barrier.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace io {

namespace detail {
#ifdef CONDUIT_HOST_TEST
// Host unit tests: MMIO goes to the device models' bus (tests/unit/models/mmio_bus.cpp), not to
// memory. The driver code is the same; only the window's backend changes.
u64 host_mmio_read(u64 address, u8 width);
void host_mmio_write(u64 address, u8 width, u64 value);
#endif
template<usize Size> struct UnsignedOf;
template<> struct UnsignedOf<1> { using Type = u8; };
template<> struct UnsignedOf<2> { using Type = u16; };
template<> struct UnsignedOf<4> { using Type = u32; };
template<> struct UnsignedOf<8> { using Type = u64; };
}

// A register: its value type and its offset in a window (docs/style.md, "Hardware access"). The value type may
// be an integer or an `enum class` bit set of 1, 2 or 4 bytes (8 too for MMIO).
template<typename T, u32 Offset>
struct Reg {
    using Type = T;
    static constexpr u32 offset = Offset;
};

// Port I/O window over [base, base + length). Accessors check the offset fits (a bug, so VERIFY).
// The port instructions themselves live in arch/x86_64/port_io.cpp (docs/style.md, "Rules the build enforces"). Port
// accesses are strongly ordered on x86 (`in`/`out` wait for earlier stores), so no barrier is
// needed around them; they carry a compiler barrier so normal-memory accesses stay in place.
// Context: any. Locking: none (the owner serializes its own register sequences).
class PortWindow {
public:
    constexpr PortWindow() = default;
    constexpr PortWindow(u16 base, u16 length) : m_base(base), m_length(length) {}
    template<typename R>
    typename R::Type read(R) const;
    template<typename R>
    void write(R, typename R::Type value) const;
    // Raw access by offset, for registers whose offset is computed (e.g. BAR-relative tables).
    u8 read8(u16 offset) const;
    u16 read16(u16 offset) const;
    u32 read32(u16 offset) const;
    void write8(u16 offset, u8 value) const;
    void write16(u16 offset, u16 value) const;
    void write32(u16 offset, u32 value) const;
    // String I/O (`rep insw`/`outsw`) for data ports such as the ATA data register.
    void read16_repeated(u16 offset, u16* buffer, usize count) const;
    void write16_repeated(u16 offset, u16 const* buffer, usize count) const;
    u16 base() const { return m_base; }
    u16 length() const { return m_length; }

private:
    u16 m_base { 0 };
    u16 m_length { 0 };
};

// MMIO window: volatile accessors with Linux readl/writel ordering. write() has a compiler
// barrier before the store, so descriptor writes to normal memory are emitted before a doorbell
// write; the CPU keeps stores in order (x86 TSO, and a UC store is not combined). read() has one
// after the load, so reads of memory the status register vouches for are not hoisted above it.
// With a write-combining window, call io::wmb() before a write that must follow earlier ones.
// Context: any. Locking: none.
class MmioWindow {
public:
    MmioWindow() = default;
    MmioWindow(u64 virt, usize length) : m_virt(virt), m_length(length) {}
    template<typename R>
    typename R::Type read(R) const;
    template<typename R>
    void write(R, typename R::Type value) const;
    u8 read8(u32 offset) const { return load<u8>(offset); }
    u16 read16(u32 offset) const { return load<u16>(offset); }
    u32 read32(u32 offset) const { return load<u32>(offset); }
    u64 read64(u32 offset) const { return load<u64>(offset); }
    void write8(u32 offset, u8 value) const { store<u8>(offset, value); }
    void write16(u32 offset, u16 value) const { store<u16>(offset, value); }
    void write32(u32 offset, u32 value) const { store<u32>(offset, value); }
    void write64(u32 offset, u64 value) const { store<u64>(offset, value); }
    u64 virt() const { return m_virt; }
    usize length() const { return m_length; }

private:
    template<typename U>
    U load(u32 offset) const
    {
        VERIFY(u64(offset) + sizeof(U) <= m_length);
#ifdef CONDUIT_HOST_TEST
        U value = U(detail::host_mmio_read(m_virt + offset, sizeof(U)));
#else
        U value = *reinterpret_cast<U const volatile*>(m_virt + offset);
#endif
        barrier();
        return value;
    }
    template<typename U>
    void store(u32 offset, U value) const
    {
        VERIFY(u64(offset) + sizeof(U) <= m_length);
        barrier();
#ifdef CONDUIT_HOST_TEST
        detail::host_mmio_write(m_virt + offset, sizeof(U), value);
#else
        *reinterpret_cast<U volatile*>(m_virt + offset) = value;
#endif
    }

    u64 m_virt { 0 };
    usize m_length { 0 };
};

// ---- template accessors ------------------------------------------------------------------

template<typename R>
typename R::Type PortWindow::read(R) const
{
    using T = typename R::Type;
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4, "port registers are 1, 2 or 4 bytes");
    static_assert(R::offset <= 0xFFFF);
    if constexpr (sizeof(T) == 1)
        return T(read8(u16(R::offset)));
    else if constexpr (sizeof(T) == 2)
        return T(read16(u16(R::offset)));
    else
        return T(read32(u16(R::offset)));
}

template<typename R>
void PortWindow::write(R, typename R::Type value) const
{
    using T = typename R::Type;
    static_assert(sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4, "port registers are 1, 2 or 4 bytes");
    static_assert(R::offset <= 0xFFFF);
    if constexpr (sizeof(T) == 1)
        write8(u16(R::offset), u8(value));
    else if constexpr (sizeof(T) == 2)
        write16(u16(R::offset), u16(value));
    else
        write32(u16(R::offset), u32(value));
}

template<typename R>
typename R::Type MmioWindow::read(R) const
{
    using T = typename R::Type;
    using U = typename detail::UnsignedOf<sizeof(T)>::Type;
    return T(load<U>(R::offset));
}

template<typename R>
void MmioWindow::write(R, typename R::Type value) const
{
    using T = typename R::Type;
    using U = typename detail::UnsignedOf<sizeof(T)>::Type;
    store<U>(R::offset, U(value));
}

}
