// Loading a program and building its first stack (kernel/proc/loader.h).
#include "elf_image.h"
#include "loader.h"
#include <kernel/printk.h>
#include <uapi/memory.h>
#include <uapi/syscall.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace proc {

namespace {

ErrorOr<void> load_segments(mm::AddressSpace& space, ElfImage const& image)
{
    for (Segment const& segment : image.segments()) {
        mm::PageFlags flags = mm::PageFlags::None;
        if (segment.writable)
            flags |= mm::PageFlags::Writable;
        if (!segment.executable)
            flags |= mm::PageFlags::NoExecute;
        TRY(space.allocate(segment.vaddr, segment.size, flags));
        TRY(space.write(segment.vaddr + segment.data_offset, segment.data));
    }
    return {};
}

// The stack, from the top of the user half down:
//   the argument strings, NUL-terminated, one after the other
//   (padding to 16 bytes)
//   argv[0] .. argv[argc - 1], a null pointer          <- argv
//   (padding to 16 bytes)                               <- the initial rsp
ErrorOr<LoadedProgram> build_stack(mm::AddressSpace& space, Span<char const* const> argv)
{
    if (argv.size() > uapi::ARG_MAX_COUNT)
        return Error::from_errno(E2BIG);
    usize string_bytes = 0;
    for (char const* arg : argv)
        string_bytes += __builtin_strlen(arg) + 1;
    if (string_bytes > uapi::ARG_MAX_BYTES)
        return Error::from_errno(E2BIG);

    u64 stack_base = uapi::STACK_TOP - uapi::STACK_SIZE;
    TRY(space.allocate(stack_base, uapi::STACK_SIZE, mm::PageFlags::Writable | mm::PageFlags::NoExecute));
    u64 strings = uapi::STACK_TOP - string_bytes;
    u64 pointers[uapi::ARG_MAX_COUNT + 1];
    u64 cursor = strings;
    for (usize i = 0; i < argv.size(); ++i) {
        usize length = __builtin_strlen(argv[i]) + 1;
        TRY(space.write(cursor, ReadonlyBytes(reinterpret_cast<u8 const*>(argv[i]), length)));
        pointers[i] = cursor;
        cursor += length;
    }
    pointers[argv.size()] = 0;
    u64 argv_address = kstd::align_down(strings - (argv.size() + 1) * sizeof(u64), 16);
    TRY(space.write(argv_address, ReadonlyBytes(reinterpret_cast<u8 const*>(pointers), (argv.size() + 1) * sizeof(u64))));
    return LoadedProgram { 0, argv_address - 16, argv.size(), argv_address };
}

}

ErrorOr<LoadedProgram> load_program(mm::AddressSpace& space, ReadonlyBytes file, Span<char const* const> argv,
                                    char const* name)
{
    char const* why = "";
    auto image = ElfImage::parse(file, uapi::PROGRAM_BASE, uapi::DEVICE_MAP_BASE, &why);
    if (image.is_error()) {
        log_warn("exec %s: %s\n", name, why);
        return image.release_error();
    }
    TRY(load_segments(space, image.value()));
    LoadedProgram loaded = TRY(build_stack(space, argv));
    loaded.entry = image.value().entry();
    return loaded;
}

}
