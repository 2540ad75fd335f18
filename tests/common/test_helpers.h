#pragma once
// Shared helpers for the Qt Test suites: temporary folders and fuzzy comparisons.

#include <QString>
#include <QTemporaryDir>

#include <string>

#include <vector>

#include "attention/variant.h"
#include "train/train_config.h"

namespace qkvtest {

// Largest absolute difference; +inf when the sizes differ.
double maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b);

// Writes bytes to `dir/name` and returns the path.
std::string writeBytes(const QTemporaryDir& dir, const QString& name, const std::string& bytes);

// A tiny run on the copy task (d 16, 2 heads, 2 layers, T 8), named by its variant's id.
qkv::RunConfig tinyRunConfig(qkv::Variant variant, int steps = 4, int evalEvery = 2);

// Trains tinyRunConfig(variant, steps, evalEvery) into dir/<variant id> and
// returns the folder: a real run folder in well under a second, for tests that need one.
std::string trainTinyRun(const QTemporaryDir& dir, qkv::Variant variant, int steps = 4,
                         int evalEvery = 2);

// gzip-compresses bytes (zlib's gzip wrapper), for loaders that accept .gz files.
std::string gzip(const std::string& bytes);

}  // namespace qkvtest
