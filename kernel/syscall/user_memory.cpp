// Checked access to user memory for system calls (kernel/syscall/user_memory.h).
#include "user_memory.h"
#include <kernel/proc/current.h>
#include <arch/user.h>
#include <kernel/mm/layout.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace syscall {

ErrorOr<void> check_user_buffer(u64 address, u64 size, Access access)
{
    if (!arch::is_user_range(address, size))
        return Error::from_errno(EFAULT);
    if (size == 0)
        return {};
    proc::Process* process = proc::current();
    if (!process || !process->space)
        return Error::from_errno(EFAULT);
    u64 end = address + size;
    for (u64 page = kstd::align_down(address, mm::PAGE_SIZE); page < end; page += mm::PAGE_SIZE) {
        auto mapping = process->space->query(page);
        if (mapping.is_error() || !has(mapping.value().flags, mm::PageFlags::User))
            return Error::from_errno(EFAULT);
        if (access == Access::Write && !has(mapping.value().flags, mm::PageFlags::Writable))
            return Error::from_errno(EFAULT);
    }
    return {};
}

ErrorOr<void> copy_from_user(void* destination, u64 address, usize size)
{
    if (!arch::copy_from_user(destination, address, size))
        return Error::from_errno(EFAULT);
    return {};
}

ErrorOr<void> copy_to_user(u64 address, void const* source, usize size)
{
    if (!arch::copy_to_user(address, source, size))
        return Error::from_errno(EFAULT);
    return {};
}

ErrorOr<void> copy_path_from_user(u64 address, UserPath& path)
{
    i64 length = arch::copy_string_from_user(path.text, address, sizeof(path.text));
    if (length == -1)
        return Error::from_errno(EFAULT);
    if (length == -2)
        return Error::from_errno(ENAMETOOLONG);
    if (length == 0)
        return Error::from_errno(ENOENT);
    path.length = usize(length);
    return {};
}

ErrorOr<void> copy_arguments_from_user(u64 address, UserArguments& arguments)
{
    arguments.count = 0;
    if (address == 0)
        return {};
    usize used = 0;
    for (;;) {
        u64 pointer = TRY(read_user<u64>(address + arguments.count * sizeof(u64)));
        if (pointer == 0)
            break;
        if (arguments.count == uapi::ARG_MAX_COUNT)
            return Error::from_errno(E2BIG);
        i64 length = arch::copy_string_from_user(arguments.storage + used, pointer, sizeof(arguments.storage) - used);
        if (length == -1)
            return Error::from_errno(EFAULT);
        if (length == -2)
            return Error::from_errno(E2BIG);
        arguments.pointers[arguments.count++] = arguments.storage + used;
        used += usize(length) + 1;
    }
    arguments.pointers[arguments.count] = nullptr;
    return {};
}

}
