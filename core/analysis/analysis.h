#pragma once
// The analysis of one model on one input: every measurement of docs/DESIGN.md §4 per layer and head,
// as a copyable value (safe to hand across threads).
//
// Conventions (row vectors, y = x W): W_Q,h, W_K,h, W_V,h are d×d_h (head h's columns of the
// projection; with GQA, head h reads KV head h / (H/g)); W_O,h is d_h×d (the rows of W_O that
// head h's output meets). Biases are not part of any weight measurement.
//
// Something a variant does not have is absent (present = false, absentReason says why), never
// a stand-in number. Where the variant fixes a value (V = K, Q = K, W_Q = I), the value is
// measured as usual and fixedByVariant says which identity makes it so.

#include <Eigen/Dense>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "analysis/capture.h"
#include "analysis/metrics.h"

namespace qkv {

struct Availability {
    bool present = false;
    std::string absentReason;    // set when !present
    std::string fixedByVariant;  // set when the variant determines the value
    std::string notInformative;  // set when the value is forced by the shapes (why)
};

struct SymmetryResult : Availability {
    SymmetryMeasure value;
};

struct SpectrumResult : Availability {
    Spectrum value;
};

struct OverlapResult : Availability {
    SubspaceOverlap value;
};

// K and V activations of one KV head on the input (T×d_h each): their column spaces in R^T,
// linear CKA and the mean per-token cosine.
struct ActivationComparison : Availability {
    SubspaceOverlap overlap;
    double cka = kNoValue;
    double meanCosine = kNoValue;
};

struct HeadAnalysis {
    int layer = 0, head = 0, kvHead = 0;

    // Weights alone.
    Eigen::MatrixXf bilinearForm;  // W_Q,h W_K,hᵀ (d×d); empty when absent or not kept
    SymmetryResult bilinearSymmetry;
    SpectrumResult bilinearSpectrum;  // at most d_h non-zero values (rank ≤ d_h): those only
    SpectrumResult ovSpectrum;        // W_V,h W_O,h (d×d), likewise at most d_h values
    SpectrumResult wQ, wK, wV, wO;    // the head's slices
    OverlapResult kvWeights, qkWeights, qvWeights;  // column spaces in R^d

    // On the input.
    SymmetryResult logitsSymmetry, attentionSymmetry;
    SpectrumResult logitsSpectrum, attentionSpectrum;
    ActivationComparison kvActivations;
    double attentionEntropy = kNoValue;  // mean over query rows of −Σ_j A_ij ln A_ij, nats
    double previousTokenScore = kNoValue;  // mean over i ≥ 1 of A_i,i−1: "attend one step back"
};

struct LayerAnalysis {
    int layer = 0;
    SpectrumResult wQ, wK, wV, wO;  // whole projections: d×H·d_h, d×g·d_h, d×g·d_h, H·d_h×d
    std::vector<HeadAnalysis> heads;
};

// Means over heads (per layer) or over every head of the model, skipping absent values.
// NaN when nothing was present.
struct AnalysisSummary {
    double bilinearAsymmetry = kNoValue, bilinearSymmetryScore = kNoValue;
    double logitsAsymmetry = kNoValue, logitsSymmetryScore = kNoValue;
    double attentionAsymmetry = kNoValue, attentionSymmetryScore = kNoValue;
    double kvWeightOverlap = kNoValue, qkWeightOverlap = kNoValue, qvWeightOverlap = kNoValue;
    double kvActivationOverlap = kNoValue, kvCka = kNoValue, kvMeanCosine = kNoValue;
    double bilinearEffectiveRank = kNoValue, ovEffectiveRank = kNoValue;
    double logitsEffectiveRank = kNoValue, attentionEffectiveRank = kNoValue;
    double attentionEntropy = kNoValue, previousTokenScore = kNoValue;
};

struct AnalysisTimings {  // milliseconds; weights/activations summed over layers (all threads)
    double capture = 0, weights = 0, activations = 0, total = 0;
};

struct ModelAnalysis {
    std::string runName;
    ModelConfig config;
    PreparedInput input;
    std::vector<LayerAnalysis> layers;
    std::vector<AnalysisSummary> layerSummaries;  // one per layer
    AnalysisSummary modelSummary;
    AnalysisTimings timings;
    bool cancelled = false;  // layers holds the ones finished before the cancel
};

struct AnalysisOptions {
    bool keepBilinearForms = false;  // copy each head's d×d form into the result (no view draws it)
    int threads = 2;                // layers are analysed in parallel; 1 = on the calling thread
    // The maps analyzeModel keeps to draw: exact while all layers' logits and attention fit in
    // this many bytes, else pooled to pooledMapSide blocks per side. Every measurement is taken
    // on the exact maps of one layer at a time either way.
    int64_t mapBudgetBytes = int64_t(256) << 20;
    int pooledMapSide = 256;
};

// (layers done, layers total); called on the calling thread.
using AnalysisProgress = std::function<void(int done, int total)>;

// Analyses a captured forward pass of `model`. `cancel` is polled between layers.
ModelAnalysis analyzeCapture(const Model& model, const Capture& capture,
                             const AnalysisOptions& options = {},
                             const AnalysisProgress& progress = {},
                             const std::atomic<bool>* cancel = nullptr);

// Capture and analysis in one pass, layer by layer: each layer's forward is measured as soon as
// it is done, and at most two layers' maps exist at once, so inputs up to a real model's context
// (1024 tokens for GPT-2) fit. `keep` (optional) receives the captured layers to draw, their
// maps exact or pooled (AnalysisOptions::mapBudgetBytes).
ModelAnalysis analyzeModel(const Model& model, const PreparedInput& input,
                           const AnalysisOptions& options = {},
                           const AnalysisProgress& progress = {},
                           const std::atomic<bool>* cancel = nullptr, Capture* keep = nullptr);

// Means over the given heads, skipping absent values.
AnalysisSummary summarizeHeads(const std::vector<const HeadAnalysis*>& heads);

// What a reader must know to read the numbers of a model of this configuration, one sentence
// each: with rotary embeddings the bilinear form is taken before rotation and the logits,
// attention and K activations after it.
std::vector<std::string> analysisNotes(const ModelConfig& c);

}  // namespace qkv
