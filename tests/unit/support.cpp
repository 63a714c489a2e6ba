// What the kernel would supply to kernel/lib code, supplied instead for the host tests:
// kstd::verify_failed and the kstd::nothrow allocation operators.
#include "support.h"
#include <kstd/new.h>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace {

int g_expect_verify_failure = 0;
bool g_fail_allocations = false;
long g_allocations_left = 0;

// Returns false when the current FailAllocations scope says this allocation must fail.
bool allocation_allowed()
{
    if (!g_fail_allocations)
        return true;
    if (g_allocations_left <= 0)
        return false;
    --g_allocations_left;
    return true;
}

}

namespace test {

ExpectVerifyFailure::ExpectVerifyFailure() { ++g_expect_verify_failure; }
ExpectVerifyFailure::~ExpectVerifyFailure() { --g_expect_verify_failure; }

FailAllocations::FailAllocations(long successes)
{
    g_fail_allocations = true;
    g_allocations_left = successes;
}
FailAllocations::~FailAllocations() { g_fail_allocations = false; }

}

[[noreturn]] void kstd::verify_failed(char const* expression, char const* file, int line)
{
    if (g_expect_verify_failure > 0)
        throw test::VerifyFailure { expression, file, line };
    std::fprintf(stderr, "VERIFY failed: %s at %s:%d\n", expression, file, line);
    std::abort();
}

// These forward to the C++ library's nothrow operator new rather than to malloc: the objects
// are freed with plain `delete`, and AddressSanitizer reports malloc/delete pairs as an
// alloc-dealloc mismatch.
void* operator new(usize size, kstd::NoThrow const&) noexcept
{
    return allocation_allowed() ? ::operator new(size, std::nothrow) : nullptr;
}

void* operator new[](usize size, kstd::NoThrow const&) noexcept
{
    return allocation_allowed() ? ::operator new[](size, std::nothrow) : nullptr;
}

void* operator new(usize size, kstd::AlignVal alignment, kstd::NoThrow const&) noexcept
{
    return allocation_allowed() ? ::operator new(size, alignment, std::nothrow) : nullptr;
}

void* operator new[](usize size, kstd::AlignVal alignment, kstd::NoThrow const&) noexcept
{
    return allocation_allowed() ? ::operator new[](size, alignment, std::nothrow) : nullptr;
}
