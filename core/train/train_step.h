#pragma once
// One optimizer step at a time: AdamW (decay on matrices only), the warm-up + cosine schedule,
// gradient clipping. The trainer and the benchmarks share it.

#include <memory>

#include "data/batch.h"
#include "model/model.h"
#include "train/train_config.h"

namespace qkv {

class TrainStep {
public:
    TrainStep(const Model& model, const TrainConfig& config);
    ~TrainStep();
    TrainStep(const TrainStep&) = delete;
    TrainStep& operator=(const TrainStep&) = delete;

    // Forward, backward and update on `batch` with the learning rate of schedule position `step`
    // (0-based). Returns the loss before the update; a non-finite loss leaves the weights as
    // they were.
    double run(const Batch& batch, int step);

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace qkv
