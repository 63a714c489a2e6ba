// demangle_name: the kernel's own symbols, the grammar pieces one by one, what must return false,
// truncation, and hostile input (the whole binary runs under ASan and UBSan).
#include "support.h"
#include <kernel/demangle.h>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr char const* rejected = "<false>";

// Demangles from a heap copy of exactly mangled.length() bytes, so ASan sees any read past the
// end, into a buffer with guard bytes after `capacity`.
std::string demangled(std::string const& mangled, usize capacity = 256)
{
    std::vector<char> input(mangled.begin(), mangled.end());
    std::vector<char> out(capacity + 8, '#');
    if (!demangle_name(StringView(input.data(), input.size()), out.data(), capacity)) {
        CHECK(std::string(out.data(), out.size()) == std::string(out.size(), '#')); // untouched
        return rejected;
    }
    CHECK(std::string(out.data() + capacity, 8) == std::string(8, '#'));
    REQUIRE(std::memchr(out.data(), '\0', capacity) != nullptr);
    return out.data();
}

struct Case {
    char const* mangled;
    char const* expected;
};

// From `nm build/kernel.elf | grep ' [TtWw] _Z'` (638 symbols when this was written; all of them
// demangled like c++filt). Expected: c++filt's output with the parameter lists cut off by hand.
constexpr Case kernel_symbols[] = {
    { "_Z10diag_printPKcz", "diag_print" },
    { "_Z5panicPKcz", "panic" },
    { "_Z9boot_infov", "boot_info" },
    { "_Z13set_log_level8LogLevel", "set_log_level" },
    { "_Z20panic_from_exceptionRKN4arch14InterruptFrameEPKcz", "panic_from_exception" },
    { "_Z15parse_log_levelPKcP8LogLevel", "parse_log_level" },
    { "_ZL29ktest_fn_boot_symbols_resolvev", "ktest_fn_boot_symbols_resolve" },
    { "_ZL16monitor_cmd_helpN4kstd10StringViewE", "monitor_cmd_help" },
    { "_ZL41ktest_fn_boot_exceptions_caught_and_namedv", "ktest_fn_boot_exceptions_caught_and_named" },
    { "_ZN10multiboot25parseEPKvmR8BootInfo", "multiboot2::parse" },
    { "_ZN11CommandLine14store_unquotedEN4kstd10StringViewERm", "CommandLine::store_unquoted" },
    { "_ZN11CommandLine9add_wordsEN4kstd10StringViewEmmb", "CommandLine::add_words" },
    { "_ZN11SymbolTable20from_section_headersESt4spanIK10Elf64_ShdrLm18446744073709551615EERKN4kstd8"
      "FunctionIFPKvRS2_ELm32EEE",
        "SymbolTable::from_section_headers" },
    { "_ZN11SymbolTable20from_section_headersESt4spanIK10Elf64_ShdrLm18446744073709551615EEm",
        "SymbolTable::from_section_headers" },
    { "_ZN11SymbolTableC1ESt4spanIK9Elf64_SymLm18446744073709551615EEPKcm", "SymbolTable::SymbolTable" },
    { "_ZN11SymbolTableC2ESt4spanIK9Elf64_SymLm18446744073709551615EEPKcm", "SymbolTable::SymbolTable" },
    { "_ZN12_GLOBAL__N_113guard_reentryEv", "(anonymous namespace)::guard_reentry" },
    { "_ZN12_GLOBAL__N_15vemitEPKcS1_P13__va_list_tag", "(anonymous namespace)::vemit" },
    { "_ZN13console_input9read_charEv", "console_input::read_char" },
    { "_ZN2mm11KernelStack7releaseEv", "mm::KernelStack::release" },
    { "_ZN2mm11KernelStackC1EOS0_", "mm::KernelStack::KernelStack" },
    { "_ZN2mm11KernelStackC2EOS0_", "mm::KernelStack::KernelStack" },
    { "_ZN2mm11KernelStackD1Ev", "mm::KernelStack::~KernelStack" },
    { "_ZN2mm11KernelStackD2Ev", "mm::KernelStack::~KernelStack" },
    { "_ZN2mm11KernelStackaSEOS0_", "mm::KernelStack::operator=" },
    { "_ZN2mm12_GLOBAL__N_110small_leafEm", "mm::(anonymous namespace)::small_leaf" },
    { "_ZN2mm12_GLOBAL__N_113free_or_panicEPvm.part.0",
        "mm::(anonymous namespace)::free_or_panic [clone .part.0]" },
    { "_ZN2mm12_GLOBAL__N_19entry_forEmiNS_9PageFlagsE", "mm::(anonymous namespace)::entry_for" },
    { "_ZN2mm12_GLOBAL__N_19leaf_bitsENS_9PageFlagsENS_11CachePolicyEb",
        "mm::(anonymous namespace)::leaf_bits" },
    { "_ZN2mm14FrameAllocator10initializeEPK12MemoryRegionmPKNS_9PhysRangeEmPvm",
        "mm::FrameAllocator::initialize" },
    { "_ZN2mm14FrameAllocator15find_free_rangeEPK12MemoryRegionmPKNS_9PhysRangeEmmm",
        "mm::FrameAllocator::find_free_range" },
    { "_ZN2mm19sanitize_memory_mapEPK12MemoryRegionmPS0_m", "mm::sanitize_memory_map" },
    { "_ZN2mm6detail10mmio_usageERmS1_", "mm::detail::mmio_usage" },
    { "_ZN2mm6detail9map_largeEmmNS_9PageFlagsENS_11CachePolicyE", "mm::detail::map_large" },
    { "_ZN2mm8HeapCore10initializeEmmPFbPvmmES1_", "mm::HeapCore::initialize" },
    { "_ZN2mm8HeapCore10write_tagsEPNS0_3TagEmb", "mm::HeapCore::write_tags" },
    { "_ZN2mm8HeapCore7is_freeEPKNS0_3TagE", "mm::HeapCore::is_free" },
    { "_ZN4arch12_GLOBAL__N_111single_stepEv", "arch::(anonymous namespace)::single_step" },
    { "_ZN4arch18set_vector_handlerEhPFvRNS_14InterruptFrameEE", "arch::set_vector_handler" },
    { "_ZN4arch19run_catching_faultsEPFvPvES0_PNS_9FaultInfoE", "arch::run_catching_faults" },
    { "_ZN4arch9qemu_exitENS_8ExitCodeE", "arch::qemu_exit" },
    { "_ZN4kstd10StringView10split_nextEc", "kstd::StringView::split_next" },
    { "_ZN4kstd11copy_stringEPcmNS_10StringViewE", "kstd::copy_string" },
    { "_ZN4kstd12_GLOBAL__N_111format_textERNS0_6OutputERKNS0_4SpecEPKcm",
        "kstd::(anonymous namespace)::format_text" },
    { "_ZN4kstd12_GLOBAL__N_114format_integerERNS0_6OutputERKNS0_4SpecERKNS0_7IntegerE",
        "kstd::(anonymous namespace)::format_integer" },
    { "_ZN4kstd13StringBuilder13append_stringENS_10StringViewE", "kstd::StringBuilder::append_string" },
    { "_ZN4kstd13StringBuilderC1EPcm", "kstd::StringBuilder::StringBuilder" },
    { "_ZN4kstd13verify_failedEPKcS1_i", "kstd::verify_failed" },
    { "_ZN4kstd15format_hex_lineEPcmmSt4spanIKhLm18446744073709551615EE", "kstd::format_hex_line" },
    { "_ZN4kstd8FunctionIFPKvRK10Elf64_ShdrELm32EEUlPNS7_7StorageEE4_4_FUNES9_",
        "kstd::Function<...>::{lambda(...)#6}::_FUN" },
    { "_ZN4kstd8FunctionIFPKvRK10Elf64_ShdrELm32EEUlPNS7_7StorageES5_E2_4_FUNES9_S5_",
        "kstd::Function<...>::{lambda(...)#4}::_FUN" },
    { "_ZN4kstd8FunctionIFPKvRK10Elf64_ShdrELm32EEUlPNS7_7StorageES9_E3_4_FUNES9_S9_",
        "kstd::Function<...>::{lambda(...)#5}::_FUN" },
    { "_ZN4kstd9vsnprintfEPcmPKcP13__va_list_tag", "kstd::vsnprintf" },
    { "_ZN5ktest12_GLOBAL__N_16finishEjj", "ktest::(anonymous namespace)::finish" },
    { "_ZN5ktest4failEPKciS1_z", "ktest::fail" },
    { "_ZN5ktest7run_oneERK10KernelTest", "ktest::run_one" },
    { "_ZN7symbols15print_backtraceEPKmm", "symbols::print_backtrace" },
    { "_ZNK11CommandLine3getEN4kstd10StringViewE", "CommandLine::get" },
    { "_ZNK11SymbolTable7name_ofERK9Elf64_Sym", "SymbolTable::name_of" },
    { "_ZNK2mm14FrameAllocator12search_wordsEmmRm", "mm::FrameAllocator::search_words" },
    { "_ZNK2mm8HeapCore20free_neighbour_afterEPNS0_3TagE", "mm::HeapCore::free_neighbour_after" },
    { "_ZNK4kstd10StringView4findES0_m", "kstd::StringView::find" },
    { "_ZZL41ktest_fn_boot_exceptions_caught_and_namedvENUlPvE0_4_FUNES_",
        "ktest_fn_boot_exceptions_caught_and_named::{lambda(...)#2}::_FUN" },
    { "_ZZL41ktest_fn_boot_exceptions_caught_and_namedvENUlPvE_4_FUNES_",
        "ktest_fn_boot_exceptions_caught_and_named::{lambda(...)#1}::_FUN" },
    { "_ZN3irq12_GLOBAL__N_112FlushBarrier4itemMUlPvE_4_FUNES2_",
        "irq::(anonymous namespace)::FlushBarrier::item::{lambda(...)#1}::_FUN" },
    { "_ZZL16monitor_cmd_irqsN4kstd10StringViewEENUlRKN3irq9IrqActionEPvE_4_FUNES4_S5_",
        "monitor_cmd_irqs::{lambda(...)#1}::_FUN" },
    { "_ZN4arch12_GLOBAL__N_118software_interruptILh32EEEvv",
        "arch::(anonymous namespace)::software_interrupt<(unsigned char)32>" },
    { "_ZN4acpi12_GLOBAL__N_110read_tableEmPFSt4spanIKhLm18446744073709551615EEmmPvES4_.part.0",
        "acpi::(anonymous namespace)::read_table [clone .part.0]" },
    { "_ZN12_GLOBAL__N_17recurseEm.isra.0", "(anonymous namespace)::recurse [clone .isra.0]" },
    { "_ZN3irq8NapiPollC1EPFjPvjEPFvS1_ES1_jPKc", "irq::NapiPoll::NapiPoll" },
    { "_ZN3irq7TaskletD2Ev", "irq::Tasklet::~Tasklet" },
    { "_ZdaPv", "operator delete[]" },
    { "_ZdaPvSt11align_val_t", "operator delete[]" },
    { "_ZdlPvm", "operator delete" },
    { "_ZdlPvmSt11align_val_t", "operator delete" },
    { "_Znam", "operator new[]" },
    { "_ZnamRKN4kstd7NoThrowE", "operator new[]" },
    { "_Znwm", "operator new" },
    { "_ZnwmSt11align_val_tRKN4kstd7NoThrowE", "operator new" },
};

