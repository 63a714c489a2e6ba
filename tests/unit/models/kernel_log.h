#pragma once
// What the kernel printed, in the host unit tests. printk, kprint and diag_print are defined on
// the host to keep each line here (and to echo it to stderr when CONDUIT_HOST_LOG is set), so
// tests can check the log lines a driver promises ("hda: read error at sector 1234 ...").
#include <string>
#include <vector>

namespace models {

class KernelLog {
public:
    std::vector<std::string> const& lines() const { return m_lines; }
    // True when some line contains `text`.
    bool contains(std::string const& text) const;
    // Every line, one per row, for failure messages.
    std::string dump() const;
    void clear() { m_lines.clear(); m_partial.clear(); }
    void append(char const* text);

private:
    std::vector<std::string> m_lines;
    std::string m_partial;
};

KernelLog& kernel_log();

}
