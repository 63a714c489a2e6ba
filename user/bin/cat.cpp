// cat [FILE...]: copies each file (or standard input, also for "-") to standard output.
// A device is a file like any other: `cat /dev/zero` never ends, `cat /dev/ttyS0` echoes lines.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <kstd/enforce.h>

namespace {

u8 g_buffer[4096];

int copy(int fd, char const* name)
{
    for (;;) {
        long got = read(fd, g_buffer, sizeof(g_buffer));
        if (got < 0)
            return fail(name);
        if (got == 0)
            return 0;
        if (write_all(STDOUT, g_buffer, usize(got)) < 0)
            return fail("write");
    }
}

}

int main(int argc, char** argv)
{
    if (argc < 2)
        return copy(STDIN, "stdin");
    int status = 0;
    for (int i = 1; i < argc; ++i) {
        if (strcmp(argv[i], "-") == 0) {
            status |= copy(STDIN, "stdin");
            continue;
        }
        int fd = open(argv[i], OPEN_READ);
        if (fd < 0) {
            status |= fail(argv[i]);
            continue;
        }
        status |= copy(fd, argv[i]);
        close(fd);
    }
    return status;
}
