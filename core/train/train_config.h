#pragma once
// Training settings, the run description, and what training reports.

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "data/task_config.h"
#include "model/model_config.h"

namespace qkv {

struct TrainConfig {
    int steps = 300;            // optimizer steps
    int batch = 32;             // sequences or images per step
    double lr = 3e-3;           // peak learning rate
    double minLrFraction = 0.1; // cosine floor, as a share of lr
    int warmupSteps = 20;       // linear warm-up from 0
    double weightDecay = 0.01;  // AdamW, on matrices only (unless decayAll)
    bool decayAll = false;      // decay every parameter (the paper's recipe), not only matrices
    double beta1 = 0.9, beta2 = 0.99;
    double gradClip = 1.0;      // max global gradient norm; 0 disables clipping
    int evalEvery = 50;         // steps between evaluations (and checkpoints)
    int evalExamples = 256;     // validation examples per evaluation (capped by the data)
    uint64_t seed = 1;          // model initialisation and batch order
};

// Where a model came from when QKV Lab did not train it (a run folder `qkvlab convert` wrote).
struct ModelOrigin {
    std::string format;  // "huggingface", "llama2c"; empty for a run trained here
    std::string path;    // the folder or file it was read from
    std::string dtype;   // as stored there: "F32", "BF16", ...
    bool empty() const { return format.empty(); }
};

// One run: a variant of a model, on a task, trained with settings. Its folder is named `name`.
struct RunConfig {
    std::string name;
    ModelConfig model;
    TaskConfig task;
    TrainConfig train;
    ModelOrigin origin;
};

constexpr double kNotApplicable = std::numeric_limits<double>::quiet_NaN();

struct EvalMetrics {
    double loss = kNotApplicable;
    double accuracy = kNotApplicable;    // token accuracy (sequences) or image accuracy
    double perplexity = kNotApplicable;  // language models only
};

struct CurvePoint {
    int step = 0;
    double trainLoss = kNotApplicable;  // mean over the steps since the previous point
    EvalMetrics validation;
    double learningRate = 0;
    double elapsedSeconds = 0;
};

struct TrainProgress {
    std::string runName;
    int step = 0, totalSteps = 0;
    double trainLoss = kNotApplicable;  // this step's loss
    bool evaluated = false;             // `point` holds a fresh evaluation
    CurvePoint point;
    double elapsedSeconds = 0, etaSeconds = 0;
};

enum class TrainStatus { Completed, Cancelled, Diverged };

// Mean training loss over a window of steps, logged more often than evaluations so that live
// curves move smoothly; at most ~kTrainLogPoints windows per run.
struct TrainLogPoint {
    int step = 0;       // the window's last step
    double loss = 0;
};
constexpr int kTrainLogPoints = 500;

struct TrainResult {
    TrainStatus status = TrainStatus::Completed;
    std::string message;              // why it stopped, for anything but Completed
    std::vector<CurvePoint> curve;
    std::vector<TrainLogPoint> trainLog;
    EvalMetrics final;                // the last evaluation of the saved checkpoint
    int stepsDone = 0;
    int checkpointStep = 0;           // the step the run folder holds
    double seconds = 0;
};

using ProgressCallback = std::function<void(const TrainProgress&)>;

std::string statusId(TrainStatus s);  // "completed", "cancelled", "diverged"

}  // namespace qkv
