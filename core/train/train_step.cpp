#include "train/train_step.h"

#include <cmath>

#include "model/transformer.h"
#include "train/batch_tensors.h"
#include "train/lr_schedule.h"

namespace qkv {

namespace {
torch::optim::AdamW makeOptimizer(TransformerImpl& net, const TrainConfig& c) {
    std::vector<torch::Tensor> decay, noDecay;
    for (auto& p : net.parameters()) (p.dim() >= 2 ? decay : noDecay).push_back(p);
    auto opts = [&](double wd) {
        return std::make_unique<torch::optim::AdamWOptions>(
            torch::optim::AdamWOptions(c.lr).betas({c.beta1, c.beta2}).weight_decay(wd));
    };
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, opts(c.weightDecay));
    groups.emplace_back(noDecay, opts(0.0));
    return torch::optim::AdamW(groups, torch::optim::AdamWOptions(c.lr));
}
}  // namespace

struct TrainStep::State {
    State(const Model& m, const TrainConfig& c)
        : model(m), config(c), net(m.module()), optimizer(makeOptimizer(*net, c)) {}
    Model model;  // shares the module with the caller's handle
    TrainConfig config;
    std::shared_ptr<TransformerImpl> net;
    torch::optim::AdamW optimizer;
};

TrainStep::TrainStep(const Model& model, const TrainConfig& config)
    : m_state(std::make_unique<State>(model, config)) {}

TrainStep::~TrainStep() = default;

double TrainStep::run(const Batch& batch, int step) {
    torch::AutoGradMode gradMode(true);  // grad mode is per thread; a worker may start without it
    const double lr = learningRateAt(m_state->config, step);
    for (auto& group : m_state->optimizer.param_groups())
        static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    BatchTensors b = toTensors(batch, m_state->model.config());
    m_state->optimizer.zero_grad();
    auto loss = taskLoss(m_state->net->forward(b.input), b.targets);
    const double value = loss.item<double>();
    if (!std::isfinite(value)) return value;
    loss.backward();
    if (m_state->config.gradClip > 0)
        torch::nn::utils::clip_grad_norm_(m_state->net->parameters(), m_state->config.gradClip);
    m_state->optimizer.step();
    return value;
}

}  // namespace qkv
