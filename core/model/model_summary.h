#pragma once
// Closed-form counts for any configuration, computed without allocating a model.

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace qkv {

struct ModelSummary {
    int64_t parameters = 0;           // every trainable scalar (tied weights counted once)
    int64_t attentionParameters = 0;  // projections, query MLP, W_O and positional bias, all layers
    int64_t kvCacheBytesPerToken = 0; // float32 cache, all layers, one sequence
    int64_t flopsPerToken = 0;        // forward multiply-adds × 2, at a full context
    int kvCacheFactor = 2;            // c: 1 when V = K
};

ModelSummary summarize(const ModelConfig& c);

// Names and shapes (out, in) of layer `layer`'s attention parameters, as a model of this
// configuration holds them (checkpoint names), computed without building the model.
struct ParameterShape {
    std::string name;
    std::vector<int64_t> shape;
};
std::vector<ParameterShape> attentionParameterShapes(const ModelConfig& c, int layer = 0);

// A lower bound on the memory training needs, in bytes: float32 weights, their gradients and
// AdamW's two moments (4 × the parameters), and the activations autograd keeps for a batch
// (per layer the residual stream, norms, projections and MLP, B·T·(10·d + 2·w) floats, plus the
// logits and attention, 2·B·H·T² floats). What the memory guard compares with what is free.
int64_t trainingMemoryBytes(const ModelConfig& c, int batch);

// docs/DESIGN.md §2: L · c · g · d_h · T · B · bytes.
int64_t kvCacheBytes(const ModelConfig& c, int64_t tokens, int64_t batch = 1,
                     int bytesPerElement = 4);

// 1 − cache(c) / cache(qkv with g = H), the reduction the paper reports.
double kvCacheReductionVsQkv(const ModelConfig& c);

}  // namespace qkv
