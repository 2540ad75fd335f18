#pragma once
// Internal (LibTorch): rotary position embeddings (RoFormer). Each pair of a head's dimensions
// is rotated by position · θ^(−2i/d_h). Two pairings are in use and they are not the same
// model: Hugging Face's Llama rotates (i, i + d_h/2) ("rotate half"); Meta's original code and
// llama2.c rotate adjacent dimensions (2i, 2i + 1).

#include <torch/torch.h>

#include "model/model_config.h"

namespace qkv {

class Rotary {
public:
    Rotary() = default;
    // Positions are divided by linearScale ("linear" rope scaling; 1 for none).
    Rotary(int64_t headDim, int64_t maxPositions, double theta, RotaryPairs pairs,
           double linearScale = 1);
    bool enabled() const { return m_cos.defined(); }

    // rows: (B, T, n·d_h), n heads side by side → the same, rotated for positions
    // [offset, offset + T). Differentiable.
    torch::Tensor apply(const torch::Tensor& rows, int64_t heads, int64_t offset) const;

private:
    torch::Tensor m_cos, m_sin;  // (T_max, d_h/2) float32, from angles computed in float64
    int64_t m_headDim = 0;
    RotaryPairs m_pairs = RotaryPairs::Half;
};

}  // namespace qkv
