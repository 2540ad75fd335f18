#include "train/flat_adamw.h"

#include <cmath>

namespace qkv {

FlatAdamW::FlatAdamW(const std::vector<torch::Tensor>& parameters, const TrainConfig& config)
    : m_config(config) {
    auto decays = [&](const torch::Tensor& p) { return config.decayAll || p.dim() >= 2; };
    std::vector<torch::Tensor> rest;
    for (const auto& p : parameters) (decays(p) ? m_params : rest).push_back(p);
    m_params.insert(m_params.end(), rest.begin(), rest.end());
    int64_t total = 0;
    for (const auto& p : m_params) {
        if (decays(p)) m_decayCount += p.numel();
        m_offsets.push_back(total);
        total += p.numel();
    }
    m_values = torch::empty({total});
    m_grads = torch::zeros({total});
    m_expAvg = torch::zeros({total});
    m_expAvgSq = torch::zeros({total});
    m_denom = torch::empty({total});
    attach();
}

void FlatAdamW::zeroGrad() {
    if (!attached()) attach();
    m_grads.zero_();
}

void FlatAdamW::clip(double maxNorm) {
    const double norm = m_grads.norm().item<double>();
    const double coef = maxNorm / (norm + 1e-6);
    if (coef < 1.0) m_grads.mul_(coef);
}

void FlatAdamW::step(double lr) {
    torch::NoGradGuard noGrad;
    ++m_step;
    const double b1 = m_config.beta1, b2 = m_config.beta2;
    const double bc1 = 1.0 - std::pow(b1, double(m_step));
    const double bc2 = 1.0 - std::pow(b2, double(m_step));
    if (m_config.weightDecay != 0 && m_decayCount > 0)
        m_values.narrow(0, 0, m_decayCount).mul_(1.0 - lr * m_config.weightDecay);
    m_expAvg.mul_(b1).add_(m_grads, 1.0 - b1);
    m_expAvgSq.mul_(b2).addcmul_(m_grads, m_grads, 1.0 - b2);
    torch::sqrt_out(m_denom, m_expAvgSq).div_(std::sqrt(bc2)).add_(1e-8);
    m_values.addcdiv_(m_expAvg, m_denom, -lr / bc1);
}

void FlatAdamW::attach() {
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < m_params.size(); ++i) {
        auto& p = m_params[i];
        const int64_t offset = m_offsets[i], n = p.numel();
        auto value = m_values.narrow(0, offset, n).view(p.sizes());
        value.copy_(p);
        p.set_data(value);
        p.mutable_grad() = m_grads.narrow(0, offset, n).view(p.sizes());
    }
}

bool FlatAdamW::attached() const {
    const auto* values = static_cast<const float*>(m_values.data_ptr());
    const auto* grads = static_cast<const float*>(m_grads.data_ptr());
    for (size_t i = 0; i < m_params.size(); ++i) {
        const auto& p = m_params[i];
        if (p.data_ptr() != values + m_offsets[i] || !p.grad().defined() ||
            p.grad().data_ptr() != grads + m_offsets[i])
            return false;
    }
    return true;
}

}  // namespace qkv
