#pragma once
// Internal to core/analysis: the weight and activation halves of a layer's analysis.

#include <Eigen/Dense>

#include <atomic>
#include <functional>
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

// Copies one layer's projections out of the model. For identity-q wq is I_d; for shared-qk and
// single it is a copy of wk; for mlp-q it stays empty (the query map is nonlinear). One layer at
// a time: a 1.1B model's projections in double would take 1.6 GB at once.
LayerWeights extractLayerWeights(const Model& model, int layer);

// The two halves write different fields of `out`, so they may run on two threads at once; `out`
// must hold its H heads with their indices already (layerAnalyses).
void analyzeLayerWeights(const ModelConfig& c, const LayerWeights& w, bool keepBilinearForms,
                         LayerAnalysis& out);
void analyzeLayerActivations(const ModelConfig& c, const LayerCapture& capture, LayerAnalysis& out);
// L layers of H heads, indices set, nothing measured yet.
std::vector<LayerAnalysis> layerAnalyses(const ModelConfig& c);

// Runs `input` through the model one layer at a time, handing each layer's capture to
// `onLayer` (on the calling thread) before the next layer runs. `captureMs` (optional)
// accumulates the time of the forward and the copies. ConfigError for an input that does not fit.
void forEachCapturedLayer(const Model& model, const PreparedInput& input,
                          const std::atomic<bool>* cancel,
                          const std::function<void(int, LayerCapture&&)>& onLayer,
                          double* captureMs = nullptr);

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
