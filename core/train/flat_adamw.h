#pragma once
// Internal (LibTorch): AdamW and gradient clipping on flat buffers, for TrainStep.

#include <torch/torch.h>

#include <vector>

#include "train/train_config.h"

namespace qkv {

// Every parameter and its gradient become views into one contiguous tensor each, so zeroing,
// clipping and the update are ~10 vectorised ops in all instead of ~10 per parameter tensor
// (37 tensors in the demo model: ~400 dispatches, ~0.7 ms of a step whose arithmetic takes
// ~3 ms). The arithmetic is torch::optim::AdamW's (LibTorch 1.13): decoupled decay lr·wd on
// matrices only (every parameter with TrainConfig::decayAll), bias-corrected moments, eps
// outside the root.
class FlatAdamW {
public:
    FlatAdamW(const std::vector<torch::Tensor>& parameters, const TrainConfig& config);

    void zeroGrad();
    // clip_grad_norm_'s rule: scale by max / (norm + 1e-6) when that is below 1.
    void clip(double maxNorm);
    void step(double lr);

private:
    // Parameters become views of m_values (their current values copied in) and their
    // gradients views of m_grads, into which autograd then accumulates in place.
    void attach();
    // Something outside (a load that replaced storage, a set-to-none zero_grad) may have
    // detached a parameter; re-attaching keeps its current value.
    bool attached() const;

    TrainConfig m_config;
    std::vector<torch::Tensor> m_params;  // the decayed ones first, so decay is one narrow
    std::vector<int64_t> m_offsets;       // of each parameter in the flat buffers
    int64_t m_decayCount = 0;
    int64_t m_step = 0;
    torch::Tensor m_values, m_grads, m_expAvg, m_expAvgSq, m_denom;
};

}  // namespace qkv
