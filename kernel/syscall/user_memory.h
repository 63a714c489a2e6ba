#pragma once
// Reaching user memory from a system call, safely (kernel/syscall). Every pointer a program
// passes is checked before the call does anything with it:
//   * the range must lie in the user half (a kernel address, or a range that wraps or runs
//     past the limit, is EFAULT without touching memory);
//   * every page must be mapped in the process, and writable when the kernel will write to it:
//     checked against the page tables first, so a bad buffer fails with EFAULT before a device
//     read has consumed any data;
//   * the copy itself still runs under the fault fixup (arch::copy_from_user), so even a
//     mapping that changed in between cannot panic the kernel.
// Context: a system call, on the calling process's thread.
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>
#include <uapi/syscall.h>

namespace syscall {

enum class Access : u8 { Read, Write };

// EFAULT unless [address, address + size) is user memory the process may access that way.
[[nodiscard]] ErrorOr<void> check_user_buffer(u64 address, u64 size, Access access);

[[nodiscard]] ErrorOr<void> copy_from_user(void* destination, u64 address, usize size);
[[nodiscard]] ErrorOr<void> copy_to_user(u64 address, void const* source, usize size);

template<typename T>
[[nodiscard]] ErrorOr<T> read_user(u64 address)
{
    T value;
    TRY(copy_from_user(&value, address, sizeof(T)));
    return value;
}

template<typename T>
[[nodiscard]] ErrorOr<void> write_user(u64 address, T const& value)
{
    return copy_to_user(address, &value, sizeof(T));
}

// A NUL-terminated path from user memory. EFAULT, ENAMETOOLONG (no NUL within PATH_MAX bytes),
// ENOENT for "".
struct UserPath {
    char text[uapi::PATH_MAX];
    usize length;
};
[[nodiscard]] ErrorOr<void> copy_path_from_user(u64 address, UserPath& path);

// An argv array (null-terminated array of string pointers) copied into kernel memory.
// EFAULT, E2BIG (more than ARG_MAX_COUNT entries or ARG_MAX_BYTES bytes). A null argv is
// allowed and gives none.
struct UserArguments {
    char storage[uapi::ARG_MAX_BYTES];
    char const* pointers[uapi::ARG_MAX_COUNT + 1];
    usize count;
    Span<char const* const> argv() const { return { pointers, count }; }
};
[[nodiscard]] ErrorOr<void> copy_arguments_from_user(u64 address, UserArguments& arguments);

}
