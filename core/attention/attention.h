#pragma once
// Internal (LibTorch) attention module. Not part of core's public API.

#include <torch/torch.h>

#include "model/layers.h"
#include "model/model_config.h"
#include "model/rotary.h"

namespace qkv {

// Per-head tensors of one forward pass, for analysis. K and V keep their g heads.
// With rotary embeddings, q and k are the rotated ones the logits are made of; v is never rotated.
struct AttentionTrace {
    torch::Tensor q;       // (B, H, T, d_h)
    torch::Tensor k;       // (B, g, T, d_h)
    torch::Tensor v;       // (B, g, T, d_h)
    torch::Tensor logits;  // (B, H, T, T) after the positional bias, before the mask
    torch::Tensor attn;    // (B, H, T, T) row-softmax of the masked logits
};

// What one layer caches during generation: exactly what the variant needs, at g heads. With
// rotary embeddings k holds rotated keys, except when V = K: then the one tensor holds the
// unrotated keys (which are the values) and the keys are rotated again at each step, so that
// sharing K and V still halves the cache.
struct LayerKvCache {
    torch::Tensor k;  // (B, g, T_cached, d_h)
    torch::Tensor v;  // (B, g, T_cached, d_h); undefined when V = K
    int64_t length() const { return k.defined() ? k.size(2) : 0; }
    int64_t bytes() const;
};

// The nonlinear query map f(X) = LN(GELU(RMSNorm(X) W₁) W₂) of mlp-q.
class QueryMlpImpl : public torch::nn::Module {
public:
    explicit QueryMlpImpl(int64_t d);
    torch::Tensor forward(const torch::Tensor& x);  // (B, T, d) → (B, T, d)

    RmsNorm norm{nullptr};
    Linear fc1{nullptr}, fc2{nullptr};
    Norm ln{nullptr};
};
TORCH_MODULE(QueryMlp);

// The fixed 2-D sinusoidal table P (T_max, T_max, p) of the signed offset i − j: p/2 sines
// (odd in i − j, so they carry direction: P_ij ≠ P_ji) and p/2 cosines (even), at the
// transformer's frequencies 10000^(−2m/p). A table of absolute i and j features would give
// wᵀP_ij = a(i) + b(j): a row constant that softmax ignores plus a key preference, with no way
// to say "attend one step back".
torch::Tensor positionalTable(int64_t maxT, int64_t p);

class AttentionImpl : public torch::nn::Module {
public:
    explicit AttentionImpl(const ModelConfig& c);

    // x: (B, T, d) → (B, T, d). With a cache, x holds only the new tokens, which follow the
    // cached ones; the cache grows by T.
    torch::Tensor forward(const torch::Tensor& x, AttentionTrace* trace = nullptr,
                          LayerKvCache* cache = nullptr);

    // Projections that exist for this variant; the others stay null (absent from the state).
    Linear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};
    QueryMlp qmlp{nullptr};
    Linear posBias{nullptr};  // Linear(p → 1)

    const ModelConfig& config() const { return m_cfg; }

private:
    // The query projection's rows, (B, T, H·d_h); keyRows are k(x), which shared-qk reuses.
    torch::Tensor queryRows(const torch::Tensor& x, const torch::Tensor& keyRows);

    ModelConfig m_cfg;
    int64_t m_heads, m_kvHeads, m_headDim;
    torch::Tensor m_table;  // positional table, not a parameter
    Rotary m_rotary;        // enabled for PositionKind::Rotary
};
TORCH_MODULE(Attention);

}  // namespace qkv
