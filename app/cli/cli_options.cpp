#include "cli_options.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <vector>
#include <algorithm>

namespace qkvapp {

namespace {
size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t next = std::min({row[j] + 1, row[j - 1] + 1,
                                          diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = row[j];
            row[j] = next;
        }
    }
    return row[b.size()];
}

// " (did you mean --steps?)" for a near miss, else a pointer to --help.
std::string suggestion(const std::string& name, const std::set<std::string>& a,
                       const std::set<std::string>& b) {
    std::string best;
    size_t bestDistance = 3;  // at most two edits away
    for (const auto* names : {&a, &b})
        for (const std::string& candidate : *names) {
            const size_t d = editDistance(name, candidate);
            if (d < bestDistance || (d == bestDistance && candidate < best))
                bestDistance = d, best = candidate;
        }
    return best.empty() ? " (see --help)" : " (did you mean --" + best + "?)";
}
}  // namespace

std::string numberText(double v) {
    std::ostringstream s;
    s << v;  // 0, 0.5, 1e-08: as written, without printf's six fixed decimals
    return s.str();
}

CliOptions::CliOptions(const std::vector<std::string>& args, const std::set<std::string>& valued,
                       const std::set<std::string>& flags) {
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0 || a == "--") {
            m_positional.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        const auto eq = name.find('=');
        const bool inlineValue = eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        if (flags.count(name)) {
            if (inlineValue) throw UsageError("option --" + name + " takes no value");
            m_flags.insert(name);
        } else if (valued.count(name)) {
            if (!inlineValue) {
                if (i + 1 >= args.size()) throw UsageError("option --" + name + " needs a value");
                value = args[++i];
            }
            if (m_values.count(name)) throw UsageError("option --" + name + " is given twice");
            m_values[name] = value;
        } else {
            throw UsageError("unknown option --" + name + suggestion(name, valued, flags));
        }
    }
}

std::string CliOptions::text(const std::string& name, const std::string& fallback) const {
    auto it = m_values.find(name);
    return it == m_values.end() ? fallback : it->second;
}

int CliOptions::integer(const std::string& name, int fallback, int min, int max) const {
    auto it = m_values.find(name);
    if (it == m_values.end()) return fallback;
    errno = 0;
    char* end = nullptr;
    const long v = std::strtol(it->second.c_str(), &end, 10);
    if (it->second.empty() || *end != '\0' || errno == ERANGE)
        throw UsageError("--" + name + " expects a whole number, got '" + it->second + "'");
    if (v < min || v > max)
        throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " +
                         std::to_string(max) + ", got " + it->second);
    return int(v);
}

double CliOptions::number(const std::string& name, double fallback, double minExclusive) const {
    auto it = m_values.find(name);
    if (it == m_values.end()) return fallback;
    char* end = nullptr;
    const double v = std::strtod(it->second.c_str(), &end);
    if (it->second.empty() || *end != '\0' || !std::isfinite(v))
        throw UsageError("--" + name + " expects a number, got '" + it->second + "'");
    if (!(v > minExclusive))
        throw UsageError("--" + name + " must be greater than " + numberText(minExclusive) +
                         ", got " + it->second);
    return v;
}

std::vector<std::string> CliOptions::list(const std::string& name) const {
    std::vector<std::string> items;
    std::string current;
    for (char c : text(name) + ",") {
        if (c != ',') {
            current += c;
        } else if (!current.empty()) {
            items.push_back(current);
            current.clear();
        }
    }
    return items;
}

}  // namespace qkvapp