// One or two symbols per grammar piece; most checked against c++filt (minus parameters).
constexpr Case grammar_pieces[] = {
    // Member function qualifiers (K, R, O) are not printed, nor are parameters.
    { "_ZNK1A1fEv", "A::f" },
    { "_ZNR1A1fEv", "A::f" },
    { "_ZNKO1A1fEv", "A::f" },
    { "_ZN3foo3barE", "foo::bar" }, // a data name: no parameters at all
    // Constructors and destructors.
    { "_ZN1AC1Ev", "A::A" },
    { "_ZN3FooD0Ev", "Foo::~Foo" },
    { "_ZNSt6vectorIiSaIiEED2Ev", "std::vector<int, std::allocator<int> >::~vector" },
    { "_ZNSaIcEC1Ev", "std::allocator<char>::allocator" },
    // Operators.
    { "_ZN3FooclEv", "Foo::operator()" },
    { "_ZNK3FooeqERKS_", "Foo::operator==" },
    { "_ZN3FoossERKS_", "Foo::operator<=>" },
    { "_ZN3FooixEm", "Foo::operator[]" },
    { "_ZN3FooptEv", "Foo::operator->" },
    { "_ZN3FoonaEm", "Foo::operator new[]" },
    { "_ZNK3FoocvbEv", "Foo::operator bool" },
    { "_ZplRK3VecS1_", "operator+" },
    { "_ZlsR7OstreamRK3Foo", "operator<<" },
    { "_ZN4llvmlsIN5clang8CFGBlockEEERNS_11raw_ostreamES4_PKNS_15DomTreeNodeBaseIT_EE",
        "llvm::operator<< <clang::CFGBlock>" },
    // Template arguments: simple ones spelled out, the others "<...>".
    { "_Z3maxIiET_S0_S0_", "max<int>" },
    { "_ZN3FooILi3EE1fEv", "Foo<3>::f" },
    { "_ZN3FooILin3EE1fEv", "Foo<-3>::f" },
    { "_ZN3FooIcLc65ELb1ELj3ELm32EE1fEv", "Foo<char, (char)65, true, 3u, 32ul>::f" },
    { "_ZN3FooIN3BarIiEEE3bazEv", "Foo<Bar<int> >::baz" },
    { "_ZN3FooIPKcRiOS2_E1fEv", "Foo<char const*, int&, int&>::f" },
    { "_ZN3FooIVKiE1fEv", "Foo<int const volatile>::f" },
    { "_ZN3FooIL_Z3barvEE1fEv", "Foo<bar>::f" },
    { "_ZN3FooILDnEE1fEv", "Foo<nullptr>::f" },
    { "_ZN1AIJicEE1fEv", "A<int, char>::f" },
    { "_Z3fooIJEEvv", "foo<>" },
    { "_ZN4kstd8FunctionIFvvELm32EE4callEv", "kstd::Function<...>::call" },
    { "_ZN3FooIA3_iE1fEv", "Foo<...>::f" },
    // Substitutions in the printed part.
    { "_ZN3FooIiE3barIS0_EEvv", "Foo<int>::bar<Foo<int> >" },
    { "_ZN1A1BIS_E1fEv", "A::B<A>::f" },
    { "_ZN5OuterI5InnerE4workIS0_EEvT_", "Outer<Inner>::work<Inner>" },
    { "_ZNSt6vectorIiSaIiEE9push_backERKi", "std::vector<int, std::allocator<int> >::push_back" },
    { "_ZSt4moveIRiEONSt16remove_referenceIT_E4typeEOS2_", "std::move<int&>" },
    { "_ZNSs4sizeEv", "std::string::size" }, // c++filt spells out std::basic_string<...>
    { "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEC1EPKcRKS3_",
        "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::basic_string" },
    // ABI tags, lambdas, unnamed types, local names and their discriminators.
    { "_ZN3Foo3barB5cxx11Ev", "Foo::bar[abi:cxx11]" },
    { "_ZNSt8ios_base7failureB5cxx11C1EPKcRKSt10error_code", "std::ios_base::failure[abi:cxx11]::failure" },
    { "_ZZ4mainENKUlvE_clEv", "main::{lambda()#1}::operator()" },
    { "_ZZ3foovENUt_3barEv", "foo::{unnamed type#1}::bar" },
    { "_ZZ3foovEN1S1fEv", "foo::S::f" },
    { "_ZZ3foovEN1S1fE_0v", "foo::S::f" },
    { "_ZZ3foovE1x__12_", "foo::x" },
    { "_ZZN1A1fEvE1x_1", "A::f::x" },
    { "_ZZ3foovEs", "foo::string literal" },
    // GCC clone suffixes.
    { "_Z3foov.constprop.0", "foo [clone .constprop.0]" },
    { "_Z3foov.lto_priv.0", "foo [clone .lto_priv.0]" },
    { "_Z3foov.cold", "foo [clone .cold]" },
    { "_ZN3foo3barEv.isra.0.cold", "foo::bar [clone .isra.0] [clone .cold]" },
};

