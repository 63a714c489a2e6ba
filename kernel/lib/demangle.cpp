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
#include <kstd/format.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>
#include <kstd/enforce.h>

namespace {

constexpr usize arena_size = 1024;
constexpr usize max_substitutions = 64;
constexpr int max_depth = 16;

struct Code { char code; char const* text; };

// 5.1.5.2 "Builtin types": a lower-case letter, or D and a letter.
constexpr Code builtin_types[] = { { 'v', "void" }, { 'w', "wchar_t" }, { 'b', "bool" },
    { 'c', "char" }, { 'a', "signed char" }, { 'h', "unsigned char" }, { 's', "short" },
    { 't', "unsigned short" }, { 'i', "int" }, { 'j', "unsigned int" }, { 'l', "long" },
    { 'm', "unsigned long" }, { 'x', "long long" }, { 'y', "unsigned long long" },
    { 'n', "__int128" }, { 'o', "unsigned __int128" }, { 'f', "float" }, { 'd', "double" },
    { 'e', "long double" }, { 'g', "__float128" }, { 'z', "..." } };
constexpr Code d_builtin_types[] = { { 'i', "char32_t" }, { 's', "char16_t" }, { 'u', "char8_t" },
    { 'a', "auto" }, { 'c', "decltype(auto)" }, { 'n', "decltype(nullptr)" }, { 'h', "half" } };
// 5.1.6.1 "Literals": integers print with the C++ suffix of their type, as c++filt does.
constexpr Code literal_suffixes[] = { { 'i', "" }, { 'j', "u" }, { 'l', "l" }, { 'm', "ul" },
    { 'x', "ll" }, { 'y', "ull" } };
// 5.1.10 "Compression": fixed abbreviations of std entities (St, "std::", is handled apart).
constexpr Code abbreviations[] = { { 'a', "std::allocator" }, { 'b', "std::basic_string" },
    { 's', "std::string" }, { 'i', "std::istream" }, { 'o', "std::ostream" }, { 'd', "std::iostream" } };
// 5.1.5.1 "Qualified types": suffixes for [r] [V] [K], indexed by r << 2 | V << 1 | K.
constexpr char const* cv_suffixes[] = { "", " const", " volatile", " const volatile", " restrict",
    " const restrict", " volatile restrict", " const volatile restrict" };

struct Operator { char code[3]; char const* text; };
// 5.1.3 "Operator Encodings" (cv, the conversion operator, is handled apart).
constexpr Operator operators[] = { { "nw", "new" }, { "na", "new[]" }, { "dl", "delete" },
    { "da", "delete[]" }, { "aw", "co_await" }, { "ps", "+" }, { "ng", "-" }, { "ad", "&" },
    { "de", "*" }, { "co", "~" }, { "pl", "+" }, { "mi", "-" }, { "ml", "*" }, { "dv", "/" },
    { "rm", "%" }, { "an", "&" }, { "or", "|" }, { "eo", "^" }, { "aS", "=" }, { "pL", "+=" },
    { "mI", "-=" }, { "mL", "*=" }, { "dV", "/=" }, { "rM", "%=" }, { "aN", "&=" }, { "oR", "|=" },
    { "eO", "^=" }, { "ls", "<<" }, { "rs", ">>" }, { "lS", "<<=" }, { "rS", ">>=" }, { "eq", "==" },
    { "ne", "!=" }, { "lt", "<" }, { "gt", ">" }, { "le", "<=" }, { "ge", ">=" }, { "ss", "<=>" },
    { "nt", "!" }, { "aa", "&&" }, { "oo", "||" }, { "pp", "++" }, { "mm", "--" }, { "cm", "," },
    { "pm", "->*" }, { "pt", "->" }, { "cl", "()" }, { "ix", "[]" }, { "qu", "?" } };

Code const* find_code(kstd::Span<Code const> table, char code)
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
    char peek(usize ahead = 0) const
    {
        return m_pos + ahead < m_input.length() ? m_input.characters()[m_pos + ahead] : '\0';
    }
    bool consume(StringView s)
    {
        bool found = m_input.substring(m_pos).starts_with(s);
        m_pos += found ? s.length() : 0;
        return found;
    }
    bool consume(char c) { return consume(StringView(&c, 1)); }

