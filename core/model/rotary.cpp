#include "model/rotary.h"

#include "common/errors.h"

namespace qkv {

Rotary::Rotary(int64_t headDim, int64_t maxPositions, double theta, RotaryPairs pairs,
               double linearScale)
    : m_headDim(headDim), m_pairs(pairs) {
    const int64_t half = headDim / 2;
    auto inverse = torch::pow(theta, -torch::arange(half, torch::kFloat64) * 2.0 / double(headDim));
    auto positions = torch::arange(maxPositions, torch::kFloat64) / linearScale;
    auto angles = positions.unsqueeze(1) * inverse;  // (T, d_h/2)
    m_cos = torch::cos(angles).to(torch::kFloat32).contiguous();
    m_sin = torch::sin(angles).to(torch::kFloat32).contiguous();
}

torch::Tensor Rotary::apply(const torch::Tensor& rows, int64_t heads, int64_t offset) const {
    const int64_t B = rows.size(0), T = rows.size(1), dh = m_headDim, half = dh / 2;
    if (offset + T > m_cos.size(0))
        throw ConfigError("position " + std::to_string(offset + T - 1) +
                          " is past the rotary table of the model's context (" +
                          std::to_string(m_cos.size(0)) + ")");
    auto c = m_cos.narrow(0, offset, T).view({1, T, 1, half}).to(rows.scalar_type());
    auto s = m_sin.narrow(0, offset, T).view({1, T, 1, half}).to(rows.scalar_type());
    if (m_pairs == RotaryPairs::Half) {
        auto x = rows.reshape({B, T, heads, dh});  // (B, T, n, d_h)
        auto x1 = x.narrow(-1, 0, half), x2 = x.narrow(-1, half, half);
        return torch::cat({x1 * c - x2 * s, x2 * c + x1 * s}, -1).view({B, T, heads * dh});
    }
    auto x = rows.reshape({B, T, heads, half, 2});  // (B, T, n, d_h/2, 2)
    auto a = x.select(-1, 0), b = x.select(-1, 1);
    return torch::stack({a * c - b * s, a * s + b * c}, -1).view({B, T, heads * dh});
}

}  // namespace qkv
