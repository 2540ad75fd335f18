// The on-input half of a layer's analysis: logits and attention maps, K and V activations.
#include <cmath>

#include "analysis/analysis_parts.h"

namespace qkv {

namespace {
// Mean row entropy of an attention map (0 ln 0 = 0: masked keys carry no probability).
double meanRowEntropy(const Eigen::MatrixXd& a) {
    double total = 0;
    for (Eigen::Index i = 0; i < a.rows(); ++i)
        for (Eigen::Index j = 0; j < a.cols(); ++j)
            if (a(i, j) > 0) total -= a(i, j) * std::log(a(i, j));
    return a.rows() ? total / double(a.rows()) : kNoValue;
}

double previousTokenScore(const Eigen::MatrixXd& a) {
    if (a.rows() < 2 || a.cols() < 2) return kNoValue;
    double total = 0;
    for (Eigen::Index i = 1; i < a.rows(); ++i) total += a(i, i - 1);
    return total / double(a.rows() - 1);
}

SymmetryResult symmetryResult(const Eigen::MatrixXd& m, std::string fixed = {}) {
    SymmetryResult r;
    r.present = true;
    r.fixedByVariant = std::move(fixed);
    r.value = symmetryOf(m);
    return r;
}
}  // namespace

void analyzeLayerActivations(const ModelConfig& c, const LayerCapture& cap, LayerAnalysis& out) {
    const int H = c.heads, g = c.kvHeadCount(), group = H / g;
    const Variant v = c.variant;
    const bool symmetricLogits =
        queryIsKey(v) && !c.posBias && c.positions != PositionKind::Rotary;

    std::vector<ActivationComparison> kv(static_cast<size_t>(g));
    for (int j = 0; j < g; ++j) {
        const Eigen::MatrixXd k = cap.k[size_t(j)].cast<double>(),
                              val = cap.v[size_t(j)].cast<double>();
        ActivationComparison& a = kv[size_t(j)];
        a.present = true;
        if (valueIsKey(v)) a.fixedByVariant = "V = K: the same activations";
        a.overlap = subspaceOverlap(k, val);  // column spaces in R^T
        if (!valueIsKey(v) && a.overlap.dimA == k.rows() && a.overlap.dimB == k.rows())
            a.notInformative = "T <= d_h: the key and value activations both span all of R^T, so "
                               "their overlap is 1 whatever the weights";
        a.cka = linearCka(k, val);
        a.meanCosine = meanCosine(k, val);
    }

    // out.heads holds H entries already (see layerAnalyses): the weights half may be writing
    // other fields of them on another thread.
    const double scale = c.logitScale();
    for (int h = 0; h < H; ++h) {
        HeadAnalysis& r = out.heads[size_t(h)];
        const int j = h / group;
        const Eigen::MatrixXd s = cap.logits[size_t(h)].cast<double>();
        const Eigen::MatrixXd a = cap.attn[size_t(h)].cast<double>();
        r.logitsSymmetry =
            symmetryResult(s, symmetricLogits ? "Q = K without the positional bias: S = Sᵀ" : "");
        r.attentionSymmetry = symmetryResult(a);
        if (c.posBias) {
            // S′ = (Σw)·S + P′ with a full-rank positional term: no low-rank shortcut.
            r.logitsSpectrum = presentSpectrum(singularValuesAuto(s));
        } else {
            // S = Q_h K_hᵀ / √d_h has rank ≤ d_h (Q and K as captured: rotated, with rotary
            // embeddings): its exact values from the thin factors.
            std::vector<double> sv = singularValuesOfProduct(cap.q[size_t(h)].cast<double>(),
                                                             cap.k[size_t(j)].cast<double>());
            for (double& x : sv) x *= scale;
            r.logitsSpectrum = presentSpectrum(std::move(sv));
        }
        r.attentionSpectrum = presentSpectrum(singularValuesAuto(a));
        r.kvActivations = kv[size_t(j)];
        r.attentionEntropy = meanRowEntropy(a);
        r.previousTokenScore = previousTokenScore(a);
    }
}

}  // namespace qkv