// Not mangled names this demangler understands: callers print the raw symbol.
constexpr char const* not_understood[] = {
    "", "main", "foo", "_", "_Z", "_ZN", "_ZN3foo", "_ZNK", "_Z3", "_Z0foo", "_Z99foo", "_Z3fooILi3E",
    "_ZN3fooIiE", "_ZS_", "_ZN3fooS_E", "_Z1fS0_", "_Z3foo.", "_Z3foov.0", "_Z3foov@plt", "_Z3foovE",
    "_ZZ3foovE", "_ZZ3foovE1x_", "_ZN2mm11KernelStackC9Ev", "_ZC1Ev", "__Z3foov", "_GLOBAL__sub_I_main.cpp",
    "_ZTV3Foo", "_ZTI3Foo", "_ZTS3Foo", "_ZGVZ3foovE1x", "_ZThn8_N3Foo3barEv", // special names
    "_Z1fIiEDTplfp_fp_ET_", "_ZN1AIXadL_Z1fvEEE1gEv",                          // expressions
    "_Z3foo\x01v", "_Z4fo\no",
};

}

TEST_CASE("demangle_name: the kernel's symbols", "[demangle]")
{
    for (auto const& c : kernel_symbols) {
        INFO(c.mangled);
        CHECK(demangled(c.mangled) == c.expected);
    }
}

