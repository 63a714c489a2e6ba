// ls [DIRECTORY...]: lists /dev (devices: kind, numbers, size, driver) or /bin (programs).
// Without arguments it lists both.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <kstd/enforce.h>

namespace {

void print_entry(uapi::DirEntry const& entry)
{
    switch (entry.kind) {
    case uapi::DirEntryKind::CharDevice:
        printf("c %3u,%-3u %12s  %-10s %s\n", entry.major, entry.minor, "", entry.name, entry.driver);
        break;
    case uapi::DirEntryKind::BlockDevice:
        printf("b %3u,%-3u %12lu  %-10s %s\n", entry.major, entry.minor, entry.size, entry.name, entry.driver);
        break;
    case uapi::DirEntryKind::Program:
        printf("- %7s %12lu  %s\n", "", entry.size, entry.name);
        break;
    }
}

int list(char const* directory)
{
    uapi::DirEntry entry;
    for (u64 index = 0;; ++index) {
        if (readdir(directory, index, &entry) < 0) {
            if (errno == ENOENT && index > 0)
                return 0;
            return fail(directory);
        }
        print_entry(entry);
    }
}

}

int main(int argc, char** argv)
{
    if (argc < 2) {
        printf("/dev:\n");
        int status = list("/dev");
        printf("/bin:\n");
        return status | list("/bin");
    }
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        if (argc > 2)
            printf("%s:\n", argv[i]);
        status |= list(argv[i]);
    }
    return status;
}
