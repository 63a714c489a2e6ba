// The type grammar of the demangler: 5.1.5 "Type encodings" and 5.1.6 template arguments and
// literals of the Itanium C++ ABI. Types are parsed to keep the substitution table in step
// even where they are not printed (see demangle.cpp).
#include "demangle_parser.h"
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace demangle_detail {

// 5.1.5.8 "Template parameters": <template-param> ::= T_ | T <number> _. What they stand for
// is not tracked, so they read "...".
bool Demangler::parse_template_param(Text& out)
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
bool Demangler::parse_template_args(Text name, Text& out)
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
bool Demangler::parse_template_arg_list(Text& out)
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
bool Demangler::parse_literal(Text& out)
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
bool Demangler::parse_type(Text& out)
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
bool Demangler::parse_qualified_type(Text& out)
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

}
