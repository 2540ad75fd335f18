#pragma once
// Shared helpers for the Qt Test suites: temporary folders and fuzzy comparisons.

#include <QJsonObject>
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

// The folder tests/fixtures/make_pretrained_fixtures.py wrote (CTest's fixtures.pretrained runs
// it first): tiny GPT-2, Llama and llama2.c models written by an independent Python writer, with
// reference.json. Fails the calling test (it does not skip) when the folder is missing.
QString pretrainedFixtures();
// ../shared/models from the source tree: real trained models; fails the test when missing.
QString sharedModels();
// A JSON file as an object (QFAIL-style: throws std::runtime_error when unreadable).
QJsonObject readJsonObject(const QString& path);
// tests/data/tiny-table.json (a published table of one task, two set-ups and a quick scale of a
// few steps) copied into `dir` as tiny.json; returns its path.
QString tinyPublishedTable(const QTemporaryDir& dir);
// Copies a folder (files only, one level), for tests that damage a copy.
void copyFolder(const QString& from, const QString& to);

}  // namespace qkvtest
