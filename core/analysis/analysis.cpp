// A model's analysis: capture, then each layer's weights and activations, layers in parallel.
#include "analysis/analysis.h"

#include <chrono>
#include <mutex>
#include <thread>

#include "analysis/analysis_parts.h"

namespace qkv {

namespace {
double msSince(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Mean {
    double sum = 0;
    int n = 0;
    void add(double v) {
        if (!std::isnan(v)) sum += v, ++n;
    }
    double value() const { return n ? sum / n : kNoValue; }
};
}  // namespace

AnalysisSummary summarizeHeads(const std::vector<const HeadAnalysis*>& heads) {
    Mean bA, bS, lA, lS, aA, aS, kvW, qkW, qvW, kvA, cka, cos, bE, ovE, lE, aE;
    auto sym = [](const SymmetryResult& r, Mean& a, Mean& s) {
        if (r.present) a.add(r.value.asymmetryIndex), s.add(r.value.symmetryScore);
    };
    auto ovl = [](const OverlapResult& r, Mean& m) {
        if (r.present) m.add(r.value.overlapMeanCos2);
    };
    auto erank = [](const SpectrumResult& r, Mean& m) {
        if (r.present) m.add(r.value.effectiveRank);
    };
    for (const HeadAnalysis* h : heads) {
        sym(h->bilinearSymmetry, bA, bS);
        sym(h->logitsSymmetry, lA, lS);
        sym(h->attentionSymmetry, aA, aS);
        ovl(h->kvWeights, kvW);
        ovl(h->qkWeights, qkW);
        ovl(h->qvWeights, qvW);
        if (h->kvActivations.present) {
            kvA.add(h->kvActivations.overlap.overlapMeanCos2);
            cka.add(h->kvActivations.cka);
            cos.add(h->kvActivations.meanCosine);
        }
        erank(h->bilinearSpectrum, bE);
        erank(h->ovSpectrum, ovE);
        erank(h->logitsSpectrum, lE);
        erank(h->attentionSpectrum, aE);
    }
    AnalysisSummary s;
    s.bilinearAsymmetry = bA.value(), s.bilinearSymmetryScore = bS.value();
    s.logitsAsymmetry = lA.value(), s.logitsSymmetryScore = lS.value();
    s.attentionAsymmetry = aA.value(), s.attentionSymmetryScore = aS.value();
    s.kvWeightOverlap = kvW.value(), s.qkWeightOverlap = qkW.value(),
    s.qvWeightOverlap = qvW.value();
    s.kvActivationOverlap = kvA.value(), s.kvCka = cka.value(), s.kvMeanCosine = cos.value();
    s.bilinearEffectiveRank = bE.value(), s.ovEffectiveRank = ovE.value();
    s.logitsEffectiveRank = lE.value(), s.attentionEffectiveRank = aE.value();
    return s;
}

std::vector<std::string> analysisNotes(const ModelConfig& c) {
    std::vector<std::string> notes;
    if (c.positions == PositionKind::Rotary) {
        notes.push_back("rotary embeddings (" + rotaryPairsId(c.ropePairs) +
                        " pairs): the bilinear form W_Q,h W_K,hT and the weight spectra and "
                        "overlaps are taken before the rotation; the logits, attention and K "
                        "activations after it, as attention computes them");
        if (queryIsKey(c.variant))
            notes.push_back("Q = K with rotary embeddings: the logits are not symmetric, since "
                            "query and key rotate by different positions");
    }
    return notes;
}

ModelAnalysis analyzeCapture(const Model& model, const Capture& capture,
                             const AnalysisOptions& options, const AnalysisProgress& progress,
                             const std::atomic<bool>* cancel) {
    const auto t0 = std::chrono::steady_clock::now();
    ModelAnalysis out;
    out.config = model.config();
    out.input = capture.input;
    const std::vector<LayerWeights> weights = extractWeights(model);
    const int L = int(weights.size());
    std::vector<LayerAnalysis> layers(static_cast<size_t>(L));
    std::vector<char> finished(size_t(L), 0);
    std::vector<double> weightMs(size_t(L), 0), activationMs(size_t(L), 0);

    // Layers are independent: workers take the next one until none is left or cancel is set.
    std::atomic<int> next{0}, done{0};
    auto work = [&](bool reports) {
        for (int i; (i = next.fetch_add(1)) < L;) {
            if (cancel && cancel->load()) return;
            LayerAnalysis& layer = layers[size_t(i)];
            layer.layer = i;
            const auto tw = std::chrono::steady_clock::now();
            analyzeLayerWeights(out.config, weights[size_t(i)], options.keepBilinearForms, layer);
            weightMs[size_t(i)] = msSince(tw);
            const auto ta = std::chrono::steady_clock::now();
            if (size_t(i) < capture.layers.size())
                analyzeLayerActivations(out.config, capture.layers[size_t(i)], layer);
            activationMs[size_t(i)] = msSince(ta);
            finished[size_t(i)] = 1;
            const int n = ++done;
            if (reports && progress) progress(n, L);
        }
    };
    std::vector<std::thread> helpers;
    for (int t = 1; t < std::min(options.threads, L); ++t) helpers.emplace_back(work, false);
    work(true);
    for (auto& t : helpers) t.join();

    for (int i = 0; i < L; ++i) {
        if (!finished[size_t(i)]) {
            out.cancelled = true;
            continue;
        }
        out.timings.weights += weightMs[size_t(i)];
        out.timings.activations += activationMs[size_t(i)];
        out.layers.push_back(std::move(layers[size_t(i)]));
    }
    std::vector<const HeadAnalysis*> all;
    for (const LayerAnalysis& layer : out.layers) {
        std::vector<const HeadAnalysis*> heads;
        for (const HeadAnalysis& h : layer.heads) heads.push_back(&h), all.push_back(&h);
        out.layerSummaries.push_back(summarizeHeads(heads));
    }
    out.modelSummary = summarizeHeads(all);
    if (progress && !out.cancelled) progress(L, L);
    out.timings.total = msSince(t0);
    return out;
}

ModelAnalysis analyzeModel(const Model& model, const PreparedInput& input,
                           const AnalysisOptions& options, const AnalysisProgress& progress,
                           const std::atomic<bool>* cancel) {
    const auto t0 = std::chrono::steady_clock::now();
    const Capture capture = captureAttention(model, input);
    const double captureMs = msSince(t0);
    ModelAnalysis out = analyzeCapture(model, capture, options, progress, cancel);
    out.timings.capture = captureMs;
    out.timings.total += captureMs;
    return out;
}

}  // namespace qkv
