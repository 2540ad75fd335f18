#include "train/trainer.h"

#include <cmath>
#include <cstdio>

#include "common/errors.h"
#include "io/run_folder.h"
#include "model/transformer.h"
#include "train/batch_tensors.h"
#include "train/lr_schedule.h"
#include "train/training_session.h"
#include "model/model_summary.h"
#include "runtime/memory_guard.h"

namespace qkv {

namespace {
// "0.003", "9.97e+11": a rate as a person writes it, not std::to_string's "997362080719.461792".
std::string shortNumber(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", x);
    return buf;
}
void checkTrainConfig(const TrainConfig& c) {
    if (c.steps < 1) throw ConfigError("steps must be at least 1");
    if (c.batch < 1 || c.batch > 65536) throw ConfigError("batch must be between 1 and 65536");
    if (!(c.lr > 0) || !std::isfinite(c.lr)) throw ConfigError("lr must be a positive number");
    if (c.evalEvery < 1) throw ConfigError("eval-every must be at least 1");
    if (c.warmupSteps < 0) throw ConfigError("warmup must not be negative");
    if (c.evalExamples < 1) throw ConfigError("eval-examples must be at least 1");
}

// The configuration of a run that can be trained here, or ConfigError/ResourceError before
// anything large is allocated: the kernel's out-of-memory killer says nothing a user can act on.
const ModelConfig& trainableModel(const RunConfig& run) {
    checkTrainConfig(run.train);
    validate(run.model);
    requireMemory(trainingMemoryBytes(run.model, run.train.batch),
                  "training " + variantId(run.model.variant) + " (weights, gradients, optimizer "
                  "state and activations of a batch of " + std::to_string(run.train.batch) + ")");
    return run.model;
}
}  // namespace

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

TrainingSession::TrainingSession(RunConfig run, const Dataset& data, std::string outDir)
    : m_run(std::move(run)),
      m_data(data),
      m_outDir(std::move(outDir)),
      m_model(trainableModel(m_run), m_run.train.seed),
      m_step(std::make_unique<TrainStep>(m_model, m_run.train)),
      m_batchRng(m_run.task.seed ^ (m_run.train.seed * 0x9E3779B97F4A7C15ULL)),
      m_start(std::chrono::steady_clock::now()) {
    // A loadable folder from the start; the curve starts near ln V. A folder trained before
    // keeps no history of that other run.
    clearCheckpointHistory(m_outDir);
    if (!checkpoint(0)) throw ConfigError("the freshly initialised model gives a non-finite loss");
}

double TrainingSession::elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
}

bool TrainingSession::checkpoint(int step, CurvePoint* point) {
    CurvePoint p;
    p.step = step;
    p.trainLoss = m_stepsSinceEval ? m_lossSinceEval / m_stepsSinceEval : kNotApplicable;
    p.validation = evaluate(m_model, m_data, m_run.train.evalExamples);
    // A finite training loss does not make finite weights: an update can still overflow them.
    // Such a model is never saved over the last good checkpoint.
    if (!std::isfinite(p.validation.loss)) return false;
    p.learningRate = learningRateAt(m_run.train, std::max(0, step - 1));
    p.elapsedSeconds = elapsed();
    m_lossSinceEval = 0;
    m_stepsSinceEval = 0;
    m_result.curve.push_back(p);
    m_result.final = p.validation;
    m_result.checkpointStep = step;
    m_result.stepsDone = step;
    m_result.seconds = p.elapsedSeconds;
    saveRunFolder(m_outDir, m_run, m_model, m_result);
    saveCheckpointHistory(m_outDir, m_run, m_model, step);
    if (point) *point = p;
    return true;
}

void TrainingSession::stop(TrainStatus status, std::string message) {
    m_finished = true;
    m_result.status = status;
    m_result.message = std::move(message);
    m_result.seconds = elapsed();
    saveRunMetrics(m_outDir, m_result);  // the weights stay those of the last checkpoint
}

void TrainingSession::cancel() {
    if (m_finished) return;
    stop(TrainStatus::Cancelled, "cancelled at step " + std::to_string(m_result.stepsDone) +
                                     "; the run folder holds step " +
                                     std::to_string(m_result.checkpointStep));
}

TrainProgress TrainingSession::advance() {
    const TrainConfig& tc = m_run.train;
    TrainProgress pr;
    pr.runName = m_run.name;
    pr.totalSteps = tc.steps;
    pr.step = m_result.stepsDone;
    if (m_finished) return pr;
    const int step = m_result.stepsDone;
    const double loss = m_step->run(m_data.trainBatch(tc.batch, m_batchRng), step);
    if (!std::isfinite(loss)) {
        stop(TrainStatus::Diverged,
             "loss became " + std::string(std::isnan(loss) ? "NaN" : "infinite") + " at step " +
                 std::to_string(step + 1) + " (lr " + shortNumber(learningRateAt(tc, step)) +
                 "); the run folder keeps step " + std::to_string(m_result.checkpointStep));
        pr.trainLoss = loss;
        return pr;
    }
    m_lossSinceEval += loss;
    ++m_stepsSinceEval;
    m_lossSinceLog += loss;
    ++m_stepsSinceLog;
    m_result.stepsDone = step + 1;
    const int logEvery = std::max(1, tc.steps / kTrainLogPoints);
    if (m_result.stepsDone % logEvery == 0 || m_result.stepsDone == tc.steps) {
        m_result.trainLog.push_back({m_result.stepsDone, m_lossSinceLog / m_stepsSinceLog});
        m_lossSinceLog = 0;
        m_stepsSinceLog = 0;
    }
    pr.step = step + 1;
    pr.trainLoss = loss;
    if (pr.step % tc.evalEvery == 0 || pr.step == tc.steps) {
        if (!checkpoint(pr.step, &pr.point)) {
            stop(TrainStatus::Diverged,
                 "the validation loss became non-finite at step " + std::to_string(pr.step) +
                     " (lr " + shortNumber(learningRateAt(tc, step)) +
                     "); the run folder keeps step " + std::to_string(m_result.checkpointStep));
            return pr;
        }
        pr.evaluated = true;
    }
    if (pr.step == tc.steps) m_finished = true;
    m_result.seconds = elapsed();
    pr.elapsedSeconds = m_result.seconds;
    pr.etaSeconds = pr.elapsedSeconds / pr.step * (tc.steps - pr.step);
    return pr;
}

TrainResult trainRun(const RunConfig& run, const Dataset& data, const std::string& outDir,
                     const ProgressCallback& progress, const std::atomic<bool>* cancel) {
    TrainingSession session(run, data, outDir);
    while (!session.finished()) {
        if (cancel && cancel->load()) {
            session.cancel();
            break;
        }
        const TrainProgress p = session.advance();
        if (progress) progress(p);
    }
    return session.result();
}

}  // namespace qkv
