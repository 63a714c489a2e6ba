// Text helpers (user/lib/include/conduit/text.h).
#include <conduit/text.h>
#include <kstd/enforce.h>

int strcmp(char const* a, char const* b)
{
    while (*a && *a == *b) {
        ++a;
        ++b;
    }
    return int(u8(*a)) - int(u8(*b));
}

bool parse_size(char const* text, u64* out)
{
    StringView view(text);
    u64 scale = 1;
    if (!view.is_empty()) {
        char last = view[view.length() - 1];
        if (last == 'k' || last == 'K')
            scale = 1024;
        else if (last == 'm' || last == 'M')
            scale = 1024 * 1024;
        if (scale != 1)
            view = view.substring(0, view.length() - 1);
    }
    auto value = kstd::parse_u64(view);
    if (value.is_error() || value.value() > ~u64(0) / scale)
        return false;
    *out = value.value() * scale;
    return true;
}

usize split_words(char* line, char** words, usize max)
{
    usize count = 0;
    char* p = line;
    while (*p && count < max) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        words[count++] = p;
        while (*p && *p != ' ' && *p != '\t')
            ++p;
    }
    return count;
}
