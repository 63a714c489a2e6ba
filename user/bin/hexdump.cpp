// hexdump [-n LENGTH] [-s OFFSET] [FILE]: the bytes of a file (or standard input) as
// `hexdump -C` shows them: offset, 16 bytes in hex, the same bytes as text.
//   hexdump -n 512 /dev/ram0        the first sector of the RAM disk
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace {

int usage()
{
    dprintf(STDERR, "usage: hexdump [-n LENGTH] [-s OFFSET] [FILE]\n");
    return 2;
}

}

int main(int argc, char** argv)
{
    u64 length = ~u64(0), offset = 0;
    char const* path = nullptr;
    for (int i = 1; i < argc; ++i) {
        if ((strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-s") == 0) && i + 1 < argc) {
            if (!parse_size(argv[i + 1], argv[i][1] == 'n' ? &length : &offset))
                return usage();
            ++i;
        } else if (!path && argv[i][0] != '-') {
            path = argv[i];
        } else {
            return usage();
        }
    }
    int fd = path ? open(path, OPEN_READ) : STDIN;
    if (fd < 0)
        return fail(path);
    if (offset && lseek(fd, long(offset), uapi::SEEK_SET) < 0)
        return fail("lseek");
    u8 block[kstd::hex_line_bytes];
    char line[kstd::hex_line_capacity];
    u64 done = 0;
    while (done < length) {
        usize want = usize(length - done < sizeof(block) ? length - done : sizeof(block));
        usize have = 0;
        while (have < want) {   // a TTY or a pipe may hand out fewer bytes than asked
            long got = read(fd, block + have, want - have);
            if (got < 0)
                return fail(path ? path : "stdin");
            if (got == 0)
                break;
            have += usize(got);
        }
        if (have == 0)
            break;
        usize n = kstd::format_hex_line(line, sizeof(line), offset + done, ReadonlyBytes(block, have));
        printf("%.*s\n", int(n), line);
        done += have;
        if (have < want)
            break;
    }
    printf("%08lx\n", offset + done);
    return 0;
}
