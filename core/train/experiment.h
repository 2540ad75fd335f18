#pragma once
// An experiment: the same model, task and training settings for several variants. Presets are
// experiments stored as JSON (resources/presets).

#include <QJsonObject>

#include <string>
#include <vector>

#include "data/dataset.h"
#include "train/train_config.h"

namespace qkv {

struct Experiment {
    std::string name;
    std::string description;
    std::vector<Variant> variants;
    RunConfig base;  // base.model.variant is replaced by each variant in turn
    // Training seeds (initialisation and batch order; the data set stays the task's). Empty or
    // one seed: one run per variant, named by its id; several: one per variant and seed, named
    // "<variant>-seed<N>", the variants of one seed seeing the same batches in the same order.
    std::vector<uint64_t> seeds;
};

// "qkv", or "qkv-seed3" when the experiment has several seeds.
std::string runName(Variant v, uint64_t seed, bool severalSeeds);

// {"name", "description", "variants": [ids], "model": {...}, "task": {...}, "train": {...}};
// absent fields keep their defaults. Throws ConfigError naming the field.
Experiment experimentFromJson(const QJsonObject& o, const std::string& where);
QJsonObject toJson(const Experiment& e);
// A JSON file, or a Qt resource path such as ":/presets/demo.json".
Experiment loadExperiment(const std::string& path);

// One RunConfig per variant (and seed), named by runName; the data decide arch, vocab and
// context. Throws ConfigError when a variant cannot be built with these settings.
std::vector<RunConfig> expandRuns(const Experiment& e, const Dataset& data);

// Settings that fit: every variant validates; the first error otherwise ("" when all fit).
std::string checkExperiment(const Experiment& e);

}  // namespace qkv
