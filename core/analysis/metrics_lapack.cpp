// singularValuesGramLapack: the one measurement routine that goes through LibTorch, for its
// LAPACK (the header stays Eigen-only).
#include "analysis/metrics.h"

namespace qkv {

std::vector<double> singularValuesGramLapack(const Eigen::MatrixXd& m) {
    torch::NoGradGuard noGrad;
    // Eigen is column-major: read as row-major, the buffer is mᵀ (cols × rows).
    const auto t =
        torch::from_blob(const_cast<double*>(m.data()), {m.cols(), m.rows()}, torch::kFloat64);
    const auto gram = m.rows() >= m.cols() ? t.matmul(t.t()) : t.t().matmul(t);
    const auto values = torch::linalg_eigvalsh(gram).clamp_min(0).sqrt().flip(0).contiguous();
    return std::vector<double>(values.data_ptr<double>(),
                               values.data_ptr<double>() + values.numel());
}

}  // namespace qkv