    Text since(usize start, bool simple = true) const { return { u16(start), u16(m_used - start), simple }; }
    Text append(StringView text)
    {
        usize start = m_used, count = m_muted ? 0 : text.length();
        m_overflow = m_overflow || count > arena_size - m_used;
        for (usize i = 0; i < count && m_used < arena_size; ++i)
            m_arena[m_used++] = text.characters()[i];
        return since(start, !m_muted);
    }
    Text complex() { return since(append("...").start, false); }
    // Gets `left` and `separator` ready at the end of the arena (copying `left` there if need be),
    // so that the piece parsed next usually lands right behind them and join() copies nothing.
    Text open(Text left, StringView separator)
    {
        if (left.length > 0 && left.end() != m_used)
            left = since(append(view(left)).start, left.simple);
        if (left.length > 0)
            append(separator);
        return left;
    }
    Text join(Text left, StringView separator, Text right)
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
    Text extend(Text text, StringView suffix)
    {
        text = open(text, suffix);
        return join(text, suffix, since(m_used));
    }
    void record(Text text)
    {
        m_overflow = m_overflow || m_substitution_count == max_substitutions;
        if (!m_overflow)
            m_substitutions[m_substitution_count++] = text;
    }

    // 5.1.2 "Numbers": <number> ::= [n] <decimal digits>; callers deal with the sign.
    bool parse_number(usize& value)
    {
        if (!kstd::is_digit(peek()))
            return false;
        for (value = 0; kstd::is_digit(peek()) && value < 100'000'000; ++m_pos)
            value = value * 10 + usize(peek() - '0');
        return !kstd::is_digit(peek()); // else far longer than any symbol
    }

    // 5.1.2 "Names": <source-name> ::= <positive length number> <identifier>. The anonymous
    // namespace is called _GLOBAL__N_1 ("Anonymous entities").
    bool parse_source_name(Text& out)
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
    bool parse_encoding(Text& out)
    {
        bool substitution = false, special = peek() == 'T' || peek() == 'G';
        return !special && parse_name(out, substitution) && parse_parameter_types(false);
    }

    // <bare-function-type> ::= <signature type>+, muted. In an <encoding> it runs to the end, a
    // clone suffix or the E closing a <local-name>; in function types and <lambda-sig> to an E.
    // A function template's return type comes first; it is just one more type here.
    bool parse_parameter_types(bool closed_by_e)
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
    bool parse_clone_suffixes(Text& name)
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
    bool parse_name(Text& out, bool& substitution)
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
    bool parse_nested_name(Text& out)
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
    bool parse_local_name(Text& out)
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
    bool parse_unqualified_name(Text scope, Text& out)
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
    bool parse_operator_name(Text& out)
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
    bool parse_ctor_dtor_name(Text scope, Text& out)
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
    StringView class_name(Text scope) const
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
    bool parse_unnamed_type_name(Text& out)
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
    bool parse_substitution(Text& out)
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

    // 5.1.5.8 "Template parameters": <template-param> ::= T_ | T <number> _. What they stand for
    // is not tracked, so they read "...".
    bool parse_template_param(Text& out)
    {
        usize number = 0;
        if (!consume('T'))
            return false;
        parse_number(number); // absent for the first parameter
        out = complex();
        return consume('_');
    }

    // 5.1.5.10 "Template Arguments": <template-args> ::= I <template-arg>+ E. Spelled out when every
    // argument is simple, else "<...>". Like c++filt: "operator< <int>" and "A<B<C> >".
    bool parse_template_args(Text name, Text& out)
    {
        StringView opener = view(name).ends_with("<") ? " <" : "<";
        Text list;
        name = open(name, opener);
        if (!consume('I') || !parse_template_arg_list(list))
            return false;
        out = join(name, opener, list.simple ? list : append("..."));
        out = extend(out, list.simple && view(list).ends_with(">") ? " >" : ">");
        out.simple = name.simple;
        return true;
    }

    // The <template-arg>s up to an E, separated by ", ": the body of <template-args> and of a pack.
    // <template-arg> ::= <type> | <expr-primary> | J <template-arg>* E | X <expression> E.
    bool parse_template_arg_list(Text& out)
    {
        Nest nest { ++m_depth };
        out = since(m_used);
        if (m_depth > max_depth)
            return false;
        while (!consume('E')) {
            Text argument;
            out = open(out, ", ");
            bool ok = consume('L') ? parse_literal(argument)
                : consume('J')     ? parse_template_arg_list(argument)
                                   : parse_type(argument); // X <expression> fails in here
            if (!ok)
                return false;
            bool simple = out.simple && argument.simple;
            if (argument.length > 0) // an empty pack adds nothing, not even a comma
                out = out.length > 0 ? join(out, ", ", argument) : argument;
            out.simple = simple;
        }
        return true;
    }

