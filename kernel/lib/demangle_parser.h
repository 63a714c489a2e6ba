#pragma once
// The demangler's parser, shared by demangle.cpp (arena, names: 5.1.2-5.1.4, 5.1.10) and
// demangle_types.cpp (types, template arguments, literals: 5.1.5-5.1.6). Private to kernel/lib.
// See demangle.cpp for how the parser works.
#include <kstd/format.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace demangle_detail {

inline constexpr usize arena_size = 1024;
inline constexpr usize max_substitutions = 64;
inline constexpr int max_depth = 16;

struct Code { char code; char const* text; };

// 5.1.5.2 "Builtin types": a lower-case letter, or D and a letter.
inline constexpr Code builtin_types[] = { { 'v', "void" }, { 'w', "wchar_t" }, { 'b', "bool" },
    { 'c', "char" }, { 'a', "signed char" }, { 'h', "unsigned char" }, { 's', "short" },
    { 't', "unsigned short" }, { 'i', "int" }, { 'j', "unsigned int" }, { 'l', "long" },
    { 'm', "unsigned long" }, { 'x', "long long" }, { 'y', "unsigned long long" },
    { 'n', "__int128" }, { 'o', "unsigned __int128" }, { 'f', "float" }, { 'd', "double" },
    { 'e', "long double" }, { 'g', "__float128" }, { 'z', "..." } };
inline constexpr Code d_builtin_types[] = { { 'i', "char32_t" }, { 's', "char16_t" }, { 'u', "char8_t" },
    { 'a', "auto" }, { 'c', "decltype(auto)" }, { 'n', "decltype(nullptr)" }, { 'h', "half" } };
// 5.1.6.1 "Literals": integers print with the C++ suffix of their type, as c++filt does.
inline constexpr Code literal_suffixes[] = { { 'i', "" }, { 'j', "u" }, { 'l', "l" }, { 'm', "ul" },
    { 'x', "ll" }, { 'y', "ull" } };
// 5.1.10 "Compression": fixed abbreviations of std entities (St, "std::", is handled apart).
inline constexpr Code abbreviations[] = { { 'a', "std::allocator" }, { 'b', "std::basic_string" },
    { 's', "std::string" }, { 'i', "std::istream" }, { 'o', "std::ostream" }, { 'd', "std::iostream" } };
// 5.1.5.1 "Qualified types": suffixes for [r] [V] [K], indexed by r << 2 | V << 1 | K.
inline constexpr char const* cv_suffixes[] = { "", " const", " volatile", " const volatile", " restrict",
    " const restrict", " volatile restrict", " const volatile restrict" };

struct Operator { char code[3]; char const* text; };
// 5.1.3 "Operator Encodings" (cv, the conversion operator, is handled apart).
inline constexpr Operator operators[] = { { "nw", "new" }, { "na", "new[]" }, { "dl", "delete" },
    { "da", "delete[]" }, { "aw", "co_await" }, { "ps", "+" }, { "ng", "-" }, { "ad", "&" },
    { "de", "*" }, { "co", "~" }, { "pl", "+" }, { "mi", "-" }, { "ml", "*" }, { "dv", "/" },
    { "rm", "%" }, { "an", "&" }, { "or", "|" }, { "eo", "^" }, { "aS", "=" }, { "pL", "+=" },
    { "mI", "-=" }, { "mL", "*=" }, { "dV", "/=" }, { "rM", "%=" }, { "aN", "&=" }, { "oR", "|=" },
    { "eO", "^=" }, { "ls", "<<" }, { "rs", ">>" }, { "lS", "<<=" }, { "rS", ">>=" }, { "eq", "==" },
    { "ne", "!=" }, { "lt", "<" }, { "gt", ">" }, { "le", "<=" }, { "ge", ">=" }, { "ss", "<=>" },
    { "nt", "!" }, { "aa", "&&" }, { "oo", "||" }, { "pp", "++" }, { "mm", "--" }, { "cm", "," },
    { "pm", "->*" }, { "pt", "->" }, { "cl", "()" }, { "ix", "[]" }, { "qu", "?" } };

inline Code const* find_code(kstd::Span<Code const> table, char code)
{
    for (auto const& entry : table) {
        if (entry.code == code)
            return &entry;
    }
    return nullptr;
}

constexpr bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

// A piece of output, as a span of the arena. `simple` is false for text that is not spelled out
// (function types, template parameters...) and reads "...".
struct Text {
    u16 start { 0 };
    u16 length { 0 };
    bool simple { true };
    usize end() const { return usize(start) + length; }
};

// Counts the productions in progress. Every cycle of the grammar passes through one that holds a
// Nest and checks max_depth, which bounds the recursion whatever the input.
struct Nest { int& depth; ~Nest() { --depth; } };

class Demangler {
public:
    explicit Demangler(StringView input) : m_input(input) {}
    StringView view(Text text) const { return { m_arena + text.start, text.length }; }

    // <mangled-name> ::= _Z <encoding> [. <vendor-specific suffix>]   (5.1.2 "General Structure")
    bool parse(Text& name) { return parse_encoding(name) && parse_clone_suffixes(name) && !m_overflow; }

private:
    bool at_end() const { return m_pos >= m_input.length(); }
    char peek(usize ahead = 0) const;
    bool consume(StringView s);
    bool consume(char c) { return consume(StringView(&c, 1)); }

    Text since(usize start, bool simple = true) const { return { u16(start), u16(m_used - start), simple }; }
    Text append(StringView text);
    Text complex() { return since(append("...").start, false); }
    Text open(Text left, StringView separator);
    Text join(Text left, StringView separator, Text right);
    Text extend(Text text, StringView suffix);
    void record(Text text);
    bool parse_number(usize& value);
    bool parse_source_name(Text& out);
    bool parse_encoding(Text& out);
    bool parse_parameter_types(bool closed_by_e);
    bool parse_clone_suffixes(Text& name);
    bool parse_name(Text& out, bool& substitution);
    bool parse_nested_name(Text& out);
    bool parse_local_name(Text& out);
    bool parse_unqualified_name(Text scope, Text& out);
    bool parse_operator_name(Text& out);
    bool parse_ctor_dtor_name(Text scope, Text& out);
    StringView class_name(Text scope) const;
    bool parse_unnamed_type_name(Text& out);
    bool parse_substitution(Text& out);
    bool parse_template_param(Text& out);
    bool parse_template_args(Text name, Text& out);
    bool parse_template_arg_list(Text& out);
    bool parse_literal(Text& out);
    bool parse_type(Text& out);
    bool parse_qualified_type(Text& out);

    StringView m_input;
    usize m_pos { 0 };
    char m_arena[arena_size];
    usize m_used { 0 };
    Text m_substitutions[max_substitutions];
    usize m_substitution_count { 0 };
    int m_depth { 0 };
    bool m_overflow { false };
    bool m_muted { false }; // parsing what is never printed: append() adds nothing
};

}
