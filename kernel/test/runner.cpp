// The in-kernel test runner: selects tests from the `test=` command-line word, runs them one
// after another, and reports each on the diagnostic channel with the run's nonce.
#include <arch/platform.h>
#include <kernel/cmdline.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/kernel.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <stdarg.h>
#include <kstd/enforce.h>

extern "C" KernelTest const* const __ktests_start[];
extern "C" KernelTest const* const __ktests_end[];

namespace ktest {

namespace {

char g_reason[256];
bool g_reason_recorded = false;

char const* suite_label(int lab, char* buffer, usize capacity)
{
    if (lab == CORE_SUITE)
        return "core";
    if (lab == SELFTEST_SUITE)
        return "selftest";
    if (lab == CRASH_SUITE)
        return "crash";
    kstd::snprintf(buffer, capacity, "%d", lab);
    return buffer;
}

// Protocol lines must stay one line: a reason with a newline would split into garbage.
void sanitize_line(char* text)
{
    for (; *text; ++text) {
        if (*text == '\n' || *text == '\r')
            *text = ' ';
    }
}

// Tests run in source order (file, then line). The linker section keeps translation units in
// link order, but GCC may emit a unit's descriptors in reverse, so sort a copy.
constexpr usize MAX_TESTS = 1024;
KernelTest const* g_sorted[MAX_TESTS];
usize g_sorted_count = 0;

bool runs_before(KernelTest const& a, KernelTest const& b)
{
    int by_file = kstd::strcmp(a.file, b.file);
    return by_file < 0 || (by_file == 0 && a.line < b.line);
}

void sort_tests()
{
    g_sorted_count = 0;
    for (auto const* const* t = __ktests_start; t != __ktests_end && g_sorted_count < MAX_TESTS; ++t) {
        usize i = g_sorted_count++;
        while (i > 0 && runs_before(**t, *g_sorted[i - 1])) {
            g_sorted[i] = g_sorted[i - 1];
            --i;
        }
        g_sorted[i] = *t;
    }
}

struct Selection {
    enum class Kind { One, Lab, Core, All } kind;
    kstd::StringView name;
    int lab;
};

ErrorOr<Selection> parse_selector(kstd::StringView selector)
{
    if (selector == kstd::StringView("all"))
        return Selection { Selection::Kind::All, {}, 0 };
    if (selector == kstd::StringView("core"))
        return Selection { Selection::Kind::Core, {}, CORE_SUITE };
    if (selector.starts_with(kstd::StringView("lab:"))) {
        u64 lab = TRY(kstd::parse_u64(selector.substring(4, selector.length() - 4), 10));
        return Selection { Selection::Kind::Lab, {}, int(lab) };
    }
    return Selection { Selection::Kind::One, selector, 0 };
}

bool selected(Selection const& selection, KernelTest const& test)
{
    switch (selection.kind) {
    case Selection::Kind::One: return selection.name == kstd::StringView(test.name);
    case Selection::Kind::Lab: return test.lab == selection.lab;
    case Selection::Kind::Core: return test.lab == CORE_SUITE;
    case Selection::Kind::All: return test.lab != SELFTEST_SUITE && test.lab != CRASH_SUITE;
    }
    return false;
}

[[noreturn]] void finish(unsigned passed, unsigned failed)
{
    diag_print("@@CONDUIT end passed=%u failed=%u nonce=%s\n", passed, failed, nonce());
    kprint("tests: %u passed, %u failed\n", passed, failed);
    arch::qemu_exit(failed == 0 && passed > 0 ? arch::ExitCode::Success : arch::ExitCode::TestFailure);
}

}

Error fail(char const* file, int line, char const* fmt, ...)
{
    if (!g_reason_recorded) {
        char detail[200];
        va_list args;
        va_start(args, fmt);
        kstd::vsnprintf(detail, sizeof(detail), fmt, args);
        va_end(args);
        char const* base = file;
        for (char const* p = file; *p; ++p) {
            if (*p == '/')
                base = p + 1;
        }
        kstd::snprintf(g_reason, sizeof(g_reason), "%s (%s:%d)", detail, base, line);
        g_reason_recorded = true;
    }
    return Error::from_errno(kstd::ECANCELED);
}

void note(char const* fmt, ...)
{
    char text[256];
    va_list args;
    va_start(args, fmt);
    kstd::vsnprintf(text, sizeof(text), fmt, args);
    va_end(args);
    kprint("  note: %s\n", text);
}

char const* nonce()
{
    auto value = kernel_cmdline().get(kstd::StringView("nonce"));
    static char buffer[64];
    if (!value.has_value())
        return "none";
    kstd::copy_string(buffer, sizeof(buffer), *value);
    return buffer;
}

void announce_boot() { diag_print("@@CONDUIT boot nonce=%s\n", nonce()); }

KernelTest const* const* begin()
{
    if (g_sorted_count == 0)
        sort_tests();
    return g_sorted;
}
KernelTest const* const* end() { return begin() + g_sorted_count; }

KernelTest const* find(char const* name)
{
    for (auto const* const* t = begin(); t != end(); ++t) {
        if (kstd::strcmp((*t)->name, name) == 0)
            return *t;
    }
    return nullptr;
}

bool run_one(KernelTest const& test)
{
    char label[16];
    g_reason_recorded = false;
    g_reason[0] = '\0';
    diag_print("@@CONDUIT test-begin name=%s lab=%s nonce=%s\n", test.name,
               suite_label(test.lab, label, sizeof(label)), nonce());
    auto result = test.function();
    if (!result.is_error()) {
        diag_print("@@CONDUIT test-pass name=%s nonce=%s\n", test.name, nonce());
        kprint("test %s: PASS\n", test.name);
        return true;
    }
    if (!g_reason_recorded)
        kstd::snprintf(g_reason, sizeof(g_reason), "test returned error %s (%s)", result.error().name(),
                       kstd::errno_text(result.error().code()));
    sanitize_line(g_reason);
    diag_print("@@CONDUIT test-fail name=%s nonce=%s reason=%s\n", test.name, nonce(), g_reason);
    kprint("test %s: FAIL: %s\n", test.name, g_reason);
    return false;
}

void run_selected(char const* selector_text)
{
    set_panic_nonce(nonce());
    auto selection = parse_selector(kstd::StringView(selector_text));
    if (selection.is_error()) {
        diag_print("@@CONDUIT test-fail name=%s nonce=%s reason=bad test selector (use NAME, lab:N, core or all)\n",
                   selector_text, nonce());
        finish(0, 1);
    }
    unsigned passed = 0, failed = 0;
    for (auto const* const* t = begin(); t != end(); ++t) {
        if (!selected(selection.value(), **t))
            continue;
        if (run_one(**t))
            ++passed;
        else
            ++failed;
    }
    if (passed + failed == 0) {
        diag_print("@@CONDUIT test-fail name=%s nonce=%s reason=no test matches '%s' (monitor command `tests` lists them)\n",
                   selector_text, nonce(), selector_text);
        failed = 1;
    }
    finish(passed, failed);
}

}
