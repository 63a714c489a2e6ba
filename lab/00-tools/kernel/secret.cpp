// Lab 0, exercise 3: a value you can only see with a debugger.
//
// reveal_secret() computes a 64-bit number and passes it to secret_ready(). Nothing prints it.
// Exercise 3 of lab/00-tools/README.md: stop the kernel in secret_ready() with gdb, read the
// argument, and write it into lab/00-tools/answers.toml.
#include "lab0.h"
#include <kstd/enforce.h>

namespace lab0 {

// Storing `secret` into a volatile variable tells the compiler that it is used, so the call and
// its argument are not optimised away.
u64 volatile g_secret_sink;

[[gnu::noinline]] void secret_ready(u64 secret)
{
    g_secret_sink = secret;
}

u64 reveal_secret()
{
    // xorshift64 from a fixed seed: the same secret in every build and every boot.
    u64 volatile seed = 0x436f6e6475697430;   // "Conduit0" in ASCII
    u64 x = seed;
    for (int round = 0; round < 4096; ++round) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    secret_ready(x);
    return x;
}

}