    // 5.1.6.1 "Literals": <expr-primary> ::= L <type> <value number> E | L _Z <encoding> E.
    // Integers get a suffix (32ul) or a cast ((char)65), bool reads true or false.
    bool parse_literal(Text& out)
    {
        if (consume("_Z"))
            return parse_encoding(out) && consume('E');
        Code const* suffix = find_code(literal_suffixes, peek());
        bool boolean = peek() == 'b', null_pointer = consume("Dn");
        Text type;
        if (!null_pointer && !parse_type(type))
            return false;
        bool negative = consume('n'), digits = true;
        usize begin = m_pos;
        for (; !at_end() && peek() != 'E'; ++m_pos)
            digits = digits && kstd::is_digit(peek());
        StringView value = m_input.substring(begin, m_pos - begin);
        if (!consume('E'))
            return false;
        if (!null_pointer && (value.is_empty() || !digits)) {
            out = complex(); // floating point, written as its hexadecimal image
            return true;
        }
        usize start = m_used;
        if (null_pointer || (boolean && (value == "0" || value == "1"))) {
            append(null_pointer ? "nullptr" : value == "0" ? "false" : "true");
        } else {
            append(suffix ? "" : "(");
            append(suffix ? "" : view(type));
            append(suffix ? "" : ")");
            append(negative ? "-" : "");
            append(value);
            append(suffix ? suffix->text : "");
        }
        out = since(start);
        return true;
    }

    // 5.1.5 "Type encodings". Builtins, class names and the cv-qualified types, pointers and
    // references to them are spelled out; function, array and member pointer types, template
    // parameters and pack expansions read "...". Every type but a builtin or a bare back reference
    // becomes a substitution candidate once it is complete.
    bool parse_type(Text& out)
    {
        Nest nest { ++m_depth };
        if (m_depth > max_depth)
            return false;
        char c = peek();
        bool d = c == 'D', ok = true, substitution = false;
        Text inner, member;
        usize dimension = 0;
        if (Code const* builtin = d ? find_code(d_builtin_types, peek(1)) : find_code(builtin_types, c)) {
            m_pos += d ? 2 : 1;
            out = append(builtin->text);
            return true;
        }
        if (consume('u')) // u <source-name>: a vendor builtin, no candidate
            return parse_source_name(out);
        if (c == 'r' || c == 'V' || c == 'K') {
            ok = parse_qualified_type(out);
        } else if (consume('P') || consume('R') || consume('O')) {
            ok = parse_type(inner);
            out = inner.simple ? extend(inner, c == 'P' ? "*" : c == 'R' ? "&" : "&&") : complex();
            if (c != 'P' && inner.simple && view(inner).ends_with("&")) // reference collapsing
                out = { inner.start, u16(inner.length - (c == 'R' && view(inner).ends_with("&&"))), true };
        } else if (consume('F') || consume("DoF")) { // 5.1.5.3 "Function types"; Do is noexcept
            consume('Y'); // extern "C"
            ok = parse_parameter_types(true);
            out = complex();
        } else if (consume('A')) { // 5.1.5.6 "Array types": A [<dimension number>] _ <element type>
            parse_number(dimension);
            ok = consume('_') && parse_type(inner);
            out = complex();
        } else if (consume('M') || consume("Dp")) { // 5.1.5.7 M <class> <member type>; pack expansion
            ok = parse_type(inner) && (c == 'D' || parse_type(member));
            out = complex();
        } else if (c == 'T') { // a template template parameter may take arguments
            ok = parse_template_param(out);
            if (ok && peek() == 'I') {
                record(out);
                ok = parse_template_args(out, out);
            }
        } else {
            ok = (c != 'U' || peek(1) == 'l' || peek(1) == 't') && parse_name(out, substitution);
        }
        if (ok && !substitution)
            record(out);
        return ok;
    }

    // 5.1.5.1 "Qualified types": <CV-qualifiers> ::= [r] [V] [K], printed after the type as c++filt
    // does ("char const*"). The unqualified type is a candidate of its own, except a function type:
    // a cv-qualified member function type is a single candidate.
    bool parse_qualified_type(Text& out)
    {
        usize qualifiers = consume('r') ? 4 : 0;
        qualifiers |= consume('V') ? 2 : 0;
        qualifiers |= consume('K') ? 1 : 0;
        Text inner;
        if (consume('F')) {
            out = complex();
            return parse_parameter_types(true);
        }
        bool ok = parse_type(inner);
        out = inner.simple ? extend(inner, cv_suffixes[qualifiers]) : complex();
        return ok;
    }

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
