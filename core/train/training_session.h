#pragma once
// A run being trained, one step at a time, so a caller can interleave several runs (the window
// advances every variant in turn, and all curves grow together) or run one to the end.

#include <chrono>
#include <memory>
#include <random>
#include <string>

#include "data/dataset.h"
#include "model/model.h"
#include "train/train_config.h"
#include "train/train_step.h"

namespace qkv {

class TrainingSession {
public:
    // Builds the model and writes the step-0 checkpoint, so the folder is a loadable run from
    // the start; history files of an earlier run in the same folder are deleted first. `data` must outlive the session. Throws ConfigError/DataError/IoError.
    TrainingSession(RunConfig run, const Dataset& data, std::string outDir);

    bool finished() const { return m_finished; }
    // One optimizer step; evaluates and checkpoints when due. A non-finite loss ends the run as
    // Diverged, keeping the last checkpoint.
    TrainProgress advance();
    // Ends an unfinished run as Cancelled; the folder keeps its last checkpoint.
    void cancel();

    const RunConfig& run() const { return m_run; }
    const TrainResult& result() const { return m_result; }
    const std::string& folder() const { return m_outDir; }

private:
    // Evaluates and saves the run folder and its history file checkpoints/step-N.safetensors;
    // false (nothing saved) when the validation loss is not finite.
    bool checkpoint(int step, CurvePoint* point = nullptr);
    void stop(TrainStatus status, std::string message);
    double elapsed() const;

    RunConfig m_run;
    const Dataset& m_data;
    std::string m_outDir;
    Model m_model;
    std::unique_ptr<TrainStep> m_step;
    // Seeded by the task and the run's seed: every variant of one seed sees the same batches,
    // and another seed another order of the same data.
    std::mt19937_64 m_batchRng;
    TrainResult m_result;
    std::chrono::steady_clock::time_point m_start;
    double m_lossSinceEval = 0;
    int m_stepsSinceEval = 0;
    double m_lossSinceLog = 0;
    int m_stepsSinceLog = 0;
    bool m_finished = false;
};

}  // namespace qkv
