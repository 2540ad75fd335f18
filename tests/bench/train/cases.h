#pragma once
// The models bench_train times, the settings both sides train them with, and the C++ side.

#include <QJsonObject>

#include <string>
#include <vector>

#include "data/batch.h"
#include "model/model.h"
#include "model/model_config.h"
#include "train/train_config.h"
#include "train/train_step.h"

namespace trainbench {

struct Shape {
    std::string name;
    qkv::Architecture arch;
    int d, layers, heads, vocab, T, batch;
    double target;  // required PyTorch time / C++ time
};

const std::vector<Shape>& allShapes();

qkv::ModelConfig modelConfig(const Shape& s, qkv::Variant v);
qkv::TrainConfig trainConfig(const Shape& s);

// The same settings for pytorch_reference.py, which implements the same schedule.
QJsonObject trainJson(const qkv::TrainConfig& c);
QJsonObject shapeJson(const Shape& s);

// The demo model trains on its real task (makeDataset); the char-LM shape on random tokens with
// next-token targets. The step time does not depend on the token values.
std::vector<qkv::Batch> makeBatches(const Shape& s, int count);

// A model being timed. C++ and PyTorch run in alternating chunks of steps, so the model, the
// optimizer state and the step counter live across chunks.
class CppSession {
public:
    CppSession(const Shape& s, qkv::Variant v, int warmup);

    // Per-step wall and CPU milliseconds of a chunk lasting `seconds` (at least `minSteps`).
    void run(double seconds, int minSteps, std::vector<double>& wallMs, std::vector<double>& cpuMs);

private:
    void step();

    qkv::Model m_model;
    qkv::TrainStep m_trainer;
    std::vector<qkv::Batch> m_batches;
    int m_step = 0;
};

}  // namespace trainbench
