#pragma once
// Internal: plain batches to tensors, and the loss and metrics every task shares.

#include <torch/torch.h>

#include "data/batch.h"
#include "model/model_config.h"

namespace qkv {

struct BatchTensors {
    torch::Tensor input;    // (B, T) int64 tokens, or (B, side, side) float pixels
    torch::Tensor targets;  // (B, T) or (B) int64
};

BatchTensors toTensors(const Batch& b, const ModelConfig& c);

// Mean cross-entropy of logits (B, T, V) or (B, C) against targets (B, T) or (B).
torch::Tensor taskLoss(const torch::Tensor& logits, const torch::Tensor& targets);

// Number of correct argmax predictions (tokens or images).
int64_t correctPredictions(const torch::Tensor& logits, const torch::Tensor& targets);

}  // namespace qkv
