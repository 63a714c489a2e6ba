#pragma once
// The initial RAM disk: a POSIX ustar archive (POSIX.1-2001, "pax" format, header layout
// "ustar Interchange Format") that GRUB loads as a module. It holds the user programs under
// bin/. Only regular files are looked at; everything in the archive is treated as untrusted
// (sizes are checked against the archive, names must be NUL-terminated within their field).
// Portable: the host unit tests build archives and read them back.
#include <kstd/error.h>
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace proc {

struct ArchiveFile {
    StringView name;       // as stored: "bin/cat" (a leading "./" is removed)
    ReadonlyBytes data;
};

class TarArchive {
public:
    static constexpr usize BLOCK_SIZE = 512;
    static constexpr usize MAX_NAME = 100;

    TarArchive() = default;
    explicit TarArchive(ReadonlyBytes bytes) : m_bytes(bytes) {}

    // Checks every header up to the end marker (two zero blocks) or the end of the bytes: magic,
    // checksum, octal size within the archive. EINVAL names nothing; the log does.
    [[nodiscard]] ErrorOr<usize> validate() const;   // number of regular files

    // The regular file called `name` ("bin/cat"), if the archive has one.
    Optional<ArchiveFile> find(StringView name) const;
    // The index-th regular file in archive order.
    Optional<ArchiveFile> file_at(usize index) const;

    bool is_empty() const { return m_bytes.empty(); }

private:
    template<typename Visit>
    bool walk(Visit&& visit) const;

    ReadonlyBytes m_bytes;
};

}
