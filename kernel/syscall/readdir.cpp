// readdir(path, index, DirEntry*) (kernel/syscall/calls.h): the two directories a program can
// list, /dev (the registered devices, as devfs has them) and /bin (the programs in the initial
// RAM disk). There is no file system beyond these, so a call with an index is all `ls` needs.
#include "calls.h"
#include "user_memory.h"
#include <kernel/dev/blockdev.h>
#include <kernel/dev/devfs.h>
#include <kernel/proc/programs.h>
#include <uapi/files.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

struct DevSearch {
    u64 index;
    u64 seen;
    bool found;
    uapi::DirEntry* entry;
};

void describe_node(dev::Node& node, void* ctx)
{
    auto& search = *static_cast<DevSearch*>(ctx);
    if (search.found || search.seen++ != search.index)
        return;
    search.found = true;
    uapi::DirEntry& entry = *search.entry;
    kstd::copy_string(entry.name, sizeof(entry.name), StringView(node.name()));
    kstd::copy_string(entry.driver, sizeof(entry.driver), StringView(node.driver()));
    entry.major = node.number().major;
    entry.minor = node.number().minor;
    if (node.kind() == dev::NodeKind::Block) {
        auto& block = static_cast<dev::BlockDevice&>(node);
        entry.kind = uapi::DirEntryKind::BlockDevice;
        entry.size = block.capacity();
        entry.sector_size = block.sector_size();
    } else {
        entry.kind = uapi::DirEntryKind::CharDevice;
    }
}

ErrorOr<void> describe_program(u64 index, uapi::DirEntry& entry)
{
    auto program = proc::program_info_at(index);
    if (!program.has_value())
        return Error::from_errno(ENOENT);
    kstd::copy_string(entry.name, sizeof(entry.name), program->name);
    entry.kind = uapi::DirEntryKind::Program;
    entry.size = program->size;
    return {};
}

}

Result sys_readdir(Arguments const& args)
{
    UserPath path;
    TRY(copy_path_from_user(args.a0, path));
    TRY(check_user_buffer(args.a2, sizeof(uapi::DirEntry), Access::Write));
    StringView directory(path.text, path.length);
    if (directory.length() > 1 && directory.ends_with(StringView("/")))
        directory = directory.substring(0, directory.length() - 1);
    uapi::DirEntry entry {};
    if (directory == StringView("/dev")) {
        DevSearch search { args.a1, 0, false, &entry };
        devfs::for_each(describe_node, &search);
        if (!search.found)
            return Error::from_errno(ENOENT);
    } else if (directory == StringView("/bin")) {
        TRY(describe_program(args.a1, entry));
    } else {
        return Error::from_errno(ENOENT);
    }
    TRY(copy_to_user(args.a2, &entry, sizeof(entry)));
    return 0;
}

}
