// The C++ start of a user program: constructors, main, exit (user/lib/arch/x86_64/start.S
// jumps here). Also what the kstd headers need from their environment.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <kstd/enforce.h>

int main(int argc, char** argv);

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

extern "C" [[noreturn]] void start_main(int argc, char** argv)
{
    for (auto* constructor = __init_array_start; constructor != __init_array_end; ++constructor)
        (*constructor)();
    exit(main(argc, argv));
}

namespace kstd {
// A failed VERIFY or MUST in a program ends the program, like abort().
void verify_failed(char const* expr, char const* file, int line)
{
    dprintf(STDERR, "assertion failed: %s (%s:%d)\n", expr, file, line);
    exit(134);
}
}

extern "C" void __cxa_pure_virtual()
{
    dprintf(STDERR, "pure virtual function called\n");
    exit(134);
}
