#pragma once
// A run folder: config.json (what was trained), model.safetensors (float32 weights; metadata
// names the variant), metrics.json (curve, final metrics, how training ended). Every file is
// written atomically, so an interrupted save leaves the previous complete version.

#include <string>

#include "model/model.h"
#include "train/train_config.h"

namespace qkv {

struct RunFolder {
    std::string path;
    RunConfig config;
    TrainResult result;  // curve and status; empty when metrics.json is absent
};

void saveRunFolder(const std::string& dir, const RunConfig& run, const Model& model,
                   const TrainResult& result);
void saveRunMetrics(const std::string& dir, const TrainResult& result);

bool isRunFolder(const std::string& dir);  // has config.json and model.safetensors
// Reads config.json and metrics.json; throws IoError/ConfigError naming the file and problem.
RunFolder readRunFolder(const std::string& dir);
// Builds the model of a run and loads its weights (checked tensor by tensor).
Model loadRunModel(const RunFolder& run);

}  // namespace qkv
