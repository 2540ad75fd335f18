#include "analysis/metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace qkv {

namespace {
constexpr double kPi = 3.14159265358979323846;

std::vector<double> descending(const Eigen::VectorXd& v) {
    std::vector<double> out(v.data(), v.data() + v.size());
    for (double& x : out) x = std::max(x, 0.0);
    std::sort(out.begin(), out.end(), std::greater<double>());
    return out;
}

bool sameMatrix(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() && a == b;
}
}  // namespace

SymmetryMeasure symmetryOf(const Eigen::MatrixXd& m) {
    SymmetryMeasure out;
    const double total = m.squaredNorm();
    if (m.rows() != m.cols() || !(total > 0)) return out;
    const Eigen::MatrixXd sym = (m + m.transpose()) * 0.5;
    const Eigen::MatrixXd skew = (m - m.transpose()) * 0.5;
    out.symmetryScore = (sym.squaredNorm() - skew.squaredNorm()) / total;
    out.asymmetryIndex = (m - m.transpose()).norm() / (2.0 * std::sqrt(total));
    return out;
}

double effectiveRank(const std::vector<double>& sv) {
    double sum = 0;
    for (double s : sv) sum += s;
    if (!(sum > 0)) return kNoValue;
    double entropy = 0;
    for (double s : sv) {
        const double p = s / sum;
        if (p > 0) entropy -= p * std::log(p);
    }
    return std::exp(entropy);
}

double stableRank(const std::vector<double>& sv) {
    if (sv.empty() || !(sv.front() > 0)) return kNoValue;
    double energy = 0;
    for (double s : sv) energy += s * s;
    return energy / (sv.front() * sv.front());
}

int energyRank(const std::vector<double>& sv, double fraction) {
    double total = 0;
    for (double s : sv) total += s * s;
    if (!(total > 0)) return 0;
    // A relative slack of 1e-12 so that exact ties (I_n at 90 % of n = 10) are not lost to
    // the rounding of the running sum.
    const double target = fraction * total * (1.0 - 1e-12);
    double cumulative = 0;
    for (size_t i = 0; i < sv.size(); ++i) {
        cumulative += sv[i] * sv[i];
        if (cumulative >= target) return int(i + 1);
    }
    return int(sv.size());
}

Spectrum spectrumFromSingularValues(std::vector<double> sv) {
    std::sort(sv.begin(), sv.end(), std::greater<double>());
    Spectrum s;
    s.effectiveRank = effectiveRank(sv);
    s.stableRank = stableRank(sv);
    s.rank90 = energyRank(sv, 0.90);
    s.rank99 = energyRank(sv, 0.99);
    s.singularValues = std::move(sv);
    return s;
}

std::vector<double> singularValues(const Eigen::MatrixXd& m) {
    if (m.size() == 0) return {};
    Eigen::BDCSVD<Eigen::MatrixXd> svd(m);
    return descending(svd.singularValues());
}

std::vector<double> singularValuesGram(const Eigen::MatrixXd& m) {
    if (m.size() == 0) return {};
    if (std::min(m.rows(), m.cols()) > kLapackFrom) return singularValuesGramLapack(m);
    const Eigen::MatrixXd gram = m.rows() >= m.cols() ? Eigen::MatrixXd(m.transpose() * m)
                                                      : Eigen::MatrixXd(m * m.transpose());
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram, Eigen::EigenvaluesOnly);
    return descending(eig.eigenvalues().cwiseMax(0.0).cwiseSqrt());
}

std::vector<double> singularValuesOfProduct(const Eigen::MatrixXd& l, const Eigen::MatrixXd& r) {
    if (l.size() == 0 || r.size() == 0) return {};
    // L = Q_L R_L, R = Q_R R_R ⇒ L Rᵀ = Q_L (R_L R_Rᵀ) Q_Rᵀ, and Q_L, Q_R have orthonormal columns.
    auto triangle = [](const Eigen::MatrixXd& a) {
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
        const Eigen::Index p = std::min(a.rows(), a.cols());
        return Eigen::MatrixXd(qr.matrixQR().topRows(p).triangularView<Eigen::Upper>());  // (p, k)
    };
    return singularValues(triangle(l) * triangle(r).transpose());
}

namespace {
// scipy.linalg.orth's rule on an exact SVD.
Eigen::MatrixXd basisBySvd(const Eigen::MatrixXd& a) {
    Eigen::BDCSVD<Eigen::MatrixXd> svd(a, Eigen::ComputeThinU);
    const Eigen::VectorXd& s = svd.singularValues();
    const double tol = double(std::max(a.rows(), a.cols())) *
                       std::numeric_limits<double>::epsilon() * (s.size() ? s(0) : 0.0);
    Eigen::Index rank = 0;
    while (rank < s.size() && s(rank) > tol) ++rank;
    return svd.matrixU().leftCols(rank);
}
}  // namespace

