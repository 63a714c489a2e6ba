// Itanium C++ ABI demangler, name part only (see include/kernel/demangle.h). Portable: compiled
// into the kernel and into the host unit tests.
//
// The grammar is section 5.1 "External Names (a.k.a. Mangling)" of the Itanium C++ ABI; the
// comments quote its productions and name its subsections. Parameter types are parsed, to reject
// garbage and to keep the substitution table of 5.1.10 "Compression" in step, but "muted": they
// append no text, as they are never printed.
//
// Each production appends its text to a fixed arena and returns a Text span of it. Substitution
// candidates are kept as spans, so a back reference copies nothing. Composite names are built in
// place when their pieces lie back to back (open() puts the separator down before the next piece
// is parsed), else by copying the pieces to the end. Arena, substitution table and recursion
// depth are bounded; running out of any of them makes the whole call fail.
//
// FIXME: returns false for expressions and decltype (5.1.6, 5.1.5.4), special names (5.1.4:
// vtables, typeinfo, guard variables, thunks), structured bindings (DC), vendor qualifiers (U)
// and generic lambdas' template parameters. Template parameters (T_) are not resolved and read
// "...", as do back references to parameter types.
#include <kernel/demangle.h>
#include "demangle_parser.h"
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace demangle_detail {

char Demangler::peek(usize ahead) const
{
    return m_pos + ahead < m_input.length() ? m_input.characters()[m_pos + ahead] : '\0';
}

bool Demangler::consume(StringView s)
{
    bool found = m_input.substring(m_pos).starts_with(s);
    m_pos += found ? s.length() : 0;
    return found;
}

Text Demangler::append(StringView text)
{
    usize start = m_used, count = m_muted ? 0 : text.length();
    m_overflow = m_overflow || count > arena_size - m_used;
    for (usize i = 0; i < count && m_used < arena_size; ++i)
        m_arena[m_used++] = text.characters()[i];
    return since(start, !m_muted);
}

// Gets `left` and `separator` ready at the end of the arena (copying `left` there if need be),
// so that the piece parsed next usually lands right behind them and join() copies nothing.
Text Demangler::open(Text left, StringView separator)
{
    if (left.length > 0 && left.end() != m_used)
        left = since(append(view(left)).start, left.simple);
    if (left.length > 0)
        append(separator);
    return left;
}

Text Demangler::join(Text left, StringView separator, Text right)
{
    bool simple = left.simple && right.simple;
    Text gap { u16(left.end()), u16(separator.length()) };
    if (right.start == gap.end() && view(gap) == separator)
        return { left.start, u16(right.end() - left.start), simple };
    usize start = m_used;
    append(view(left));
    append(separator);
    append(view(right));
    return since(start, simple);
}

Text Demangler::extend(Text text, StringView suffix)
{
    text = open(text, suffix);
    return join(text, suffix, since(m_used));
}

void Demangler::record(Text text)
{
    m_overflow = m_overflow || m_substitution_count == max_substitutions;
    if (!m_overflow)
        m_substitutions[m_substitution_count++] = text;
}

// 5.1.2 "Numbers": <number> ::= [n] <decimal digits>; callers deal with the sign.
bool Demangler::parse_number(usize& value)
{
    if (!kstd::is_digit(peek()))
        return false;
    for (value = 0; kstd::is_digit(peek()) && value < 100'000'000; ++m_pos)
        value = value * 10 + usize(peek() - '0');
    return !kstd::is_digit(peek()); // else far longer than any symbol
}

// 5.1.2 "Names": <source-name> ::= <positive length number> <identifier>. The anonymous
// namespace is called _GLOBAL__N_1 ("Anonymous entities").
bool Demangler::parse_source_name(Text& out)
{
    usize length = 0;
    if (!parse_number(length) || length == 0 || length > m_input.length() - m_pos)
        return false;
    StringView identifier = m_input.substring(m_pos, length);
    m_pos += length;
    for (char c : identifier) {
        if (u8(c) < 0x20 || u8(c) == 0x7f)
            return false; // garbage, and nothing to send to a console
    }
    out = append(identifier.starts_with("_GLOBAL__N") ? "(anonymous namespace)" : identifier);
    return true;
}

// <encoding> ::= <function name> <bare-function-type> | <data name> | <special-name>, where
// special names (T..., G...: vtables, typeinfo, guard variables, thunks) are not understood.
bool Demangler::parse_encoding(Text& out)
{
    bool substitution = false, special = peek() == 'T' || peek() == 'G';
    return !special && parse_name(out, substitution) && parse_parameter_types(false);
}

// <bare-function-type> ::= <signature type>+, muted. In an <encoding> it runs to the end, a
// clone suffix or the E closing a <local-name>; in function types and <lambda-sig> to an E.
// A function template's return type comes first; it is just one more type here.
bool Demangler::parse_parameter_types(bool closed_by_e)
{
    bool was_muted = m_muted;
    m_muted = true;
    while (closed_by_e ? !consume('E') : !at_end() && peek() != 'E' && peek() != '.') {
        Text type;
        if ((peek() == 'R' || peek() == 'O') && peek(1) == 'E')
            ++m_pos; // <ref-qualifier> of a member function type
        else if (!parse_type(type))
            return false;
    }
    m_muted = was_muted;
    return true;
}

// GCC's clone suffixes (".constprop.0", ".isra.0", ".part.0", ".cold", ".lto_priv.0") are
// vendor suffixes; each prints as c++filt does: "foo [clone .part.0] [clone .cold]".
bool Demangler::parse_clone_suffixes(Text& name)
{
    while (!at_end()) {
        usize begin = m_pos;
        if (!consume('.') || !is_letter(peek()))
            return false;
        while (is_letter(peek()) || kstd::is_digit(peek()) || (peek() == '.' && kstd::is_digit(peek(1))))
            ++m_pos;
        name = extend(extend(name, " [clone "), m_input.substring(begin, m_pos - begin));
        name = extend(name, "]");
    }
    return true;
}

// <name> ::= <nested-name> | <local-name> | <unscoped-name> | <unscoped-template-name>
// <template-args>, with <unscoped-name> ::= [St] <unqualified-name>. An unscoped template name
// is a substitution candidate; the whole name is left to the caller (a type records it, a
// function name is none). `substitution` reports a bare back reference, not to be recorded.
bool Demangler::parse_name(Text& out, bool& substitution)
{
    Nest nest { ++m_depth };
    substitution = false;
    if (m_depth > max_depth)
        return false;
    if (consume('N'))
        return parse_nested_name(out);
    if (consume('Z'))
        return parse_local_name(out);
    if (peek() == 'S' && peek(1) != 't') {
        if (!parse_substitution(out))
            return false;
        substitution = peek() != 'I';
        return substitution || parse_template_args(out, out);
    }
    Text scope = open(consume("St") ? append("std") : Text {}, "::"), name;
    if (!parse_unqualified_name(scope, name))
        return false;
    out = scope.length > 0 ? join(scope, "::", name) : name;
    if (peek() != 'I')
        return true;
    record(out);
    return parse_template_args(out, out);
}

// 5.1.2 "Names": <nested-name> ::= N [<CV-qualifiers>] [<ref-qualifier>] <prefix>
// <unqualified-name> E | N [...] <template-prefix> <template-args> E. Each <prefix> and
// <template-prefix> (all but the whole name) is a candidate. The qualifiers belong to a member
// function's `this` and are not printed, like the parameters.
bool Demangler::parse_nested_name(Text& out)
{
    for (char qualifier : StringView("rVKRO"))
        consume(qualifier);
    Text prefix, part;
    bool first = true;
    for (; !consume('E'); first = false) {
        if (first && peek() == 'S') { // St or a back reference: no new candidate
            if (consume("St"))
                prefix = append("std");
            else if (!parse_substitution(prefix))
                return false;
            continue;
        }
        if (!first && consume('M'))
            continue; // <data-member-prefix>: the closure after M is in this member's initializer
        if (!first && peek() == 'I') {
            if (!parse_template_args(prefix, prefix))
                return false;
        } else if (first && peek() == 'T') {
            if (!parse_template_param(prefix))
                return false;
        } else {
            prefix = open(prefix, "::");
            if (!parse_unqualified_name(prefix, part))
                return false;
            prefix = first ? part : join(prefix, "::", part);
        }
        if (peek() != 'E')
            record(prefix);
    }
    out = prefix;
    return !first;
}

// 5.1.7 "Scope Encoding": <local-name> ::= Z <function encoding> E <entity name> [<discriminator>]
//   | Z <function encoding> E s [<discriminator>] (a string literal). The discriminator,
// _ <digit> | __ <number> _, tells same-named entities apart and is not printed.
bool Demangler::parse_local_name(Text& out)
{
    Text function, entity;
    bool substitution = false;
    if (!parse_encoding(function) || !consume('E'))
        return false;
    function = open(function, "::");
    if (consume('s'))
        entity = append("string literal");
    else if (!parse_name(entity, substitution))
        return false;
    out = join(function, "::", entity);
    usize number = 0;
    if (consume("__")) // a <discriminator> of two digits or more
        return parse_number(number) && consume('_');
    return !consume('_') || (kstd::is_digit(peek()) && consume(peek()));
}

// <unqualified-name> ::= <operator-name> | <ctor-dtor-name> | <source-name> | <unnamed-type-name>
// [<abi-tags>], <abi-tag> ::= B <source-name> (printed "name[abi:cxx11]", as c++filt does).
// GCC writes an L before names with internal linkage (_ZL3foov); it is not printed.
bool Demangler::parse_unqualified_name(Text scope, Text& out)
{
    consume('L');
    char c = peek();
    bool ok = false;
    if (kstd::is_digit(c))
        ok = parse_source_name(out);
    else if (c == 'C' || c == 'D')
        ok = parse_ctor_dtor_name(scope, out);
    else if (c == 'U')
        ok = parse_unnamed_type_name(out);
    else if (c >= 'a' && c <= 'z')
        ok = parse_operator_name(out);
    for (Text tag; ok && consume('B');) {
        out = open(out, "[abi:");
        ok = parse_source_name(tag);
        out = extend(join(out, "[abi:", tag), "]");
    }
    return ok;
}

// 5.1.3 "Operator Encodings": two letters, or cv <type> for a conversion operator.
bool Demangler::parse_operator_name(Text& out)
{
    if (consume("cv")) {
        Text label = append("operator "), type;
        bool ok = parse_type(type);
        out = join(label, "", type);
        return ok;
    }
    for (auto const& op : operators) {
        if (consume(StringView(op.code, 2))) {
            Text label = append(is_letter(op.text[0]) ? "operator " : "operator");
            out = join(label, "", append(op.text));
            return true;
        }
    }
    return false;
}

// 5.1.4.3 "Constructors and Destructors": <ctor-dtor-name> ::= C1 | C2 | C3 | CI1 <base type>
// | CI2 <base type> | D0 | D1 | D2 (GCC adds C4/D4, C5/D5). They print as Foo::Foo, Foo::~Foo.
bool Demangler::parse_ctor_dtor_name(Text scope, Text& out)
{
    bool destructor = consume('D'), inheriting = !destructor && consume("CI");
    char kind = destructor || inheriting || consume('C') ? peek() : '\0';
    Text base;
    if (kind < (destructor ? '0' : '1') || kind > '5' || !consume(kind))
        return false;
    if (inheriting && !parse_type(base))
        return false;
    StringView name = class_name(scope);
    Text tilde = append(destructor ? "~" : "");
    out = join(tilde, "", append(name));
    return !name.is_empty();
}

// The class that constructors and destructors are named after: the last component of their
// scope without template arguments or ABI tags ("ns::Foo<int>" gives "Foo").
StringView Demangler::class_name(Text scope) const
{
    StringView text = view(scope);
    usize begin = 0, end = text.length(), depth = 0;
    for (usize i = 0; i < text.length(); ++i) {
        char c = text[i];
        if (depth == 0 && (c == '<' || c == '[') && end == text.length())
            end = i;
        if (c == '<' || c == '[' || c == '(' || c == '{') {
            ++depth;
        } else if (c == '>' || c == ']' || c == ')' || c == '}') {
            depth -= depth > 0 ? 1 : 0;
        } else if (depth == 0 && text.substring(i).starts_with("::")) {
            begin = i + 2;
            end = text.length();
        }
    }
    return text.substring(begin, end - begin);
}

// 5.1.2 "Anonymous entities": <unnamed-type-name> ::= Ut [<number>] _, and 5.1.8 "Closure Types
// (Lambdas)": <closure-type-name> ::= Ul <lambda-sig> E [<number>] _. They print as c++filt's
// {unnamed type#1} and {lambda()#1}, except that parameters read "...".
bool Demangler::parse_unnamed_type_name(Text& out)
{
    bool lambda = consume("Ul");
    bool no_parameters = peek() == 'v' && peek(1) == 'E';
    if (lambda ? !parse_parameter_types(true) : !consume("Ut"))
        return false;
    usize number = 0;
    bool numbered = parse_number(number);
    if (!consume('_'))
        return false;
    number = numbered ? number + 2 : 1; // the first has no number, the second is 0
    char buffer[48];
    if (lambda)
        kstd::snprintf(buffer, sizeof(buffer), "{lambda(%s)#%zu}", no_parameters ? "" : "...", number);
    else
        kstd::snprintf(buffer, sizeof(buffer), "{unnamed type#%zu}", number);
    out = append(buffer);
    return true;
}

// 5.1.10 "Compression": <substitution> ::= S_ | S <seq-id> _ | Sa | Sb | Ss | Si | So | Sd.
// <seq-id> counts in base 36 (0-9, A-Z) from the second candidate on: S_, S0_, ..., S9_, SA_.
bool Demangler::parse_substitution(Text& out)
{
    if (!consume('S'))
        return false;
    if (auto const* abbreviation = find_code(abbreviations, peek()); abbreviation && consume(peek())) {
        out = append(abbreviation->text);
        return true;
    }
    usize index = 0, digits = 0;
    for (; !consume('_'); ++digits, ++m_pos) {
        char c = peek();
        if ((!kstd::is_digit(c) && (c < 'A' || c > 'Z')) || index >= max_substitutions)
            return false;
        index = index * 36 + usize(kstd::is_digit(c) ? c - '0' : c - 'A' + 10);
    }
    index += digits > 0 ? 1 : 0;
    if (index >= m_substitution_count)
        return false;
    out = m_substitutions[index];
    return true;
}

}

using demangle_detail::Demangler;
using demangle_detail::Text;

bool demangle_name(StringView mangled, char* out, usize capacity)
{
    if (out == nullptr || capacity == 0 || !mangled.starts_with("_Z"))
        return false;
    Demangler demangler(mangled.substring(2));
    Text name;
    if (!demangler.parse(name))
        return false;
    kstd::copy_string(out, capacity, demangler.view(name));
    return true;
}
