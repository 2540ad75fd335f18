#include "analysis_values.h"

#include <cmath>

namespace qkvviews {

namespace {
const double kNaN = std::nan("");

const qkv::HeadAnalysis* headAt(const qkv::ModelAnalysis& a, int layer, int head) {
    if (layer < 0 || layer >= int(a.layers.size())) return nullptr;
    const auto& heads = a.layers[size_t(layer)].heads;
    return head >= 0 && head < int(heads.size()) ? &heads[size_t(head)] : nullptr;
}

template <typename F>
Eigen::MatrixXd table(const qkv::ModelAnalysis& a, F value) {
    const int layers = int(a.layers.size());
    int heads = 0;
    for (const auto& l : a.layers) heads = std::max(heads, int(l.heads.size()));
    Eigen::MatrixXd t = Eigen::MatrixXd::Constant(layers, heads, kNaN);
    for (int l = 0; l < layers; ++l)
        for (int h = 0; h < int(a.layers[size_t(l)].heads.size()); ++h)
            t(l, h) = value(a.layers[size_t(l)].heads[size_t(h)]);
    return t;
}

const qkv::OverlapResult* overlapOf(const qkv::HeadAnalysis& h, OverlapPair pair) {
    switch (pair) {
        case OverlapPair::KvWeights:
            return &h.kvWeights;
        case OverlapPair::QkWeights:
            return &h.qkWeights;
        case OverlapPair::QvWeights:
            return &h.qvWeights;
        default:
            return nullptr;
    }
}
}  // namespace

QStringList symmetrySourceNames() {
    return {"bilinear form W_Q,h W_K,hᵀ", "logits S", "attention A"};
}
QStringList overlapPairNames() {
    return {"K/V weights", "Q/K weights", "Q/V weights", "K/V activations", "K/V linear CKA"};
}
QStringList spectrumKindNames() {
    return {"W_Q (layer)",
            "W_K (layer)",
            "W_V (layer)",
            "W_O (layer)",
            "W_Q,h",
            "W_K,h",
            "W_V,h",
            "W_O,h",
            "bilinear W_Q,h W_K,hᵀ",
            "OV circuit W_V,h W_O,h",
            "logits S_h",
            "attention A_h"};
}
QStringList rankKindNames() {
    return {"effective rank", "stable rank", "rank at 90 % energy", "rank at 99 % energy"};
}

Eigen::MatrixXd symmetryTable(const qkv::ModelAnalysis& a, SymmetrySource source,
                              SymmetryMeasureKind measure) {
    return table(a, [&](const qkv::HeadAnalysis& h) {
        const qkv::SymmetryResult& r = source == SymmetrySource::BilinearForm ? h.bilinearSymmetry
                                       : source == SymmetrySource::Logits     ? h.logitsSymmetry
                                                                              : h.attentionSymmetry;
        if (!r.present) return kNaN;
        return measure == SymmetryMeasureKind::AsymmetryIndex ? r.value.asymmetryIndex
                                                              : r.value.symmetryScore;
    });
}

Eigen::MatrixXd overlapTable(const qkv::ModelAnalysis& a, OverlapPair pair) {
    return table(a, [&](const qkv::HeadAnalysis& h) {
        if (pair == OverlapPair::KvActivations)
            return h.kvActivations.present ? h.kvActivations.overlap.overlapMeanCos2 : kNaN;
        if (pair == OverlapPair::KvCka) return h.kvActivations.present ? h.kvActivations.cka : kNaN;
        const qkv::OverlapResult* r = overlapOf(h, pair);
        return r && r->present ? r->value.overlapMeanCos2 : kNaN;
    });
}

std::vector<double> principalAnglesDeg(const qkv::ModelAnalysis& a, int layer, int head,
                                       OverlapPair pair) {
    const qkv::HeadAnalysis* h = headAt(a, layer, head);
    if (!h) return {};
    if (pair == OverlapPair::KvActivations || pair == OverlapPair::KvCka)
        return h->kvActivations.present ? h->kvActivations.overlap.principalAnglesDeg
                                        : std::vector<double>{};
    const qkv::OverlapResult* r = overlapOf(*h, pair);
    return r && r->present ? r->value.principalAnglesDeg : std::vector<double>{};
}

const qkv::SpectrumResult* spectrumOf(const qkv::ModelAnalysis& a, SpectrumKind kind, int layer,
                                      int head) {
    if (layer < 0 || layer >= int(a.layers.size())) return nullptr;
    const qkv::LayerAnalysis& l = a.layers[size_t(layer)];
    const qkv::SpectrumResult* r = nullptr;
    switch (kind) {
        case SpectrumKind::WQ:
            r = &l.wQ;
            break;
        case SpectrumKind::WK:
            r = &l.wK;
            break;
        case SpectrumKind::WV:
            r = &l.wV;
            break;
        case SpectrumKind::WO:
            r = &l.wO;
            break;
        default: {
            const qkv::HeadAnalysis* h = headAt(a, layer, head);
            if (!h) return nullptr;
            switch (kind) {
                case SpectrumKind::HeadWQ:
                    r = &h->wQ;
                    break;
                case SpectrumKind::HeadWK:
                    r = &h->wK;
                    break;
                case SpectrumKind::HeadWV:
                    r = &h->wV;
                    break;
                case SpectrumKind::HeadWO:
                    r = &h->wO;
                    break;
                case SpectrumKind::Bilinear:
                    r = &h->bilinearSpectrum;
                    break;
                case SpectrumKind::Ov:
                    r = &h->ovSpectrum;
                    break;
                case SpectrumKind::Logits:
                    r = &h->logitsSpectrum;
                    break;
                default:
                    r = &h->attentionSpectrum;
                    break;
            }
        }
    }
    return r && r->present ? r : nullptr;
}

QVector<double> rankPerLayer(const qkv::ModelAnalysis& a, SpectrumKind kind, RankKind rank) {
    auto value = [rank](const qkv::Spectrum& s) {
        switch (rank) {
            case RankKind::Effective:
                return s.effectiveRank;
            case RankKind::Stable:
                return s.stableRank;
            case RankKind::Energy90:
                return double(s.rank90);
            default:
                return double(s.rank99);
        }
    };
    const bool perLayer = kind == SpectrumKind::WQ || kind == SpectrumKind::WK ||
                          kind == SpectrumKind::WV || kind == SpectrumKind::WO;
    QVector<double> out;
    for (int l = 0; l < int(a.layers.size()); ++l) {
        double sum = 0;
        int n = 0;
        const int heads = perLayer ? 1 : int(a.layers[size_t(l)].heads.size());
        for (int h = 0; h < heads; ++h)
            if (const qkv::SpectrumResult* s = spectrumOf(a, kind, l, h)) {
                sum += value(s->value);
                ++n;
            }
        out << (n ? sum / n : kNaN);
    }
    return out;
}

}  // namespace qkvviews