TEST_CASE("demangle_name: grammar pieces", "[demangle]")
{
    for (auto const& c : grammar_pieces) {
        INFO(c.mangled);
        CHECK(demangled(c.mangled) == c.expected);
    }
}

TEST_CASE("demangle_name: what it does not understand returns false", "[demangle]")
{
    for (char const* mangled : not_understood) {
        INFO(mangled);
        CHECK(demangled(mangled) == rejected);
    }
}

TEST_CASE("demangle_name: output is cut to the capacity", "[demangle]")
{
    char const* mangled = "_ZN5ktest7run_oneERK10KernelTest";
    CHECK(demangled(mangled, 15) == "ktest::run_one");
    CHECK(demangled(mangled, 14) == "ktest::run_on");
    CHECK(demangled(mangled, 8) == "ktest::");
    CHECK(demangled(mangled, 1) == "");
    CHECK(demangled(mangled, 0) == rejected); // nothing can be written, not even the NUL
    CHECK(demangled("_ZN2mm12_GLOBAL__N_113free_or_panicEPvm.part.0", 30) == "mm::(anonymous namespace)::fr");

    char out[8] = "unusual";
    CHECK_FALSE(demangle_name("_Znwm", nullptr, 8));
    CHECK_FALSE(demangle_name("not_mangled", out, sizeof(out)));
    CHECK(std::string(out) == "unusual");
}

