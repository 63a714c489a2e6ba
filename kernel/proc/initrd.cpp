// The initial RAM disk (kernel/proc/initrd.h).
#include "initrd.h"
#include <kernel/proc/programs.h>
#include <kernel/mm/layout.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace proc {

namespace {

TarArchive g_archive;
constexpr StringView BIN_PREFIX("bin/");

}

void init_initrd(BootInfo const& info)
{
    for (usize i = 0; i < info.module_count; ++i) {
        BootModule const& module = info.modules[i];
        if (!(StringView(module.string).trim() == StringView("initrd")))
            continue;
        TarArchive archive(ReadonlyBytes(mm::phys_to_ptr<u8 const>(module.start), module.end - module.start));
        auto files = archive.validate();
        if (files.is_error()) {
            log_error("initrd: the module at %#lx is not a valid ustar archive; no user programs\n", module.start);
            return;
        }
        g_archive = archive;
        log_info("initrd: %zu files, %lu KiB\n", files.value(), (module.end - module.start) / KiB);
        return;
    }
    log_warn("initrd: no GRUB module called 'initrd'; no user programs\n");
}

bool initrd_present() { return !g_archive.is_empty(); }

ErrorOr<ArchiveFile> find_program(StringView path)
{
    StringView name = path;
    if (name.starts_with(StringView("/bin/")))
        name = name.substring(5);
    if (name.is_empty() || name.find('/').has_value())
        return Error::from_errno(ENOENT);
    char full[TarArchive::MAX_NAME];
    if (BIN_PREFIX.length() + name.length() + 1 > sizeof(full))
        return Error::from_errno(ENAMETOOLONG);
    kstd::copy_string(full, sizeof(full), BIN_PREFIX);
    kstd::copy_string(full + BIN_PREFIX.length(), sizeof(full) - BIN_PREFIX.length(), name);
    auto file = g_archive.find(StringView(full));
    if (!file.has_value())
        return Error::from_errno(ENOENT);
    return *file;
}

Optional<ArchiveFile> program_at(usize index)
{
    usize seen = 0;
    for (usize i = 0;; ++i) {
        auto file = g_archive.file_at(i);
        if (!file.has_value())
            return kstd::nullopt;
        if (!file->name.starts_with(BIN_PREFIX) || file->name.length() == BIN_PREFIX.length())
            continue;
        if (seen++ == index)
            return ArchiveFile { file->name.substring(BIN_PREFIX.length()), file->data };
    }
}

Optional<ProgramInfo> program_info_at(usize index)
{
    auto file = program_at(index);
    if (!file.has_value())
        return kstd::nullopt;
    return ProgramInfo { file->name, file->data.size() };
}

}
