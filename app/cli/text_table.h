#pragma once
// Plain-text tables for the CLI: columns padded to their widest cell, numbers right-aligned.

#include <ostream>
#include <cstdint>
#include <string>
#include <vector>

namespace qkvapp {

class TextTable {
public:
    explicit TextTable(std::vector<std::string> header) : m_header(std::move(header)) {}
    void addRow(std::vector<std::string> row) { m_rows.push_back(std::move(row)); }
    void print(std::ostream& out) const;

private:
    std::vector<std::string> m_header;
    std::vector<std::vector<std::string>> m_rows;
};

std::string fixed(double v, int decimals);       // "n/a" for NaN
std::string percent(double fraction, int decimals);
std::string signedPercent(double fraction);       // "+3.1%", "-0.4%", "n/a"
std::string humanCount(double v);                // 1.2K, 3.4M, 5.6G
std::string withThousands(int64_t v);            // 305,534,976
std::string humanBytes(double bytes);            // 512 B, 1.5 KiB, 2.0 MiB, 3.1 GiB

}  // namespace qkvapp