TEST_CASE("demangle_name: reads only the given length", "[demangle]")
{
    std::string text = "_Z3foov_and_whatever_follows_in_the_string_table";
    char out[32];
    REQUIRE(demangle_name(StringView(text.data(), 7), out, sizeof(out)));
    CHECK(std::string(out) == "foo");
    CHECK(demangled("_ZN5ktest7run_oneERK10KernelTest\0garbage") == "ktest::run_one");
    CHECK(demangled(std::string("_Z3foov\0x", 9)) == rejected); // an embedded NUL is garbage
}

TEST_CASE("demangle_name: very long and deeply nested names fail cleanly", "[demangle]")
{
    CHECK(demangled("_Z5000" + std::string(5000, 'a') + "v") == rejected);       // arena
    CHECK(demangled("_Z1f" + std::string(100000, 'P') + "i") == rejected);       // depth
    CHECK(demangled("_Z1fIJ" + std::string(1000, 'J') + std::string(1001, 'E')) == rejected);
    std::string nested = "_Z1f";
    for (int i = 0; i < 200; ++i)
        nested += "N1aI";
    CHECK(demangled(nested + "i" + std::string(400, 'E')) == rejected);
    std::string local = "_Z";
    for (int i = 0; i < 200; ++i)
        local += "Z1fvE";
    CHECK(demangled(local + "1x") == rejected);
    std::string many = "_Z1f"; // more substitution candidates than the table holds
    for (int i = 0; i < 100; ++i)
        many += "P1" + std::string(1, char('a' + i % 26));
    CHECK(demangled(many) == rejected);
    CHECK(demangled("_Z1f" + std::string(100000, 'i')) == "f"); // long, but nothing to keep
    CHECK(demangled("_Z1" + std::string(1, 'a') + "S" + std::string(100, '9') + "_") == rejected);
}

TEST_CASE("demangle_name: random and mangled-but-broken input never crashes", "[demangle]")
{
    std::mt19937 random(20240611);
    for (int i = 0; i < 20000; ++i) {
        std::string bytes = "_Z";
        for (int n = 8 + int(random() % 56); n > 0; --n)
            bytes += char(random());
        CHECK(demangled(bytes) == rejected);
    }
    // Every prefix of every kernel symbol, and every one with a byte replaced: true or false
    // both fine, as long as the output stays inside its buffer (checked by demangled()).
    constexpr char replacements[] = "ENISZ_0139vK.";
    for (auto const& c : kernel_symbols) {
        std::string mangled = c.mangled;
        for (usize length = 0; length <= mangled.size(); ++length)
            demangled(mangled.substr(0, length), 16);
        for (usize at = 2; at < mangled.size(); ++at) {
            std::string broken = mangled;
            broken[at] = replacements[random() % (sizeof(replacements) - 1)];
            demangled(broken, 24);
        }
    }
}
