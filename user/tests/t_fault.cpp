// t_fault KIND: faults on purpose, for the tests that show a fault kills only the process and
// names the cause (tests/kernel/user_fault_tests.cpp). KIND is one of:
//   null-read null-write kernel-read rodata-write exec-data stack-overflow ud2 divide
//   port-out port-in int3 hlt spin
// "spin" loops for ever (for kill).
#include <conduit/io.h>
#include <conduit/port_io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <kstd/enforce.h>

namespace {

char const g_constant[16] = "read only";
u8 g_code_in_data[16] = { 0xC3 };   // `ret`, in a writable, non-executable page

#pragma GCC diagnostic ignored "-Winfinite-recursion"
#pragma GCC diagnostic ignored "-Warray-bounds"
[[gnu::noinline]] u64 recurse(u64 depth)
{
    volatile u8 frame[512];
    frame[0] = u8(depth);
    return recurse(depth + 1) + frame[0];
}

// Through a volatile pointer, so the compiler cannot see the null and drop the access.
int volatile* volatile g_null = nullptr;
[[gnu::noinline]] void null_read() { printf("%d\n", *g_null); }
[[gnu::noinline]] void null_write() { *reinterpret_cast<int volatile*>(8) = 1; }

[[noreturn]] void spin()
{
    u64 volatile counter = 0;
    for (;;)
        counter = counter + 1;
}

void fault(StringView kind)
{
    if (kind == StringView("null-read"))
        null_read();
    else if (kind == StringView("null-write"))
        null_write();
    else if (kind == StringView("kernel-read"))
        printf("%lx\n", *reinterpret_cast<u64 volatile*>(0xffffffff80100000ull));
    else if (kind == StringView("rodata-write"))
        *const_cast<char volatile*>(&g_constant[0]) = 'X';
    else if (kind == StringView("exec-data"))
        reinterpret_cast<void (*)()>(reinterpret_cast<uptr>(g_code_in_data))();
    else if (kind == StringView("stack-overflow"))
        printf("%lu\n", recurse(0));
    else if (kind == StringView("ud2"))
        __builtin_trap();
    else if (kind == StringView("divide")) {
        volatile int zero = 0, hundred = 100;
        printf("%d\n", hundred / zero);
    } else if (kind == StringView("port-out"))
        port_out8(0x2F9, 0x55);
    else if (kind == StringView("port-in"))
        printf("%u\n", port_in16(0x60));
    else if (kind == StringView("spin"))
        spin();
}

}

int main(int argc, char** argv)
{
    if (argc != 2) {
        dprintf(STDERR, "usage: t_fault KIND\n");
        return 2;
    }
    printf("t_fault: %s\n", argv[1]);
    fault(StringView(argv[1]));
    printf("t_fault: %s did not fault\n", argv[1]);
    return 1;
}
