#pragma once
// A process's file-descriptor table: small integers naming open files, as in Unix. Several
// descriptors (dup, and the copies a spawned child inherits) may share one open file, and
// with it its position and flags; the file is closed when the last descriptor goes.
// Context: thread. Locking: a table is changed only by its own process's thread (and by the
// process's exit), so it needs no lock.
#include <kernel/dev/file.h>
#include <kernel/dev/object.h>
#include <kernel/proc/process.h>
#include <kstd/error.h>
#include <kstd/unique_ptr.h>

namespace proc {

// One open file shared by descriptors (Unix's "open file description").
class OpenFile final : public dev::RefCounted {
public:
    explicit OpenFile(OwnPtr<dev::File> file) : m_file(kstd::move(file)) {}
    dev::File& file() { return *m_file; }

private:
    OwnPtr<dev::File> m_file;   // its destructor closes the file
};

class FdTable {
public:
    FdTable() = default;
    FdTable(FdTable const&) = delete;
    FdTable& operator=(FdTable const&) = delete;

    // Puts `file` in the lowest free descriptor; EMFILE when none is free.
    [[nodiscard]] ErrorOr<int> install(dev::Ref<OpenFile> file);
    // Wraps a freshly opened File. ENOMEM, EMFILE.
    [[nodiscard]] ErrorOr<int> install(OwnPtr<dev::File> file);
    // Puts `file` at descriptor `fd`, closing what was there. EBADF for an fd out of range.
    [[nodiscard]] ErrorOr<void> install_at(int fd, dev::Ref<OpenFile> file);

    // The open file behind fd. EBADF: out of range or not open.
    [[nodiscard]] ErrorOr<dev::Ref<OpenFile>> get(int fd) const;
    // EBADF as get().
    [[nodiscard]] ErrorOr<void> close(int fd);
    void close_all();

    // Shares every open file of `parent` at the same descriptors (a spawned child's table).
    void inherit(FdTable const& parent);
    u32 open_count() const;

private:
    static bool in_range(int fd) { return fd >= 0 && usize(fd) < MAX_FILES; }
    dev::Ref<OpenFile> m_slots[MAX_FILES];
};

}
