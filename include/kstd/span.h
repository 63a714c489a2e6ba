#pragma once
// Span<T>: a non-owning pointer + length view. It is std::span, which g++ 12 provides
// header-only (docs/style.md, "Freestanding C++"), plus a few helpers the kernel wants.
// Context: any. Locking: none (views do not synchronize what they point at).
#include <span>
#include <kstd/types.h>
#include <kstd/utility.h>

namespace kstd {

inline constexpr usize dynamic_extent = std::dynamic_extent;

template<typename T, usize Extent = dynamic_extent>
using Span = std::span<T, Extent>;

using Bytes = Span<u8>;
using ReadonlyBytes = Span<u8 const>;

// The object representation of `value`, e.g. to checksum or hexdump a descriptor.
template<typename T>
ReadonlyBytes bytes_of(T const& value)
{
    return { reinterpret_cast<u8 const*>(&value), sizeof(T) };
}

template<typename T>
Bytes writable_bytes_of(T& value)
{
    return { reinterpret_cast<u8*>(&value), sizeof(T) };
}

// Like span.subspan(offset, count), but clamps to the end instead of being undefined
// behaviour when offset or count run past it. Use it on lengths that came from a device.
template<typename T, usize Extent>
constexpr Span<T> slice(Span<T, Extent> span, usize offset, usize count = dynamic_extent)
{
    if (offset > span.size())
        return {};
    return { span.data() + offset, kstd::min(count, span.size() - offset) };
}

}

using kstd::Bytes;
using kstd::ReadonlyBytes;
using kstd::Span;
