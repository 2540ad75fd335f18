#pragma once
// Internal to core/analysis: the weight and activation halves of a layer's analysis.

#include <Eigen/Dense>

#include <vector>

#include "analysis/analysis.h"

namespace qkv {

// One layer's projections in the row-vector convention y = x W (double precision).
struct LayerWeights {
    Eigen::MatrixXd wq;  // d × H·d_h; empty when W_Q does not exist as a matrix (see below)
    Eigen::MatrixXd wk;  // d × g·d_h
    Eigen::MatrixXd wv;  // d × g·d_h; a copy of wk when V = K
    Eigen::MatrixXd wo;  // H·d_h × d
};

// Copies the projections out of the model. For identity-q wq is I_d; for shared-qk and single
// it is a copy of wk; for mlp-q it stays empty (the query map is nonlinear).
std::vector<LayerWeights> extractWeights(const Model& model);

void analyzeLayerWeights(const ModelConfig& c, const LayerWeights& w, bool keepBilinearForms,
                         LayerAnalysis& out);
void analyzeLayerActivations(const ModelConfig& c, const LayerCapture& capture, LayerAnalysis& out);

// BDCSVD up to 64×64, the Gram route above (see singularValuesGram).
std::vector<double> singularValuesAuto(const Eigen::MatrixXd& m);

// Result helpers.
SpectrumResult presentSpectrum(std::vector<double> sv, std::string fixedByVariant = {});
template <class R>
R absent(std::string reason) {
    R r;
    r.present = false;
    r.absentReason = std::move(reason);
    return r;
}

}  // namespace qkv
