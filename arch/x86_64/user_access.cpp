// Copies between kernel and user memory that turn a bad user pointer into an error instead of
// a kernel panic (include/arch/user.h). The range check happens here, before any access: a
// kernel address, or a range that runs past the user limit, never reaches the copy. What the
// check cannot see (an unmapped page, a read-only page written) faults inside user_copy.S, and
// fixup_user_access() resumes at the routine's fixup label.
#include "user_internal.h"
#include <arch/user.h>
#include <kstd/enforce.h>

extern "C" usize arch_user_copy(void* destination, void const* source, usize size);
extern "C" i64 arch_user_string_copy(char* destination, char const* source, usize max);
extern "C" char arch_user_copy_fixup[], arch_user_string_copy_fixup[];

namespace arch {

namespace {

struct FixupEntry {
    void const* begin;   // first instruction of the routine
    char* fixup;         // its fixup label; faults between begin and fixup go there
};

FixupEntry const g_fixups[] = {
    { reinterpret_cast<void const*>(&arch_user_copy), arch_user_copy_fixup },
    { reinterpret_cast<void const*>(&arch_user_string_copy), arch_user_string_copy_fixup },
};

}

bool is_user_range(u64 address, usize size)
{
    return address <= USER_LIMIT && size <= USER_LIMIT - address;
}

bool copy_from_user(void* destination, u64 user_source, usize size)
{
    if (!is_user_range(user_source, size))
        return false;
    return arch_user_copy(destination, reinterpret_cast<void const*>(user_source), size) == 0;
}

bool copy_to_user(u64 user_destination, void const* source, usize size)
{
    if (!is_user_range(user_destination, size))
        return false;
    return arch_user_copy(reinterpret_cast<void*>(user_destination), source, size) == 0;
}

i64 copy_string_from_user(char* destination, u64 user_source, usize capacity)
{
    if (capacity == 0 || user_source >= USER_LIMIT)
        return -1;
    // Never read at or past the limit: a string that runs up to it has no NUL in user memory.
    usize max = capacity;
    if (max > USER_LIMIT - user_source)
        max = USER_LIMIT - user_source;
    i64 length = arch_user_string_copy(destination, reinterpret_cast<char const*>(user_source), max);
    if (length < 0)
        return -1;
    if (u64(length) == max) {
        destination[0] = '\0';
        return max < capacity ? -1 : -2;   // ran into the user limit / too long for the buffer
    }
    return length;
}

bool fixup_user_access(InterruptFrame& frame, u64 fault_address)
{
    // A fault on the kernel side of a copy is a kernel bug, not a bad user pointer.
    if (fault_address >= USER_LIMIT)
        return false;
    for (FixupEntry const& entry : g_fixups) {
        u64 begin = reinterpret_cast<u64>(entry.begin);
        if (frame.rip >= begin && frame.rip < reinterpret_cast<u64>(entry.fixup)) {
            frame.rip = reinterpret_cast<u64>(entry.fixup);
            return true;
        }
    }
    return false;
}

}
