#pragma once
// Internal (LibTorch): the core of attention, softmax(Q Kᵀ / √d_h + causal mask) V, written
// straight onto BLAS for training and plain evaluation. Not part of core's public API.

#include <torch/torch.h>

namespace qkv {

// False when no sgemm_ is loaded (a LibTorch without a Fortran-style BLAS); callers then use
// the composed ATen path.
bool fusedAttentionAvailable();

// q: (B, T, H·d_h) rows, k and v: (B, S, g·d_h) rows, exactly as the projections produce them;
// query head h reads key/value head h / (H / g). Causal masks key s > query t + (S − T).
// Returns (B, T, H·d_h), the input rows of W_O. Differentiable in q, k and v; q, k and v may
// be the same tensor (shared projections), autograd adds the gradients.
torch::Tensor fusedAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                             int64_t heads, int64_t kvHeads, bool causal);

}  // namespace qkv
