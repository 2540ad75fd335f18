#include "text_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>

namespace qkvapp {

namespace {
bool looksNumeric(const std::string& s) {
    return !s.empty() && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' ||
                          s[0] == '+' || s == "n/a");
}
}  // namespace

void TextTable::print(std::ostream& out) const {
    std::vector<size_t> width(m_header.size(), 0);
    for (size_t c = 0; c < m_header.size(); ++c) width[c] = m_header[c].size();
    for (const auto& row : m_rows)
        for (size_t c = 0; c < row.size() && c < width.size(); ++c)
            width[c] = std::max(width[c], row[c].size());
    auto line = [&](const std::vector<std::string>& cells, bool header) {
        for (size_t c = 0; c < width.size(); ++c) {
            const std::string cell = c < cells.size() ? cells[c] : "";
            const bool right = !header && c > 0 && looksNumeric(cell);
            out << (c ? "  " : "") << (right ? std::right : std::left) << std::setw(int(width[c]))
                << cell;
        }
        out << std::left << '\n';
    };
    line(m_header, true);
    size_t total = 0;
    for (size_t w : width) total += w;
    out << std::string(total + 2 * (width.size() - 1), '-') << '\n';
    for (const auto& row : m_rows) line(row, false);
}

std::string fixed(double v, int decimals) {
    if (std::isnan(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string percent(double fraction, int decimals) {
    return std::isnan(fraction) ? "n/a" : fixed(100.0 * fraction, decimals) + "%";
}

std::string signedPercent(double fraction) {
    if (std::isnan(fraction)) return "n/a";
    return (fraction >= 0 ? "+" : "") + fixed(100.0 * fraction, 1) + "%";
}

std::string humanCount(double v) {
    const char* units[] = {"", "K", "M", "G", "T"};
    int u = 0;
    while (std::abs(v) >= 1000 && u < 4) {
        v /= 1000;
        ++u;
    }
    return u == 0 ? fixed(v, 0) : fixed(v, v < 10 ? 2 : 1) + units[u];
}

std::string withThousands(int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return (v < 0 ? "-" : "") + out;
}

std::string humanBytes(double bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        ++u;
    }
    return u == 0 ? fixed(bytes, 0) + " B" : fixed(bytes, bytes < 10 ? 2 : 1) + " " + units[u];
}

}  // namespace qkvapp
