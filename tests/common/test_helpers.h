#pragma once
// Shared helpers for the Qt Test suites: temporary folders and fuzzy comparisons.

#include <QString>
#include <QTemporaryDir>

#include <string>
#include <vector>

namespace qkvtest {

// Largest absolute difference; +inf when the sizes differ.
double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b);

// Writes bytes to `dir/name` and returns the path.
std::string writeBytes(const QTemporaryDir& dir, const QString& name, const std::string& bytes);

// gzip-compresses bytes (zlib's gzip wrapper), for loaders that accept .gz files.
std::string gzip(const std::string& bytes);

}  // namespace qkvtest