Eigen::MatrixXd orthonormalBasis(const Eigen::MatrixXd& a) {
    if (a.size() == 0) return Eigen::MatrixXd(a.rows(), 0);
    if (a.rows() > a.cols()) {
        // Tall: a thin QR is a basis whenever a has full column rank, which the Gram values of R
        // can certify (their error is ~ε·σ₁, far below the 1e-6·σ₁ asked for). 3× cheaper.
        Eigen::HouseholderQR<Eigen::MatrixXd> qr(a);
        const Eigen::MatrixXd r = qr.matrixQR().topRows(a.cols()).triangularView<Eigen::Upper>();
        const std::vector<double> sv = singularValuesGram(r);
        if (!sv.empty() && sv.back() > 1e-6 * sv.front())
            return qr.householderQ() * Eigen::MatrixXd::Identity(a.rows(), a.cols());
    }
    return basisBySvd(a);
}

std::vector<double> principalAngles(const Eigen::MatrixXd& basisA, const Eigen::MatrixXd& basisB) {
    const Eigen::Index k = std::min(basisA.cols(), basisB.cols());
    if (k == 0) return {};
    const Eigen::MatrixXd c = basisA.transpose() * basisB;
    // The sine form projects the smaller basis off the larger one: σ(D) = sin θ for all k angles.
    const Eigen::MatrixXd d = basisA.cols() >= basisB.cols()
                                  ? Eigen::MatrixXd(basisB - basisA * c)
                                  : Eigen::MatrixXd(basisA - basisB * c.transpose());
    // Gram eigenvalues give cos² and sin² to ~ε absolute: enough wherever the value used is not
    // tiny. A sine below 1e-4 (angle < 0.006°) or a cosine below 1e-4 (angle > 89.994°) takes
    // the exact BDCSVD route.
    std::vector<double> cosines = singularValuesGram(c);  // descending: angles ascending
    std::vector<double> sines = singularValuesGram(d);
    std::sort(sines.begin(), sines.end());
    auto tiny = [](const std::vector<double>& v) {
        return std::any_of(v.begin(), v.end(), [](double x) { return x < 1e-4; });
    };
    if (tiny(cosines)) cosines = singularValues(c);
    if (tiny(sines)) {
        sines = singularValues(d);
        std::sort(sines.begin(), sines.end());
    }
    std::vector<double> angles(size_t(k), 0.0);
    for (size_t i = 0; i < size_t(k); ++i) {
        const double cs = std::min(1.0, std::max(0.0, i < cosines.size() ? cosines[i] : 0.0));
        const double sn = std::min(1.0, i < sines.size() ? sines[i] : 1.0);
        angles[i] = cs * cs >= 0.5 ? std::asin(sn) : std::acos(cs);
    }
    std::sort(angles.begin(), angles.end());
    return angles;
}

SubspaceOverlap overlapOfBases(const Eigen::MatrixXd& basisA, const Eigen::MatrixXd& basisB) {
    SubspaceOverlap out;
    out.dimA = int(basisA.cols());
    out.dimB = int(basisB.cols());
    const Eigen::Index k = std::min(basisA.cols(), basisB.cols());
    if (k == 0 || basisA.rows() != basisB.rows()) return out;
    // A mean of cos²: in [0, 1]; rounding can step past 1 when the spaces coincide.
    out.overlapMeanCos2 = std::clamp((basisA.transpose() * basisB).squaredNorm() / double(k), 0.0, 1.0);
    for (double a : principalAngles(basisA, basisB))
        out.principalAnglesDeg.push_back(a * 180.0 / kPi);
    return out;
}

SubspaceOverlap subspaceOverlap(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
    if (sameMatrix(a, b)) {
        SubspaceOverlap out;
        out.dimA = out.dimB = int(orthonormalBasis(a).cols());
        out.principalAnglesDeg.assign(size_t(out.dimA), 0.0);
        out.overlapMeanCos2 = out.dimA > 0 ? 1.0 : kNoValue;
        return out;
    }
    return overlapOfBases(orthonormalBasis(a), orthonormalBasis(b));
}

double linearCka(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
    if (x.rows() != y.rows() || x.rows() < 2) return kNoValue;
    const Eigen::MatrixXd xc = x.rowwise() - x.colwise().mean();
    const Eigen::MatrixXd yc = y.rowwise() - y.colwise().mean();
    const double nx = (xc.transpose() * xc).norm(), ny = (yc.transpose() * yc).norm();
    if (!(nx > 0) || !(ny > 0)) return kNoValue;
    if (sameMatrix(x, y)) return 1.0;
    return (yc.transpose() * xc).squaredNorm() / (nx * ny);
}

double meanCosine(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
    if (x.rows() != y.rows() || x.cols() != y.cols()) return kNoValue;
    const bool same = sameMatrix(x, y);
    double sum = 0;
    int count = 0;
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
        const double nx = x.row(i).norm(), ny = y.row(i).norm();
        if (!(nx > 0) || !(ny > 0)) continue;
        sum += same ? 1.0 : x.row(i).dot(y.row(i)) / (nx * ny);
        ++count;
    }
    return count ? sum / count : kNoValue;
}

}  // namespace qkv
