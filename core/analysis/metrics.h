#pragma once
// The measurements of docs/DESIGN.md §4 on plain Eigen matrices: symmetry, subspace overlap, CKA,
// spectra. Double precision throughout; inputs in float are converted by the caller.

#include <Eigen/Dense>

#include <limits>
#include <vector>

namespace qkv {

constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();

// For a square M: s(M) = (‖M_sym‖²_F − ‖M_skew‖²_F) / ‖M‖²_F ∈ [−1, 1] and
// a(M) = ‖M − Mᵀ‖_F / (2‖M‖_F) ∈ [0, 1]. Both NaN for the zero matrix.
struct SymmetryMeasure {
    double symmetryScore = kNoValue;
    double asymmetryIndex = kNoValue;
};
SymmetryMeasure symmetryOf(const Eigen::MatrixXd& m);

// Singular values (descending) and the rank summaries built from them.
//   effectiveRank  exp(−Σ p_i ln p_i), p_i = σ_i / Σσ (Roy & Vetterli 2007); n for I_n, 1 for rank
//   1 stableRank     ‖M‖²_F / ‖M‖²₂ = Σσ² / σ₁² rank90/rank99  the fewest leading σ whose energy
//   Σσ_i² reaches 90 % / 99 % of Σσ²
//                  (energy is squared singular values: the share of ‖M‖²_F they carry)
struct Spectrum {
    std::vector<double> singularValues;
    double effectiveRank = kNoValue;
    double stableRank = kNoValue;
    int rank90 = 0;
    int rank99 = 0;
};
Spectrum spectrumFromSingularValues(std::vector<double> sv);  // sorts descending
double effectiveRank(const std::vector<double>& sv);
double stableRank(const std::vector<double>& sv);
int energyRank(const std::vector<double>& sv, double fraction);  // sv descending

// Singular values, descending, by Eigen's BDCSVD (exact to working precision).
std::vector<double> singularValues(const Eigen::MatrixXd& m);

// The same Gram route (singularValuesGram below) through LAPACK's blocked dsyevd and BLAS's
// dgemm, which singularValuesGram takes above kLapackFrom columns: at d = 768 it is ~6× faster
// than Eigen's unblocked tridiagonalisation, and a real model has 4 such matrices per layer.
constexpr Eigen::Index kLapackFrom = 96;
std::vector<double> singularValuesGramLapack(const Eigen::MatrixXd& m);
// Singular values as √eig(MᵀM) (or MMᵀ, the smaller): 3–4× faster than BDCSVD for the 128–256
// square matrices of a model analysis, with σ_i accurate to about ε·σ₁²/σ_i (relative), i.e.
// better than 1e-6 relative for every σ_i above 1e-5·σ₁. Used for large full-rank maps; the
// small and low-rank ones go through BDCSVD.
std::vector<double> singularValuesGram(const Eigen::MatrixXd& m);
// Singular values of L Rᵀ (m×n) for thin L (m×k) and R (n×k), from the k×k core of their QR
// factors: exact, and cheap when k ≪ m, n. Only the min(k, m, n) values that can be non-zero.
std::vector<double> singularValuesOfProduct(const Eigen::MatrixXd& l, const Eigen::MatrixXd& r);

// Orthonormal basis of the column space: the left singular vectors whose σ exceeds
// max(m, n)·ε·σ₁ (as scipy.linalg.orth), so rank-deficient inputs give a smaller basis. A tall
// matrix of clearly full column rank (σ_min > 1e-6·σ₁) gets its thin QR factor instead: the
// same space, 3× cheaper.
Eigen::MatrixXd orthonormalBasis(const Eigen::MatrixXd& a);

// Principal angles (radians, ascending) between the spans of two orthonormal bases with the
// same number of rows (Björck–Golub). k = min(columns) angles. cos θ from σ(U₁ᵀU₂) for large
// angles; for θ < 45° the sine form σ(U₂ − U₁U₁ᵀU₂) keeps small angles accurate (arccos of a
// cosine near 1 loses half the digits). σ comes from k×k Gram eigenvalues when every value used
// is ≥ 1e-4 (then accurate to 1e-8 relative or better), from BDCSVD otherwise.
std::vector<double> principalAngles(const Eigen::MatrixXd& basisA, const Eigen::MatrixXd& basisB);

struct SubspaceOverlap {
    std::vector<double> principalAnglesDeg;  // ascending
    double overlapMeanCos2 = kNoValue;       // ‖U₁ᵀU₂‖²_F / k = mean cos² θ_i
    int dimA = 0, dimB = 0;                  // ranks of the two column spaces
};
// Between the column spaces of a and b (same row count). Bitwise-equal inputs give exactly
// 0° and overlap 1 (the same space), rather than rounding noise.
SubspaceOverlap subspaceOverlap(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);
SubspaceOverlap overlapOfBases(const Eigen::MatrixXd& basisA, const Eigen::MatrixXd& basisB);

// Linear CKA of two representations of the same n samples (rows): columns centred, then
// ‖YᵀX‖²_F / (‖XᵀX‖_F ‖YᵀY‖_F). Invariant to orthogonal transforms and isotropic scaling of
// either side. NaN when a side is constant.
double linearCka(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y);

// Mean over rows of cos(x_i, y_i): how aligned corresponding samples (tokens) are. Same shape
// required; rows where either vector is zero are skipped (NaN if all are).
double meanCosine(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y);

}  // namespace qkv
