// Kernel command line parsing (syntax in <kernel/cmdline.h>).
//
// Entries are only ever appended; a lookup searches from the newest entry, so a later key wins
// without rewriting anything. Each change is validated in a dry run before it is stored,
// which makes parse() and extend() all-or-nothing without a scratch copy on the stack.
#include <kernel/cmdline.h>
#include <kstd/enforce.h>

namespace {

// Cuts the next word off `rest`: leading blanks are skipped, blanks inside quotes belong to
// the word. Returns nothing at the end of the text.
ErrorOr<Optional<StringView>> next_raw_word(StringView& rest)
{
    usize start = 0;
    while (start < rest.length() && kstd::is_space(rest[start]))
        ++start;
    if (start == rest.length())
        return Optional<StringView>();

    bool quoted = false;
    usize end = start;
    for (; end < rest.length(); ++end) {
        char c = rest[end];
        if (c == '"')
            quoted = !quoted;
        else if (!quoted && kstd::is_space(c))
            break;
    }
    if (quoted)
        return Error::from_errno(EINVAL);
    StringView word = rest.substring(start, end - start);
    rest = rest.substring(end);
    return Optional<StringView>(word);
}

usize unquoted_length(StringView raw)
{
    usize quotes = 0;
    for (char c : raw)
        quotes += c == '"';
    return raw.length() - quotes;
}

bool is_true_word(StringView v)
{
    return v == "1" || v.equals_ignoring_case("yes") || v.equals_ignoring_case("on")
        || v.equals_ignoring_case("true");
}

bool is_false_word(StringView v)
{
    return v == "0" || v.equals_ignoring_case("no") || v.equals_ignoring_case("off")
        || v.equals_ignoring_case("false");
}

}

ErrorOr<void> CommandLine::parse(StringView text)
{
    TRY(add_words(text, 0, 0, false));
    clear();
    return add_words(text, 0, 0, true);
}

ErrorOr<void> CommandLine::extend(StringView text)
{
    TRY(add_words(text, m_text_used, m_entry_count, false));
    return add_words(text, m_text_used, m_entry_count, true);
}

void CommandLine::clear()
{
    m_text_used = 0;
    m_entry_count = 0;
}

// Walks the words of `text` as if appending them after `text_used` bytes and `entry_count`
// entries. With commit=false it only checks that they are well-formed and fit; with
// commit=true it stores them (and, having been checked, cannot fail).
ErrorOr<void> CommandLine::add_words(StringView text, usize text_used, usize entry_count, bool commit)
{
    StringView rest = text;
    for (;;) {
        auto word = TRY(next_raw_word(rest));
        if (!word.has_value())
            break;
        auto equals = word->find('=');
        StringView key = word->substring(0, equals.value_or(word->length()));
        StringView value = equals.has_value() ? word->substring(*equals + 1) : StringView();

        usize bytes = unquoted_length(key) + unquoted_length(value);
        if (unquoted_length(key) == 0)
            return Error::from_errno(EINVAL);
        if (entry_count == max_entries || bytes > max_text - text_used)
            return Error::from_errno(E2BIG);
        if (commit) {
            Entry& entry = m_entries[entry_count];
            entry.key = store_unquoted(key, text_used);
            entry.value = store_unquoted(value, text_used);
            entry.has_value = equals.has_value();
        } else {
            text_used += bytes;
        }
        ++entry_count;
    }
    if (commit) {
        m_text_used = text_used;
        m_entry_count = entry_count;
    }
    return {};
}

// Copies `raw` without its quote characters to m_text[text_used...] and advances text_used.
StringView CommandLine::store_unquoted(StringView raw, usize& text_used)
{
    char const* start = m_text + text_used;
    usize length = 0;
    for (char c : raw) {
        if (c != '"')
            m_text[text_used + length++] = c;
    }
    text_used += length;
    return { start, length };
}

CommandLine::Entry const* CommandLine::find(StringView key) const
{
    for (usize i = m_entry_count; i-- > 0;) {
        if (m_entries[i].key == key)
            return &m_entries[i];
    }
    return nullptr;
}

// The first index >= `index` whose key is not given again later (m_entry_count if none).
usize CommandLine::skip_overridden(usize index) const
{
    for (; index < m_entry_count; ++index) {
        if (find(m_entries[index].key) == &m_entries[index])
            return index;
    }
    return m_entry_count;
}

Optional<StringView> CommandLine::get(StringView key) const
{
    Entry const* entry = find(key);
    if (!entry)
        return kstd::nullopt;
    return entry->value;
}

u64 CommandLine::get_u64(StringView key, u64 fallback) const
{
    Entry const* entry = find(key);
    if (!entry || !entry->has_value)
        return fallback;
    auto number = kstd::parse_u64(entry->value);
    return number.is_error() ? fallback : number.value();
}

bool CommandLine::get_bool(StringView key, bool fallback) const
{
    Entry const* entry = find(key);
    if (!entry)
        return fallback;
    if (!entry->has_value || is_true_word(entry->value))
        return true;
    if (is_false_word(entry->value))
        return false;
    return fallback;
}

usize CommandLine::size() const
{
    usize count = 0;
    for (auto it = begin(); it != end(); ++it)
        ++count;
    return count;
}
