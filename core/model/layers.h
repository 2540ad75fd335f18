#pragma once
// Internal (LibTorch): the small modules every block is built from. Parameters are created
// uninitialised: a model being trained is initialised by TransformerImpl from its seed, a model
// being loaded is filled from its file, and neither pays for an initialisation it overwrites.

#include <torch/torch.h>

#include "model/model_config.h"

namespace qkv {

// y = x Wᵀ + b for x (..., in), W (out, in), b (out) or undefined. While a RowsByGemv guard
// lives on the thread, a single row goes through BLAS's gemv: OpenBLAS 0.3.21 runs gemm with one
// row at half the memory speed of gemv (measured: 50257×768 at 7.9 vs 15.1 GB/s), and one-row
// products are what generating with a real model is made of. Elsewhere the arithmetic stays
// torch::nn::Linear's, so that forward passes keep their bits from one version to the next.
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

class RowsByGemv {
public:
    RowsByGemv();
    ~RowsByGemv();
    RowsByGemv(const RowsByGemv&) = delete;
    RowsByGemv& operator=(const RowsByGemv&) = delete;
    static bool active();

private:
    bool m_previous;
};

// torch::nn::Linear's arithmetic, with the bias optional.
class LinearImpl : public torch::nn::Module {
public:
    LinearImpl(int64_t in, int64_t out, bool bias = true);
    torch::Tensor forward(const torch::Tensor& x) { return linear(x, weight, bias); }
    torch::Tensor weight;  // (out, in)
    torch::Tensor bias;    // (out), undefined without a bias
};
TORCH_MODULE(Linear);

// Token ids → rows of a (vocab, d) table.
class EmbeddingImpl : public torch::nn::Module {
public:
    EmbeddingImpl(int64_t count, int64_t dim);
    torch::Tensor forward(const torch::Tensor& ids) { return torch::embedding(weight, ids); }
    torch::Tensor weight;  // (count, dim)
};
TORCH_MODULE(Embedding);

// RMSNorm with a learned gain (LibTorch 1.13 has none). The gain starts at one.
class RmsNormImpl : public torch::nn::Module {
public:
    explicit RmsNormImpl(int64_t dim, double eps = 1e-6);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight;

private:
    double m_eps;
};
TORCH_MODULE(RmsNorm);

// LayerNorm (weight and bias) or RMSNorm (weight), starting at the identity.
class NormImpl : public torch::nn::Module {
public:
    NormImpl(int64_t dim, NormKind kind, double eps);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight, bias;

private:
    NormKind m_kind;
    double m_eps;
    int64_t m_dim;
};
TORCH_MODULE(Norm);

// The block's feed-forward part: fc/proj around a GELU, or gate/up/down around SwiGLU.
class MlpImpl : public torch::nn::Module {
public:
    explicit MlpImpl(const ModelConfig& c);
    torch::Tensor forward(const torch::Tensor& x);     // (B, T, d) → (B, T, d)
    Linear fc{nullptr}, proj{nullptr};                 // GELU
    Linear gate{nullptr}, up{nullptr}, down{nullptr};  // SwiGLU

private:
    MlpKind m_kind;
};
TORCH_MODULE(Mlp);

}  // namespace qkv
