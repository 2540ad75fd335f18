#pragma once
// A small strict command-line parser: --name value, --name=value and --flag; anything unknown is
// an error naming the option.

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace qkvapp {

// Bad command-line input: the CLI prints it as one line and exits with code 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A number as a person writes it: "0", "0.5", "1e-08".
std::string numberText(double v);

class CliOptions {
public:
    // `valued` options take a value, `flags` do not; other words are positional arguments.
    CliOptions(const std::vector<std::string>& args, const std::set<std::string>& valued,
               const std::set<std::string>& flags);

    bool has(const std::string& name) const { return m_values.count(name) > 0; }
    bool flag(const std::string& name) const { return m_flags.count(name) > 0; }
    std::string text(const std::string& name, const std::string& fallback = {}) const;
    int integer(const std::string& name, int fallback, int min, int max) const;
    double number(const std::string& name, double fallback, double minExclusive) const;
    std::vector<std::string> list(const std::string& name) const;  // comma-separated
    const std::vector<std::string>& positional() const { return m_positional; }

private:
    std::map<std::string, std::string> m_values;
    std::set<std::string> m_flags;
    std::vector<std::string> m_positional;
};

}  // namespace qkvapp
