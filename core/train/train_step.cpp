#include "train/train_step.h"

#include <cmath>

#include "model/transformer.h"
#include "train/batch_tensors.h"
#include "train/flat_adamw.h"
#include "train/lr_schedule.h"

namespace qkv {

struct TrainStep::State {
    State(const Model& m, const TrainConfig& c)
        : model(m), config(c), net(m.module()), optimizer(net->parameters(), c) {}
    Model model;  // shares the module with the caller's handle
    TrainConfig config;
    std::shared_ptr<TransformerImpl> net;
    FlatAdamW optimizer;
};

TrainStep::TrainStep(const Model& model, const TrainConfig& config)
    : m_state(std::make_unique<State>(model, config)) {}

TrainStep::~TrainStep() = default;

double TrainStep::run(const Batch& batch, int step) {
    torch::AutoGradMode gradMode(true);  // grad mode is per thread; a worker may start without it
    const double lr = learningRateAt(m_state->config, step);
    BatchTensors b = toTensors(batch, m_state->model.config());
    m_state->optimizer.zeroGrad();
    auto loss = taskLoss(m_state->net->forward(b.input), b.targets);
    const double value = loss.item<double>();
    if (!std::isfinite(value)) return value;
    loss.backward();
    if (m_state->config.gradClip > 0) m_state->optimizer.clip(m_state->config.gradClip);
    m_state->optimizer.step(lr);
    return value;
}

}  // namespace qkv
