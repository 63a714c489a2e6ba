// The C++ runtime support the compiler expects from a freestanding kernel (docs/style.md, "Freestanding
// C++"). operator new/delete live with the heap in kernel/mm/heap.cpp.
#include <kernel/panic.h>
#include <kernel/runtime.h>
#include <kstd/enforce.h>

extern "C" {

using Constructor = void (*)();
extern Constructor __init_array_start[];
extern Constructor __init_array_end[];

// Called for a pure virtual function whose override is missing (e.g. from a constructor).
void __cxa_pure_virtual() { panic("pure virtual function called"); }

// With -fno-use-cxa-atexit, global destructors are registered through atexit(). The kernel
// never exits, so they are never run; accepting the registration keeps the objects legal.
int atexit(void (*)()) { return 0; }

// libstdc++ headers call abort() from paths the kernel must never reach (e.g. value() on an
// empty optional at -O0).
[[noreturn]] void abort() { panic("abort() called"); }
}

namespace runtime {

static bool g_constructors_ran = false;

void run_global_constructors()
{
    for (Constructor* ctor = __init_array_start; ctor != __init_array_end; ++ctor)
        (*ctor)();
    g_constructors_ran = true;
}

bool global_constructors_ran() { return g_constructors_ran; }

}
