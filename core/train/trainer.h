#pragma once
// Training one run: config in, result out, progress out, cancel in.

#include <atomic>
#include <string>

#include "data/dataset.h"
#include "model/model.h"
#include "train/train_config.h"

namespace qkv {

// Trains a fresh model for `run` on `data`, saving a checkpoint to `outDir` (a run folder) at
// every evaluation, so that a cancelled or diverged run leaves its last good state. `progress`
// is called on the calling thread after every step; `cancel` is polled between steps.
// Throws ConfigError/DataError/IoError for bad input; a non-finite loss is a Diverged result.
TrainResult trainRun(const RunConfig& run, const Dataset& data, const std::string& outDir,
                     const ProgressCallback& progress = {},
                     const std::atomic<bool>* cancel = nullptr);

// Validation metrics of a model on (up to `maxExamples` of) a dataset's held-out split.
EvalMetrics evaluate(const Model& model, const Dataset& data, int maxExamples);

}  // namespace qkv
