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
};

// {"name", "description", "variants": [ids], "model": {...}, "task": {...}, "train": {...}};
// absent fields keep their defaults. Throws ConfigError naming the field.
Experiment experimentFromJson(const QJsonObject& o, const std::string& where);
QJsonObject toJson(const Experiment& e);
// A JSON file, or a Qt resource path such as ":/presets/demo.json".
Experiment loadExperiment(const std::string& path);

// One RunConfig per variant, named by its id; the data decide arch, vocab and context.
// Throws ConfigError when a variant cannot be built with these settings (naming the rule).
std::vector<RunConfig> expandRuns(const Experiment& e, const Dataset& data);

// Settings that fit: every variant validates; the first error otherwise ("" when all fit).
std::string checkExperiment(const Experiment& e);

}  // namespace qkv
