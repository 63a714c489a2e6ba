// devfs: the names in /dev (include/kernel/dev/devfs.h). One list of nodes under one Mutex;
// the class cores publish and unpublish through kernel/dev/internal.h.
#include "internal.h"
#include <kernel/dev/devfs.h>
#include <kernel/sched/sync.h>
#include <kstd/intrusive_list.h>
#include <kstd/enforce.h>

namespace devfs {

namespace {

constexpr kstd::StringView DEV_PREFIX = "/dev/";

sched::Mutex g_lock { "devfs" };
IntrusiveList<Node, &Node::m_devfs_link> g_nodes;   // Guarded by g_lock; each holds a reference

// "/dev/null" -> "null"; "null" stays. A path elsewhere gives nothing.
Optional<kstd::StringView> name_of(kstd::StringView path, bool allow_bare)
{
    if (path.starts_with(DEV_PREFIX))
        return path.substring(DEV_PREFIX.length());
    if (allow_bare && !path.contains('/'))
        return path;
    return kstd::nullopt;
}

Node* find_locked(kstd::StringView name)
{
    for (auto& node : g_nodes) {
        if (kstd::StringView(node.name()) == name)
            return &node;
    }
    return nullptr;
}

}

namespace internal {

ErrorOr<void> check_name(kstd::StringView name)
{
    if (name.is_empty() || name.contains('/'))
        return Error::from_errno(EINVAL);
    if (name.length() > dev::MAX_NAME_LENGTH)
        return Error::from_errno(ENAMETOOLONG);
    return {};
}

ErrorOr<void> publish(Node& node, dev::NumberSpace& numbers, u16 major, u16 minor)
{
    sched::MutexGuard guard(g_lock);
    if (find_locked(node.name()))
        return Error::from_errno(EEXIST);
    node.set_number(TRY(numbers.claim(major, minor)));
    node.ref();
    g_nodes.push_back(node);
    return {};
}

void unpublish(Node& node, dev::NumberSpace& numbers)
{
    {
        sched::MutexGuard guard(g_lock);
        g_nodes.remove(node);
        numbers.release(node.number());
    }
    node.unref();   // the registry's reference; the caller holds another
}

}

ErrorOr<dev::Ref<Node>> lookup(kstd::StringView path_or_name)
{
    auto name = name_of(path_or_name, true);
    if (!name.has_value())
        return Error::from_errno(ENOENT);
    sched::MutexGuard guard(g_lock);
    Node* node = find_locked(*name);
    if (!node)
        return Error::from_errno(ENOENT);
    return dev::Ref<Node>(*node);
}

ErrorOr<OwnPtr<File>> open(kstd::StringView path, OpenFlags flags)
{
    if (!name_of(path, false).has_value())
        return Error::from_errno(ENOENT);
    if (!has_any(flags, OpenFlags::ReadWrite))
        return Error::from_errno(EINVAL);
    auto node = TRY(lookup(path));
    auto file = TRY(kstd::make<File>());
    TRY(node->attach(*file, flags));
    return file;
}

void for_each(void (*fn)(Node& node, void* ctx), void* ctx)
{
    sched::MutexGuard guard(g_lock);
    for (auto& node : g_nodes)
        fn(node, ctx);
}

usize count()
{
    sched::MutexGuard guard(g_lock);
    return g_nodes.size();
}

}
