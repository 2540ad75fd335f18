#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <random>

#include "common/errors.h"
#include "io/run_folder.h"
#include "model/transformer.h"
#include "train/train_step.h"
#include "train/batch_tensors.h"
#include "train/lr_schedule.h"

namespace qkv {

namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void checkTrainConfig(const TrainConfig& c) {
    if (c.steps < 1) throw ConfigError("steps must be at least 1");
    if (c.batch < 1 || c.batch > 65536) throw ConfigError("batch must be between 1 and 65536");
    if (!(c.lr > 0) || !std::isfinite(c.lr)) throw ConfigError("lr must be a positive number");
    if (c.evalEvery < 1) throw ConfigError("eval-every must be at least 1");
    if (c.warmupSteps < 0) throw ConfigError("warmup must not be negative");
}
}  // namespace

std::string statusId(TrainStatus s) {
    switch (s) {
        case TrainStatus::Completed: return "completed";
        case TrainStatus::Cancelled: return "cancelled";
        case TrainStatus::Diverged: return "diverged";
    }
    return "completed";
}

EvalMetrics evaluate(const Model& model, const Dataset& data, int maxExamples) {
    torch::NoGradGuard noGrad;
    auto& net = *model.module();
    const ModelConfig& c = model.config();
    const int n = std::min(maxExamples, data.validationCount());
    if (n <= 0) throw DataError("the dataset has no validation examples");
    double lossSum = 0;
    int64_t correct = 0, counted = 0;
    constexpr int kChunk = 64;
    for (int first = 0; first < n; first += kChunk) {
        const int count = std::min(kChunk, n - first);
        BatchTensors b = toTensors(data.validationBatch(first, count), c);
        auto logits = net.forward(b.input);
        const int64_t items = b.targets.numel();
        lossSum += taskLoss(logits, b.targets).item<double>() * double(items);
        correct += correctPredictions(logits, b.targets);
        counted += items;
    }
    EvalMetrics m;
    m.loss = lossSum / double(counted);
    m.accuracy = double(correct) / double(counted);
    if (c.arch == Architecture::Decoder) m.perplexity = std::exp(m.loss);
    return m;
}

TrainResult trainRun(const RunConfig& run, const Dataset& data, const std::string& outDir,
                     const ProgressCallback& progress, const std::atomic<bool>* cancel) {
    const TrainConfig& tc = run.train;
    checkTrainConfig(tc);
    Model model(run.model, tc.seed);
    TrainStep trainStep(model, tc);
    std::mt19937_64 batchRng(run.task.seed);  // the same stream for every variant of a task

    TrainResult result;
    const auto t0 = Clock::now();
    double lossSinceEval = 0;
    int stepsSinceEval = 0;
    auto checkpoint = [&](int step) {
        CurvePoint p;
        p.step = step;
        p.trainLoss = stepsSinceEval ? lossSinceEval / stepsSinceEval : kNotApplicable;
        p.validation = evaluate(model, data, tc.evalExamples);
        p.learningRate = learningRateAt(tc, std::max(0, step - 1));
        p.elapsedSeconds = secondsSince(t0);
        lossSinceEval = 0;
        stepsSinceEval = 0;
        result.curve.push_back(p);
        result.final = p.validation;
        result.checkpointStep = step;
        result.stepsDone = step;
        result.seconds = p.elapsedSeconds;
        saveRunFolder(outDir, run, model, result);
        return p;
    };

    checkpoint(0);  // the folder is a loadable run from the start, and the curve starts at ln V
    for (int step = 0; step < tc.steps; ++step) {
        if (cancel && cancel->load()) {
            result.status = TrainStatus::Cancelled;
            result.message = "cancelled at step " + std::to_string(step) + "; the run folder holds step " +
                             std::to_string(result.checkpointStep);
            break;
        }
        const double lossValue = trainStep.run(data.trainBatch(tc.batch, batchRng), step);
        if (!std::isfinite(lossValue)) {
            result.status = TrainStatus::Diverged;
            result.message = "loss became " + std::string(std::isnan(lossValue) ? "NaN" : "infinite") +
                             " at step " + std::to_string(step + 1) + " (lr " +
                             std::to_string(learningRateAt(tc, step)) + "); the run folder keeps step " +
                             std::to_string(result.checkpointStep);
            break;
        }
        lossSinceEval += lossValue;
        ++stepsSinceEval;

        TrainProgress pr;
        pr.runName = run.name;
        pr.step = step + 1;
        pr.totalSteps = tc.steps;
        pr.trainLoss = lossValue;
        if ((step + 1) % tc.evalEvery == 0 || step + 1 == tc.steps) {
            pr.point = checkpoint(step + 1);
            pr.evaluated = true;
        }
        result.stepsDone = step + 1;
        pr.elapsedSeconds = secondsSince(t0);
        pr.etaSeconds = pr.elapsedSeconds / pr.step * (tc.steps - pr.step);
        if (progress) progress(pr);
    }
    result.seconds = secondsSince(t0);
    // The folder keeps the last good checkpoint; only the record of why training stopped changes.
    if (result.status != TrainStatus::Completed) saveRunMetrics(outDir, result);
    return result;
}

}  // namespace qkv
