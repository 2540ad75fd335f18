// The on-input half of a layer's analysis: logits and attention maps, K and V activations.
#include <cmath>

#include "analysis/analysis_parts.h"

namespace qkv {

namespace {
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
        a.cka = linearCka(k, val);
        a.meanCosine = meanCosine(k, val);
    }

    if (out.heads.size() != size_t(H)) out.heads.resize(size_t(H));
    const double scale = 1.0 / std::sqrt(double(c.headDim()));
    for (int h = 0; h < H; ++h) {
        HeadAnalysis& r = out.heads[size_t(h)];
        const int j = h / group;
        r.layer = out.layer, r.head = h, r.kvHead = j;
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
    }
}

}  // namespace qkv
