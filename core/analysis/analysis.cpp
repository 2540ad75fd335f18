// A model's analysis: capture, then each layer's weights and activations, layers in parallel.
#include "analysis/analysis.h"

#include <chrono>
#include <mutex>
#include <thread>

#include "analysis/analysis_parts.h"
#include "analysis/layer_pipeline.h"

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
    Mean bA, bS, lA, lS, aA, aS, kvW, qkW, qvW, kvA, cka, cos, bE, ovE, lE, aE, ent, prev;
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
        ent.add(h->attentionEntropy);
        prev.add(h->previousTokenScore);
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
    s.attentionEntropy = ent.value(), s.previousTokenScore = prev.value();
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

std::vector<LayerAnalysis> layerAnalyses(const ModelConfig& c) {
    std::vector<LayerAnalysis> layers(size_t(c.layers));
    const int H = c.heads, group = H / c.kvHeadCount();
    for (int l = 0; l < c.layers; ++l) {
        layers[size_t(l)].layer = l;
        layers[size_t(l)].heads.resize(size_t(H));
        for (int h = 0; h < H; ++h) {
            HeadAnalysis& r = layers[size_t(l)].heads[size_t(h)];
            r.layer = l, r.head = h, r.kvHead = h / group;
        }
    }
    return layers;
}

namespace {
// The finished layers into `out`, with the summaries and timings.
void collect(ModelAnalysis& out, std::vector<LayerAnalysis>& layers, const LayerPipeline& pipeline) {
    for (int i = 0; i < int(layers.size()); ++i) {
        if (!pipeline.layerDone(i)) {
            out.cancelled = true;
            continue;
        }
        out.layers.push_back(std::move(layers[size_t(i)]));
    }
    out.timings.weights = pipeline.weightMs();
    out.timings.activations = pipeline.activationMs();
    std::vector<const HeadAnalysis*> all;
    for (const LayerAnalysis& layer : out.layers) {
        std::vector<const HeadAnalysis*> heads;
        for (const HeadAnalysis& h : layer.heads) heads.push_back(&h), all.push_back(&h);
        out.layerSummaries.push_back(summarizeHeads(heads));
    }
    out.modelSummary = summarizeHeads(all);
}
}  // namespace

ModelAnalysis analyzeCapture(const Model& model, const Capture& capture,
                             const AnalysisOptions& options, const AnalysisProgress& progress,
                             const std::atomic<bool>* cancel) {
    const auto t0 = std::chrono::steady_clock::now();
    ModelAnalysis out;
    out.config = model.config();
    out.input = capture.input;
    std::vector<LayerAnalysis> layers = layerAnalyses(out.config);
    {
        LayerPipeline pipeline(model, options, layers, cancel);
        for (int l = 0; l < int(layers.size()) && size_t(l) < capture.layers.size(); ++l)
            pipeline.addActivations(l, std::make_shared<LayerCapture>(capture.layers[size_t(l)]));
        pipeline.finish(progress);
        collect(out, layers, pipeline);
    }
    out.timings.total = msSince(t0);
    return out;
}

ModelAnalysis analyzeModel(const Model& model, const PreparedInput& input,
                           const AnalysisOptions& options, const AnalysisProgress& progress,
                           const std::atomic<bool>* cancel, Capture* keep) {
    const auto t0 = std::chrono::steady_clock::now();
    ModelAnalysis out;
    out.config = model.config();
    out.input = input;
    const ModelConfig& c = out.config;
    const int64_t T = input.length();
    const bool pool = int64_t(c.layers) * c.heads * 2 * T * T * int64_t(sizeof(float)) >
                      options.mapBudgetBytes;
    if (keep) {
        keep->config = c;
        keep->input = input;
        keep->layers.assign(size_t(c.layers), {});
    }
    std::vector<LayerAnalysis> layers = layerAnalyses(c);
    {
        LayerPipeline pipeline(model, options, layers, cancel);
        double captureMs = 0;
        forEachCapturedLayer(model, input, cancel, [&](int l, LayerCapture&& captured) {
            const auto tc = std::chrono::steady_clock::now();
            auto shared = std::make_shared<LayerCapture>(std::move(captured));
            captureMs += msSince(tc);
            pipeline.addActivations(l, shared, [&, l, pool](LayerCapture& cap) {
                if (!keep) return;
                if (pool) poolMaps(cap, options.pooledMapSide);
                keep->layers[size_t(l)] = std::move(cap);
            });
        }, &captureMs);
        pipeline.finish(progress);
        collect(out, layers, pipeline);
        out.timings.capture = captureMs;
    }
    out.timings.total = msSince(t0);
    return out;
}

}  // namespace qkv
