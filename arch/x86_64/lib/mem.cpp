// The C memory primitives GCC requires from a freestanding environment (memcpy, memmove,
// memset, memcmp), plus strlen. Kernel only (host tests link libc's). They live in arch/
// because the copies are x86 string instructions.
//
// Copies and fills use `rep movsb` / `rep stosb`. On CPUs with ERMSB (Ivy Bridge and later,
// and QEMU's TCG) they are fast for every size, and, more importantly here, written as inline
// assembly they cannot be "optimized" by GCC into a call to memcpy/memset, which would recurse
// into themselves. The two plain loops carry an attribute that turns that pattern matching off.
#include <kstd/string.h>
#include <kstd/enforce.h>

extern "C" {

void* memcpy(void* dst, void const* src, usize count) noexcept
{
    void* d = dst;
    asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(count) : : "memory");
    return dst;
}

void* memset(void* dst, int value, usize count) noexcept
{
    void* d = dst;
    asm volatile("rep stosb" : "+D"(d), "+c"(count) : "a"(value) : "memory");
    return dst;
}

void* memmove(void* dst, void const* src, usize count) noexcept
{
    auto d = reinterpret_cast<uptr>(dst);
    auto s = reinterpret_cast<uptr>(src);
    // A forward copy is safe unless the destination starts inside the source.
    if (d - s >= count)
        return memcpy(dst, src, count);
    if (count == 0)
        return dst;
    // Overlap with dst above src: copy backwards from the last byte with the direction flag
    // set, and clear it again as the ABI requires.
    void* d_last = reinterpret_cast<u8*>(dst) + count - 1;
    void const* s_last = reinterpret_cast<u8 const*>(src) + count - 1;
    asm volatile("std\n\trep movsb\n\tcld" : "+D"(d_last), "+S"(s_last), "+c"(count) : : "memory");
    return dst;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
int memcmp(void const* a, void const* b, usize count) noexcept
{
    auto const* pa = static_cast<u8 const*>(a);
    auto const* pb = static_cast<u8 const*>(b);
    for (usize i = 0; i < count; ++i) {
        if (pa[i] != pb[i])
            return int(pa[i]) - int(pb[i]);
    }
    return 0;
}

__attribute__((optimize("no-tree-loop-distribute-patterns")))
usize strlen(char const* string) noexcept
{
    usize length = 0;
    while (string[length] != '\0')
        ++length;
    return length;
}

}
