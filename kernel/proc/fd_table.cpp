// A process's descriptor table (kernel/proc/fd_table.h).
#include <kernel/proc/fd_table.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace proc {

ErrorOr<int> FdTable::install(dev::Ref<OpenFile> file)
{
    for (usize fd = 0; fd < MAX_FILES; ++fd) {
        if (!m_slots[fd]) {
            m_slots[fd] = kstd::move(file);
            return int(fd);
        }
    }
    return Error::from_errno(EMFILE);
}

ErrorOr<int> FdTable::install(OwnPtr<dev::File> file)
{
    auto* open_file = new (kstd::nothrow) OpenFile(kstd::move(file));
    if (!open_file)
        return Error::from_errno(ENOMEM);
    return install(dev::Ref<OpenFile>::adopt(open_file));
}

ErrorOr<void> FdTable::install_at(int fd, dev::Ref<OpenFile> file)
{
    if (!in_range(fd))
        return Error::from_errno(EBADF);
    m_slots[fd] = kstd::move(file);   // the old open file loses a reference (and may close)
    return {};
}

ErrorOr<dev::Ref<OpenFile>> FdTable::get(int fd) const
{
    if (!in_range(fd) || !m_slots[fd])
        return Error::from_errno(EBADF);
    return m_slots[fd];
}

ErrorOr<void> FdTable::close(int fd)
{
    if (!in_range(fd) || !m_slots[fd])
        return Error::from_errno(EBADF);
    m_slots[fd].reset();
    return {};
}

void FdTable::close_all()
{
    for (auto& slot : m_slots)
        slot.reset();
}

void FdTable::inherit(FdTable const& parent)
{
    for (usize fd = 0; fd < MAX_FILES; ++fd)
        m_slots[fd] = parent.m_slots[fd];
}

u32 FdTable::open_count() const
{
    u32 count = 0;
    for (auto const& slot : m_slots)
        count += slot ? 1 : 0;
    return count;
}

}
