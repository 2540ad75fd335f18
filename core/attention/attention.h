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

// The nonlinear query map f(X) = LN(GELU(RMSNorm(X) W₁) W₂) of mlp-q; W₁ and W₂ without
// biases as published, with them in runs written before.
class QueryMlpImpl : public torch::nn::Module {
public:
    QueryMlpImpl(int64_t d, bool bias);
    torch::Tensor forward(const torch::Tensor& x);  // (B, T, d) → (B, T, d)

    RmsNorm norm{nullptr};
    Linear fc1{nullptr}, fc2{nullptr};
    Norm ln{nullptr};
};
TORCH_MODULE(QueryMlp);

// QKV Lab's relative table P (T_max, T_max, p) of the signed offset i − j: p/2 sines (odd in
// i − j, so they carry direction: P_ij ≠ P_ji) and p/2 cosines (even), at the transformer's
// frequencies 10000^(−2m/p). It can express "attend one step back".
torch::Tensor positionalTable(int64_t maxT, int64_t p);

// The published table (the positional_encodings package's PositionalEncoding2D(p), which the
// paper's code uses) of the absolute indices: with c = 2·⌈p/4⌉ and f_k = 10000^(−2k/c), k < c/2,
// the channels [sin(i f₀), cos(i f₀), sin(i f₁), …] of the row index i, then the same of the
// column index j, cut to p. Every channel depends on i alone or j alone, so wᵀP_ij = a(i) + b(j):
// softmax over j drops a(i), and what is left is a learned preference per key position.
torch::Tensor absolutePositionalTable(int64_t maxT, int64_t p);
torch::Tensor positionalTable(const ModelConfig& c);  // the mode's table, T_max = sequence length

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
