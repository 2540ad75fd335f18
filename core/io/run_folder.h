#pragma once
// A run folder: config.json (what was trained), model.safetensors (float32 weights; metadata
// names the variant), metrics.json (curve, final metrics, how training ended), and
// checkpoints/step-<8-digit step>.safetensors, the weights at earlier evaluations (same format
// and metadata). Every file is written atomically, so an interrupted save leaves the previous
// complete version. Older runs have no checkpoints/ folder: they simply have no history.

#include <string>
#include <vector>

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
// A model that was not trained here (converted): weights and config.json, no metrics.json.
void saveConvertedRun(const std::string& dir, const RunConfig& run, const Model& model);

bool isRunFolder(const std::string& dir);  // has config.json and model.safetensors
// Reads config.json and metrics.json; throws IoError/ConfigError naming the file and problem.
RunFolder readRunFolder(const std::string& dir);
// Builds the model of a run and loads its weights (checked tensor by tensor).
Model loadRunModel(const RunFolder& run);

// The checkpoint history bounds its disk use: at most this many files per run.
constexpr int kMaxCheckpointHistory = 33;

// Writes checkpoints/step-<8 digits>.safetensors (F32, the metadata of model.safetensors), then
// thins the history to kMaxCheckpointHistory files. Throws IoError.
void saveCheckpointHistory(const std::string& dir, const RunConfig& run, const Model& model,
                           int step);
// While a folder holds more than `maxFiles` history files, deletes every other intermediate one
// (the 2nd, 4th, …), always keeping the first (step 0) and the latest: the spacing doubles, the
// whole span of training stays covered. Throws IoError when a file cannot be deleted.
void thinCheckpointHistory(const std::string& dir, int maxFiles = kMaxCheckpointHistory);
// Deletes every history file: a new run trained into an old folder must not inherit its steps.
void clearCheckpointHistory(const std::string& dir);
// The steps of the history files, ascending; empty when there is no checkpoints/ folder.
std::vector<int> checkpointSteps(const std::string& runDir);
// The model at one step of the history; IoError when that file is missing or corrupt.
Model loadCheckpointModel(const RunFolder& run, int step);

}  // namespace qkv
