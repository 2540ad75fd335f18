#include "analysis/report.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <cstdio>
#include <functional>

#include "io/json_fields.h"

namespace qkv {

namespace {

QString q(const std::string& s) {
    return QString::fromStdString(s);
}

QJsonArray numbers(const std::vector<double>& v) {
    QJsonArray a;
    for (double x : v) a.append(numberOrNull(x));
    return a;
}

void notes(QJsonObject& o, const Availability& r) {
    if (!r.present) o["absent"] = q(r.absentReason);
    if (!r.fixedByVariant.empty()) o["fixed_by_variant"] = q(r.fixedByVariant);
    if (!r.notInformative.empty()) o["not_informative"] = q(r.notInformative);
}

void addSpectrum(QJsonObject& o, const SpectrumResult& r) {
    if (!r.present) return;
    o["singular_values"] = numbers(r.value.singularValues);
    o["effective_rank"] = numberOrNull(r.value.effectiveRank);
    o["stable_rank"] = numberOrNull(r.value.stableRank);
    o["rank90"] = r.value.rank90;
    o["rank99"] = r.value.rank99;
}

void addSymmetry(QJsonObject& o, const SymmetryResult& r) {
    if (!r.present) return;
    o["symmetry_score"] = numberOrNull(r.value.symmetryScore);
    o["asymmetry_index"] = numberOrNull(r.value.asymmetryIndex);
}

QJsonObject spectrumJson(const SpectrumResult& r) {
    QJsonObject o;
    notes(o, r);
    addSpectrum(o, r);
    return o;
}

// A square map measured both ways (bilinear form, logits, attention).
QJsonObject squareJson(const SymmetryResult& sym, const SpectrumResult& spec) {
    QJsonObject o;
    notes(o, sym);
    addSymmetry(o, sym);
    addSpectrum(o, spec);
    return o;
}

void addOverlap(QJsonObject& o, const SubspaceOverlap& v) {
    o["principal_angles_deg"] = numbers(v.principalAnglesDeg);
    o["overlap_mean_cos2"] = numberOrNull(v.overlapMeanCos2);
    o["dim_a"] = v.dimA;
    o["dim_b"] = v.dimB;
}

QJsonObject overlapJson(const OverlapResult& r) {
    QJsonObject o;
    notes(o, r);
    if (r.present) addOverlap(o, r.value);
    return o;
}

QJsonObject summaryJson(const AnalysisSummary& s) {
    QJsonObject o;
    o["bilinear_form_asymmetry_index"] = numberOrNull(s.bilinearAsymmetry);
    o["bilinear_form_symmetry_score"] = numberOrNull(s.bilinearSymmetryScore);
    o["logits_asymmetry_index"] = numberOrNull(s.logitsAsymmetry);
    o["logits_symmetry_score"] = numberOrNull(s.logitsSymmetryScore);
    o["attention_asymmetry_index"] = numberOrNull(s.attentionAsymmetry);
    o["attention_symmetry_score"] = numberOrNull(s.attentionSymmetryScore);
    o["weights_kv_overlap_mean_cos2"] = numberOrNull(s.kvWeightOverlap);
    o["weights_qk_overlap_mean_cos2"] = numberOrNull(s.qkWeightOverlap);
    o["weights_qv_overlap_mean_cos2"] = numberOrNull(s.qvWeightOverlap);
    o["activations_kv_overlap_mean_cos2"] = numberOrNull(s.kvActivationOverlap);
    o["activations_kv_cka"] = numberOrNull(s.kvCka);
    o["activations_kv_mean_cosine"] = numberOrNull(s.kvMeanCosine);
    o["bilinear_form_effective_rank"] = numberOrNull(s.bilinearEffectiveRank);
    o["ov_circuit_effective_rank"] = numberOrNull(s.ovEffectiveRank);
    o["logits_effective_rank"] = numberOrNull(s.logitsEffectiveRank);
    o["attention_effective_rank"] = numberOrNull(s.attentionEffectiveRank);
    o["attention_entropy"] = numberOrNull(s.attentionEntropy);
    o["previous_token_score"] = numberOrNull(s.previousTokenScore);
    return o;
}

QJsonObject headJson(const HeadAnalysis& h) {
    QJsonObject o;
    o["head"] = h.head;
    o["kv_head"] = h.kvHead;
    o["bilinear_form"] = squareJson(h.bilinearSymmetry, h.bilinearSpectrum);
    o["ov_circuit"] = spectrumJson(h.ovSpectrum);
    o["logits"] = squareJson(h.logitsSymmetry, h.logitsSpectrum);
    o["attention"] = squareJson(h.attentionSymmetry, h.attentionSpectrum);
    o["w_q"] = spectrumJson(h.wQ);
    o["w_k"] = spectrumJson(h.wK);
    o["w_v"] = spectrumJson(h.wV);
    o["w_o"] = spectrumJson(h.wO);
    o["weights_kv"] = overlapJson(h.kvWeights);
    o["weights_qk"] = overlapJson(h.qkWeights);
    o["weights_qv"] = overlapJson(h.qvWeights);
    o["attention_entropy"] = numberOrNull(h.attentionEntropy);
    o["previous_token_score"] = numberOrNull(h.previousTokenScore);
    QJsonObject act;
    notes(act, h.kvActivations);
    if (h.kvActivations.present) {
        addOverlap(act, h.kvActivations.overlap);
        act["cka"] = numberOrNull(h.kvActivations.cka);
        act["mean_cosine"] = numberOrNull(h.kvActivations.meanCosine);
    }
    o["activations_kv"] = act;
    return o;
}

QJsonObject configJson(const ModelConfig& c) {
    QJsonObject o;
    o["arch"] = q(architectureId(c.arch));
    o["variant"] = q(variantId(c.variant));
    o["d_model"] = c.dModel;
    o["layers"] = c.layers;
    o["heads"] = c.heads;
    o["kv_heads"] = c.kvHeadCount();
    o["head_dim"] = c.headDim();
    o["vocab"] = c.vocab;
    o["context"] = c.context;
    o["pos_bias"] = c.posBias;
    o["family"] = q(c.family);
    o["positions"] = q(positionsId(c.positions));
    if (c.positions == PositionKind::Rotary) o["rope_pairs"] = q(rotaryPairsId(c.ropePairs));
    return o;
}

// Visits every scalar of one run as (layer, head, measure, value, note); "all" for whole ones.
using ScalarVisitor = std::function<void(const std::string&, const std::string&, const std::string&,
                                         double, const std::string&)>;

void visitSpectrum(const ScalarVisitor& f, const std::string& l, const std::string& h,
                   const std::string& name, const SpectrumResult& r) {
    const std::string note = r.present ? r.fixedByVariant : "absent: " + r.absentReason;
    if (!r.present) return f(l, h, name, kNoValue, note);
    f(l, h, name + ".effective_rank", r.value.effectiveRank, note);
    f(l, h, name + ".stable_rank", r.value.stableRank, note);
    f(l, h, name + ".rank90", r.value.rank90, note);
    f(l, h, name + ".rank99", r.value.rank99, note);
}

void visitSymmetry(const ScalarVisitor& f, const std::string& l, const std::string& h,
                   const std::string& name, const SymmetryResult& r) {
    const std::string note = r.present ? r.fixedByVariant : "absent: " + r.absentReason;
    if (!r.present) return f(l, h, name, kNoValue, note);
    f(l, h, name + ".symmetry_score", r.value.symmetryScore, note);
    f(l, h, name + ".asymmetry_index", r.value.asymmetryIndex, note);
}

void visitOverlap(const ScalarVisitor& f, const std::string& l, const std::string& h,
                  const std::string& name, const OverlapResult& r) {
    const std::string note = r.present ? r.fixedByVariant : "absent: " + r.absentReason;
    f(l, h, name + ".overlap_mean_cos2", r.present ? r.value.overlapMeanCos2 : kNoValue, note);
}

void visitSummary(const ScalarVisitor& f, const std::string& l, const AnalysisSummary& s) {
    const QJsonObject o = summaryJson(s);
    for (auto it = o.begin(); it != o.end(); ++it)
        f(l, "mean", "summary." + it.key().toStdString(), numberOrNaN(it.value()), "");
}

void visitScalars(const ModelAnalysis& a, const ScalarVisitor& f) {
    for (size_t li = 0; li < a.layers.size(); ++li) {
        const LayerAnalysis& layer = a.layers[li];
        const std::string l = std::to_string(layer.layer);
        visitSpectrum(f, l, "all", "w_q", layer.wQ);
        visitSpectrum(f, l, "all", "w_k", layer.wK);
        visitSpectrum(f, l, "all", "w_v", layer.wV);
        visitSpectrum(f, l, "all", "w_o", layer.wO);
        for (const HeadAnalysis& h : layer.heads) {
            const std::string hd = std::to_string(h.head);
            visitSymmetry(f, l, hd, "bilinear_form", h.bilinearSymmetry);
            visitSpectrum(f, l, hd, "bilinear_form", h.bilinearSpectrum);
            visitSpectrum(f, l, hd, "ov_circuit", h.ovSpectrum);
            visitSymmetry(f, l, hd, "logits", h.logitsSymmetry);
            visitSpectrum(f, l, hd, "logits", h.logitsSpectrum);
            visitSymmetry(f, l, hd, "attention", h.attentionSymmetry);
            visitSpectrum(f, l, hd, "attention", h.attentionSpectrum);
            f(l, hd, "attention.entropy", h.attentionEntropy, "");
            f(l, hd, "attention.previous_token_score", h.previousTokenScore, "");
            for (auto [name, r] :
                 {std::pair{"w_q", &h.wQ}, {"w_k", &h.wK}, {"w_v", &h.wV}, {"w_o", &h.wO}})
                visitSpectrum(f, l, hd, name, *r);
            visitOverlap(f, l, hd, "weights_kv", h.kvWeights);
            visitOverlap(f, l, hd, "weights_qk", h.qkWeights);
            visitOverlap(f, l, hd, "weights_qv", h.qvWeights);
            const ActivationComparison& act = h.kvActivations;
            const std::string note =
                act.present ? act.fixedByVariant : "absent: " + act.absentReason;
            f(l, hd, "activations_kv.overlap_mean_cos2", act.overlap.overlapMeanCos2, note);
            f(l, hd, "activations_kv.cka", act.cka, note);
            f(l, hd, "activations_kv.mean_cosine", act.meanCosine, note);
        }
        if (li < a.layerSummaries.size()) visitSummary(f, l, a.layerSummaries[li]);
    }
    visitSummary(f, "all", a.modelSummary);
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string number(double v) {
    if (std::isnan(v)) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}

}  // namespace

QJsonObject analysisToJson(const AnalysisReportEntry& e) {
    const ModelAnalysis& a = e.analysis;
    QJsonObject o;
    o["run"] = q(e.run);
    o["path"] = q(e.path);
    o["variant"] = q(variantId(a.config.variant));
    o["variant_name"] = q(variantPaperName(a.config.variant));
    o["config"] = configJson(a.config);
    QJsonObject input;
    input["description"] = q(a.input.description);
    QJsonArray labels, tokens;
    for (const auto& l : a.input.labels) labels.append(q(l));
    for (int64_t t : a.input.tokens) tokens.append(qint64(t));
    input["labels"] = labels;
    input["tokens"] = tokens;
    input["length"] = a.input.length();
    o["input"] = input;
    QJsonObject timings;
    timings["capture"] = a.timings.capture;
    timings["weights"] = a.timings.weights;
    timings["activations"] = a.timings.activations;
    timings["total"] = a.timings.total;
    o["timings_ms"] = timings;
    o["cancelled"] = a.cancelled;
    QJsonArray notes;
    for (const std::string& n : analysisNotes(a.config)) notes.append(q(n));
    o["notes"] = notes;
    o["summary"] = summaryJson(a.modelSummary);
    QJsonArray layers;
    for (size_t i = 0; i < a.layers.size(); ++i) {
        const LayerAnalysis& l = a.layers[i];
        QJsonObject lo;
        lo["layer"] = l.layer;
        if (i < a.layerSummaries.size()) lo["summary"] = summaryJson(a.layerSummaries[i]);
        lo["w_q"] = spectrumJson(l.wQ);
        lo["w_k"] = spectrumJson(l.wK);
        lo["w_v"] = spectrumJson(l.wV);
        lo["w_o"] = spectrumJson(l.wO);
        QJsonArray heads;
        for (const HeadAnalysis& h : l.heads) heads.append(headJson(h));
        lo["heads"] = heads;
        layers.append(lo);
    }
    o["layers"] = layers;
    return o;
}

std::string analysisReportJson(const std::vector<AnalysisReportEntry>& entries) {
    QJsonObject root;
    root["schema"] = "qkvlab-analysis/1";
    QJsonArray runs;
    for (const auto& e : entries) runs.append(analysisToJson(e));
    root["runs"] = runs;
    return QJsonDocument(root).toJson(QJsonDocument::Indented).toStdString();
}

std::string measuresCsv(const std::vector<AnalysisReportEntry>& entries) {
    std::string out = "run,variant,layer,head,measure,value,note\n";
    for (const auto& e : entries) {
        const std::string prefix =
            csvField(e.run) + "," + variantId(e.analysis.config.variant) + ",";
        visitScalars(e.analysis, [&](const std::string& l, const std::string& h,
                                     const std::string& m, double v, const std::string& note) {
            out += prefix + l + "," + h + "," + m + "," + number(v) + "," + csvField(note) + "\n";
        });
    }
    return out;
}

std::string spectraCsv(const std::vector<AnalysisReportEntry>& entries) {
    std::string out = "run,variant,layer,head,matrix,index,singular_value\n";
    for (const auto& e : entries) {
        const std::string prefix =
            csvField(e.run) + "," + variantId(e.analysis.config.variant) + ",";
        auto rows = [&](const std::string& l, const std::string& h, const char* m,
                        const SpectrumResult& r) {
            if (!r.present) return;
            for (size_t i = 0; i < r.value.singularValues.size(); ++i)
                out += prefix + l + "," + h + "," + m + "," + std::to_string(i) + "," +
                       number(r.value.singularValues[i]) + "\n";
        };
        for (const LayerAnalysis& layer : e.analysis.layers) {
            const std::string l = std::to_string(layer.layer);
            rows(l, "all", "w_q", layer.wQ), rows(l, "all", "w_k", layer.wK);
            rows(l, "all", "w_v", layer.wV), rows(l, "all", "w_o", layer.wO);
            for (const HeadAnalysis& h : layer.heads) {
                const std::string hd = std::to_string(h.head);
                rows(l, hd, "w_q", h.wQ), rows(l, hd, "w_k", h.wK), rows(l, hd, "w_v", h.wV);
                rows(l, hd, "w_o", h.wO), rows(l, hd, "bilinear_form", h.bilinearSpectrum);
                rows(l, hd, "ov_circuit", h.ovSpectrum), rows(l, hd, "logits", h.logitsSpectrum);
                rows(l, hd, "attention", h.attentionSpectrum);
            }
        }
    }
    return out;
}

std::string anglesCsv(const std::vector<AnalysisReportEntry>& entries) {
    std::string out = "run,variant,layer,head,pair,index,angle_deg\n";
    for (const auto& e : entries) {
        const std::string prefix =
            csvField(e.run) + "," + variantId(e.analysis.config.variant) + ",";
        auto rows = [&](const std::string& l, const std::string& h, const char* pair, bool present,
                        const SubspaceOverlap& v) {
            if (!present) return;
            for (size_t i = 0; i < v.principalAnglesDeg.size(); ++i)
                out += prefix + l + "," + h + "," + pair + "," + std::to_string(i) + "," +
                       number(v.principalAnglesDeg[i]) + "\n";
        };
        for (const LayerAnalysis& layer : e.analysis.layers)
            for (const HeadAnalysis& h : layer.heads) {
                const std::string l = std::to_string(layer.layer), hd = std::to_string(h.head);
                rows(l, hd, "weights_kv", h.kvWeights.present, h.kvWeights.value);
                rows(l, hd, "weights_qk", h.qkWeights.present, h.qkWeights.value);
                rows(l, hd, "weights_qv", h.qvWeights.present, h.qvWeights.value);
                rows(l, hd, "activations_kv", h.kvActivations.present, h.kvActivations.overlap);
            }
    }
    return out;
}

}  // namespace qkv
