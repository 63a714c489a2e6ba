#pragma once
// The kernel command line: words separated by spaces or tabs (CR and LF count as blanks too,
// so a file from fw_cfg may end in a newline). A word is either `key=value` or a bare flag
// (`quiet`). Double quotes group text containing blanks and are removed: `reason="a b"` and
// `"reason=a b"` both give reason -> `a b`. As in Linux, the first '=' splits key from value
// (so a value may contain '='); there are no backslash escapes.
//
// GRUB supplies the first line; the harness may add a second through the fw_cfg file
// opt/conduit/cmdline, which the kernel passes to extend(): a later key overrides an earlier
// one. Pure data, no globals: the kernel holds one instance.
// Context: thread (it is parsed once at boot and read-only afterwards). Locking: none.
#include <kstd/error.h>
#include <kstd/optional.h>
#include <kstd/string.h>
#include <kstd/types.h>

class CommandLine {
public:
    static constexpr usize max_text = 1024; // bytes of keys + values (quotes and '=' not stored)
    static constexpr usize max_entries = 48;

    struct Entry {
        StringView key;
        StringView value; // "" for a bare flag
        bool has_value;   // false for a bare flag, true for `key=` and `key=value`
    };

    CommandLine() = default;
    // Entries point into m_text, so a copy would point into the original.
    CommandLine(CommandLine const&) = delete;
    CommandLine& operator=(CommandLine const&) = delete;

    // Replaces the contents with `text`. Extends the current contents with `text`, where a
    // key given again overrides the earlier value. Both are all-or-nothing: on error nothing
    // changes. Errors: E2BIG (more than max_text bytes or max_entries words in total),
    // EINVAL (unterminated quote, or an empty key as in `=x`).
    ErrorOr<void> parse(StringView text);
    ErrorOr<void> extend(StringView text);
    void clear();

    // The value of `key`: "" for a bare flag, nothing if absent.
    Optional<StringView> get(StringView key) const;
    bool has(StringView key) const { return find(key) != nullptr; }
    // `fallback` when absent, a bare flag, or not a number (parse_u64 rules: 0x.., 0b.., decimal).
    u64 get_u64(StringView key, u64 fallback) const;
    // 1/yes/on/true and 0/no/off/false (any case); a bare flag is true; anything else (or an
    // absent key) gives `fallback`.
    bool get_bool(StringView key, bool fallback) const;

    // Effective entries: an overridden entry is skipped, so each key appears once, at the
    // position of its last occurrence.
    usize size() const;
    bool is_empty() const { return m_entry_count == 0; }

    class Iterator {
    public:
        Iterator(CommandLine const& line, usize index)
            : m_line(&line)
            , m_index(line.skip_overridden(index))
        {
        }
        Entry const& operator*() const { return m_line->m_entries[m_index]; }
        Entry const* operator->() const { return &m_line->m_entries[m_index]; }
        Iterator& operator++()
        {
            m_index = m_line->skip_overridden(m_index + 1);
            return *this;
        }
        bool operator==(Iterator const& other) const { return m_index == other.m_index; }

    private:
        CommandLine const* m_line;
        usize m_index;
    };

    Iterator begin() const { return Iterator(*this, 0); }
    Iterator end() const { return Iterator(*this, m_entry_count); }

    // Calls callback(Entry const&) for each effective entry, in order.
    template<typename Callback>
    void for_each(Callback&& callback) const
    {
        for (auto const& entry : *this)
            callback(entry);
    }

private:
    ErrorOr<void> add_words(StringView text, usize text_used, usize entry_count, bool commit);
    StringView store_unquoted(StringView raw, usize& text_used);
    Entry const* find(StringView key) const;
    usize skip_overridden(usize index) const;

    char m_text[max_text] {};
    usize m_text_used { 0 };
    Entry m_entries[max_entries] {};
    usize m_entry_count { 0 };
};
