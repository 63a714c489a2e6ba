// Formatted output and line input (user/lib/include/conduit/io.h).
#include <conduit/io.h>
#include <conduit/sys.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace {

constexpr usize LINE = 1024;

int vprint(int fd, char const* format, va_list args)
{
    char buffer[LINE];
    usize length = kstd::vsnprintf(buffer, sizeof(buffer), format, args);
    if (length >= sizeof(buffer))
        length = sizeof(buffer) - 1;
    return int(write_all(fd, buffer, length));
}

}

int printf(char const* format, ...)
{
    va_list args;
    va_start(args, format);
    int result = vprint(STDOUT, format, args);
    va_end(args);
    return result;
}

int dprintf(int fd, char const* format, ...)
{
    va_list args;
    va_start(args, format);
    int result = vprint(fd, format, args);
    va_end(args);
    return result;
}

int puts(char const* text) { return printf("%s\n", text); }

long write_all(int fd, void const* data, usize count)
{
    auto const* bytes = static_cast<u8 const*>(data);
    usize done = 0;
    while (done < count) {
        long written = write(fd, bytes + done, count - done);
        if (written < 0)
            return -1;
        if (written == 0)
            break;
        done += usize(written);
    }
    return long(done);
}

int fail(char const* what)
{
    dprintf(STDERR, "%s: %s (%s)\n", what, kstd::errno_name(errno), strerror(errno));
    return 1;
}

long read_line(int fd, char* line, usize capacity, bool* at_end)
{
    *at_end = false;
    usize length = 0;
    while (length + 1 < capacity) {
        char c;
        long got = read(fd, &c, 1);
        if (got < 0)
            return -1;
        if (got == 0) {
            *at_end = length == 0;
            break;
        }
        if (c == '\n')
            break;
        line[length++] = c;
    }
    line[length] = '\0';
    return long(length);
}
