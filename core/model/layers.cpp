#include "model/layers.h"

namespace qkv {

namespace {
thread_local bool tRowsByGemv = false;
}

RowsByGemv::RowsByGemv() : m_previous(tRowsByGemv) { tRowsByGemv = true; }
RowsByGemv::~RowsByGemv() { tRowsByGemv = m_previous; }
bool RowsByGemv::active() { return tRowsByGemv; }

torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias) {
    const int64_t in = weight.size(1);
    if (tRowsByGemv && x.dim() >= 1 && x.numel() == in && x.scalar_type() == weight.scalar_type()) {
        const auto row = x.reshape({in});
        auto y = bias.defined() ? torch::addmv(bias, weight, row) : torch::mv(weight, row);
        auto sizes = x.sizes().vec();
        sizes.back() = weight.size(0);
        return y.view(sizes);
    }
    return torch::nn::functional::linear(x, weight, bias);
}

LinearImpl::LinearImpl(int64_t in, int64_t out, bool withBias) {
    weight = register_parameter("weight", torch::empty({out, in}));
    if (withBias) bias = register_parameter("bias", torch::empty({out}));
}

EmbeddingImpl::EmbeddingImpl(int64_t count, int64_t dim) {
    weight = register_parameter("weight", torch::empty({count, dim}));
}

RmsNormImpl::RmsNormImpl(int64_t dim, double eps) : m_eps(eps) {
    weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
    return x * torch::rsqrt(x.pow(2).mean(-1, /*keepdim=*/true) + m_eps) * weight;
}

NormImpl::NormImpl(int64_t dim, NormKind kind, double eps) : m_kind(kind), m_eps(eps), m_dim(dim) {
    weight = register_parameter("weight", torch::ones({dim}));
    if (kind == NormKind::LayerNorm) bias = register_parameter("bias", torch::zeros({dim}));
}

torch::Tensor NormImpl::forward(const torch::Tensor& x) {
    if (m_kind == NormKind::LayerNorm) return torch::layer_norm(x, {m_dim}, weight, bias, m_eps);
    return x * torch::rsqrt(x.pow(2).mean(-1, /*keepdim=*/true) + m_eps) * weight;
}

MlpImpl::MlpImpl(const ModelConfig& c) : m_kind(c.mlp) {
    const int64_t d = c.dModel, width = c.mlpWidth();
    if (c.mlp == MlpKind::SwiGlu) {
        gate = register_module("gate", Linear(d, width, c.mlpBias));
        up = register_module("up", Linear(d, width, c.mlpBias));
        down = register_module("down", Linear(width, d, c.mlpBias));
    } else {
        fc = register_module("fc", Linear(d, width, c.mlpBias));
        proj = register_module("proj", Linear(width, d, c.mlpBias));
    }
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
    switch (m_kind) {
        case MlpKind::Gelu:
            return proj(torch::gelu(fc(x)));
        case MlpKind::GeluTanh:
            return proj(torch::gelu(fc(x), "tanh"));
        case MlpKind::SwiGlu:
            return down(torch::silu(gate(x)) * up(x));
    }
    return x;
}

}  // namespace qkv
