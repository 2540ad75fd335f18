#include "cases.h"

#include <QString>

#include <random>

#include "data/dataset.h"
#include "data/task_config.h"
#include "stats.h"

namespace trainbench {

const std::vector<Shape>& allShapes() {
    static const std::vector<Shape> shapes = {
        // resources/presets/demo.json: the "follow" task, encoder, vocabulary 10, T 16.
        {"demo", qkv::Architecture::Encoder, 64, 2, 4, 10, 16, 32, 1.3},
        // A char-LM shape: decoder, 96 symbols.
        {"large", qkv::Architecture::Decoder, 128, 4, 4, 96, 128, 32, 1.0},
    };
    return shapes;
}

qkv::ModelConfig modelConfig(const Shape& s, qkv::Variant v) {
    qkv::ModelConfig c;
    c.arch = s.arch;
    c.variant = v;
    c.dModel = s.d;
    c.layers = s.layers;
    c.heads = s.heads;
    c.vocab = s.vocab;
    c.context = s.T;
    return c;
}

qkv::TrainConfig trainConfig(const Shape& s) {
    qkv::TrainConfig c;  // AdamW (0.9, 0.99), decay 0.01 on matrices, clip 1.0, warm-up 20
    c.batch = s.batch;
    c.lr = 3e-3;
    c.steps = 1000000;  // the schedule stays in its warm-up / early cosine, as in a real run
    return c;
}

QJsonObject trainJson(const qkv::TrainConfig& c) {
    QJsonObject o;
    o["lr"] = c.lr;
    o["min_lr_fraction"] = c.minLrFraction;
    o["warmup"] = c.warmupSteps;
    o["steps"] = c.steps;
    o["weight_decay"] = c.weightDecay;
    o["beta1"] = c.beta1;
    o["beta2"] = c.beta2;
    o["clip"] = c.gradClip;
    return o;
}

QJsonObject shapeJson(const Shape& s) {
    QJsonObject o;
    o["name"] = QString::fromStdString(s.name);
    o["arch"] = s.arch == qkv::Architecture::Decoder ? "decoder" : "encoder";
    o["d"] = s.d;
    o["layers"] = s.layers;
    o["heads"] = s.heads;
    o["vocab"] = s.vocab;
    o["T"] = s.T;
    o["batch"] = s.batch;
    return o;
}

std::vector<qkv::Batch> makeBatches(const Shape& s, int count) {
    std::vector<qkv::Batch> out;
    std::mt19937_64 rng(1);
    if (s.name == "demo") {
        qkv::TaskConfig task;
        task.kind = qkv::TaskKind::Follow;
        task.vocab = s.vocab;
        task.seqLen = s.T;
        task.seed = 1;
        auto data = qkv::makeDataset(task);
        for (int i = 0; i < count; ++i) out.push_back(data->trainBatch(s.batch, rng));
        return out;
    }
    std::uniform_int_distribution<int64_t> token(0, s.vocab - 1);
    for (int i = 0; i < count; ++i) {
        qkv::Batch b;
        b.size = s.batch;
        b.length = s.T;
        for (int r = 0; r < s.batch; ++r) {
            std::vector<int64_t> seq(size_t(s.T) + 1);
            for (auto& t : seq) t = token(rng);
            b.inputs.insert(b.inputs.end(), seq.begin(), seq.end() - 1);
            b.targets.insert(b.targets.end(), seq.begin() + 1, seq.end());
        }
        out.push_back(std::move(b));
    }
    return out;
}

CppSession::CppSession(const Shape& s, qkv::Variant v, int warmup)
    : m_model(modelConfig(s, v), 1),
      m_trainer(m_model, trainConfig(s)),
      m_batches(makeBatches(s, 8)) {
    // Warm-up: allocator, thread pools, the optimizer state's first touch. At most ~1 s.
    const auto w0 = Clock::now();
    for (int i = 0; i < warmup; ++i) {
        step();
        if (secondsSince(w0) > 1.0 && i >= 2) break;
    }
}

void CppSession::run(double seconds, int minSteps, std::vector<double>& wallMs,
                     std::vector<double>& cpuMs) {
    const auto t0 = Clock::now();
    for (int n = 0; n < minSteps || secondsSince(t0) < seconds; ++n) {
        const double c0 = processCpuSeconds();
        const auto s0 = Clock::now();
        step();
        wallMs.push_back(1e3 * secondsSince(s0));
        cpuMs.push_back(1e3 * (processCpuSeconds() - c0));
    }
}

void CppSession::step() {
    m_trainer.run(m_batches[size_t(m_step) % m_batches.size()], m_step);
    ++m_step;
}

}  // namespace trainbench
