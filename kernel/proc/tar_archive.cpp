// ustar archive reading (kernel/proc/tar_archive.h).
#include "tar_archive.h"
#include <kstd/enforce.h>

namespace proc {

namespace {

// The ustar header (POSIX.1-2001, pax "ustar Interchange Format"): numbers are octal text.
struct [[gnu::packed]] Header {
    char name[100];
    char mode[8];
    char uid[8];
    char gid[8];
    char size[12];
    char mtime[12];
    char checksum[8];
    char type;
    char link_name[100];
    char magic[6];      // "ustar\0" (POSIX) or "ustar " (GNU tar's old format)
    char version[2];
    char user_name[32];
    char group_name[32];
    char device_major[8];
    char device_minor[8];
    char prefix[155];
    char padding[12];
};
static_assert(sizeof(Header) == TarArchive::BLOCK_SIZE);

constexpr char TYPE_REGULAR = '0', TYPE_REGULAR_OLD = '\0';

Optional<u64> parse_octal(char const* field, usize size)
{
    u64 value = 0;
    usize i = 0;
    while (i < size && field[i] == ' ')
        ++i;
    bool any = false;
    for (; i < size && field[i] >= '0' && field[i] <= '7'; ++i) {
        if (value >> 60)
            return kstd::nullopt;
        value = value * 8 + u64(field[i] - '0');
        any = true;
    }
    for (; i < size; ++i) {
        if (field[i] != ' ' && field[i] != '\0')
            return kstd::nullopt;
    }
    if (!any)
        return kstd::nullopt;
    return value;
}

bool is_zero_block(u8 const* block)
{
    for (usize i = 0; i < TarArchive::BLOCK_SIZE; ++i) {
        if (block[i])
            return false;
    }
    return true;
}

// The checksum is the byte sum of the header with the checksum field read as spaces.
bool checksum_ok(Header const& header)
{
    auto stored = parse_octal(header.checksum, sizeof(header.checksum));
    if (!stored.has_value())
        return false;
    auto const* bytes = reinterpret_cast<u8 const*>(&header);
    u64 sum = 0;
    for (usize i = 0; i < sizeof(Header); ++i) {
        bool in_field = i >= offsetof(Header, checksum) && i < offsetof(Header, checksum) + sizeof(header.checksum);
        sum += in_field ? u8(' ') : bytes[i];
    }
    return sum == *stored;
}

StringView name_of(Header const& header)
{
    usize length = 0;
    while (length < sizeof(header.name) && header.name[length])
        ++length;
    StringView name(header.name, length);
    if (name.starts_with(StringView("./")))
        name = name.substring(2);
    return name;
}

}

// Calls visit(Header const*, ReadonlyBytes data) for each entry; stops when visit returns
// true (found) or at the end. Returns false when the archive is malformed.
template<typename Visit>
bool TarArchive::walk(Visit&& visit) const
{
    usize offset = 0;
    while (offset + BLOCK_SIZE <= m_bytes.size()) {
        u8 const* block = m_bytes.data() + offset;
        if (is_zero_block(block))
            return true;
        auto const& header = *reinterpret_cast<Header const*>(block);
        if (!(StringView(header.magic, 5) == StringView("ustar")) || !checksum_ok(header))
            return false;
        auto size = parse_octal(header.size, sizeof(header.size));
        if (!size.has_value() || *size > m_bytes.size() - offset - BLOCK_SIZE)
            return false;
        if (visit(header, ReadonlyBytes(block + BLOCK_SIZE, *size)))
            return true;
        offset += BLOCK_SIZE + kstd::align_up(*size, u64(BLOCK_SIZE));
    }
    return offset >= m_bytes.size();
}

ErrorOr<usize> TarArchive::validate() const
{
    usize files = 0;
    bool ok = walk([&](Header const& header, ReadonlyBytes) {
        if (header.type == TYPE_REGULAR || header.type == TYPE_REGULAR_OLD)
            ++files;
        return false;
    });
    if (!ok)
        return Error::from_errno(EINVAL);
    return files;
}

Optional<ArchiveFile> TarArchive::find(StringView name) const
{
    Optional<ArchiveFile> found;
    walk([&](Header const& header, ReadonlyBytes data) {
        if ((header.type == TYPE_REGULAR || header.type == TYPE_REGULAR_OLD) && name_of(header) == name) {
            found = ArchiveFile { name_of(header), data };
            return true;
        }
        return false;
    });
    return found;
}

Optional<ArchiveFile> TarArchive::file_at(usize index) const
{
    Optional<ArchiveFile> found;
    usize seen = 0;
    walk([&](Header const& header, ReadonlyBytes data) {
        if (header.type != TYPE_REGULAR && header.type != TYPE_REGULAR_OLD)
            return false;
        if (seen++ == index) {
            found = ArchiveFile { name_of(header), data };
            return true;
        }
        return false;
    });
    return found;
}

}
