// A model's analysis per variant: the values the variant fixes come out exactly, absent
// matrices are absent, and the per-head slicing (GQA, Linear's (out, in) layout) matches a
// direct computation from the module's weights.
#include <QtTest>

#include <torch/torch.h>

#include "analysis/analysis.h"
#include "analysis/map_region.h"
#include "common/errors.h"
#include "model/transformer.h"

using namespace qkv;

Q_DECLARE_METATYPE(qkv::Variant)
Q_DECLARE_METATYPE(qkv::Architecture)

namespace {

ModelConfig config(Variant v, int kvHeads, bool posBias, Architecture arch) {
    ModelConfig c;
    c.arch = arch;
    c.variant = v;
    c.dModel = 32;
    c.heads = 4;
    c.kvHeads = kvHeads;
    c.layers = 2;
    c.vocab = 10;
    c.context = 12;
    c.posBias = posBias;
    return c;
}

PreparedInput tokens(int n) {
    TaskConfig task;
    std::vector<int64_t> ids;
    for (int i = 0; i < n; ++i) ids.push_back((i * 7 + 3) % 10);
    ModelConfig c = config(Variant::Qkv, 0, false, Architecture::Encoder);
    return prepareInput(c, task, AnalysisInput::fromTokens(ids));
}

Eigen::MatrixXd weight(const Linear& l) {  // (out, in) as stored
    auto t = l->weight.detach().to(torch::kFloat64).contiguous();
    using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    return Eigen::Map<const RowMajor>(t.data_ptr<double>(), t.size(0), t.size(1));
}

double maxRel(const std::vector<double>& a, const std::vector<double>& b, size_t n) {
    double m = 0;
    for (size_t i = 0; i < n; ++i) m = std::max(m, std::abs(a[i] - b[i]) / b[0]);
    return m;
}

void addRows() {
    QTest::addColumn<Variant>("variant");
    QTest::addColumn<int>("kvHeads");
    QTest::addColumn<bool>("posBias");
    QTest::addColumn<Architecture>("arch");
    for (Variant v : allVariants())
        for (bool bias : {false, true}) {
            const int g = needsFullKvHeads(v) ? 4 : 2;
            for (Architecture a : {Architecture::Encoder, Architecture::Decoder})
                QTest::newRow(qPrintable(QString("%1 g%2%3 %4")
                                             .arg(QString::fromStdString(variantId(v)))
                                             .arg(g)
                                             .arg(bias ? " +bias" : "")
                                             .arg(QString::fromStdString(architectureId(a)))))
                    << v << g << bias << a;
        }
}

}  // namespace

class TestModelAnalysis : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // T ≤ d_h: K and V activations both span R^T, so their overlap says nothing; it is 1 (never
    // more), and the analysis says why.
    void kvActivationOverlapOfShortInputsIsMarked() {
        const Model model(config(Variant::Qkv, 4, false, Architecture::Decoder), 11);
        const ModelAnalysis a = analyzeModel(model, tokens(4), AnalysisOptions{});
        for (const LayerAnalysis& layer : a.layers)
            for (const HeadAnalysis& h : layer.heads) {
                QVERIFY(h.kvActivations.overlap.overlapMeanCos2 <= 1.0);
                QVERIFY(h.kvActivations.overlap.overlapMeanCos2 > 1.0 - 1e-9);
                QVERIFY(h.kvActivations.notInformative.find("T <= d_h") != std::string::npos);
            }
    }
    void fixedValuesAndAbsences_data() { addRows(); }
    void fixedValuesAndAbsences() {
        QFETCH(Variant, variant);
        QFETCH(int, kvHeads);
        QFETCH(bool, posBias);
        QFETCH(Architecture, arch);
        const Model model(config(variant, kvHeads, posBias, arch), 11);
        AnalysisOptions keep;
        keep.keepBilinearForms = true;  // so that the forms themselves can be checked below
        const ModelAnalysis a = analyzeModel(model, tokens(12), keep);
        QCOMPARE(int(a.layers.size()), 2);
        QVERIFY(!a.cancelled);
        const bool qIsK = queryIsKey(variant), vIsK = valueIsKey(variant);
        const bool mlpQ = variant == Variant::MlpQ;
        for (const LayerAnalysis& layer : a.layers) {
            QCOMPARE(layer.wQ.present, !mlpQ);
            QVERIFY(layer.wK.present && layer.wV.present && layer.wO.present);
            QCOMPARE(!layer.wV.fixedByVariant.empty(), vIsK);
            QCOMPARE(int(layer.heads.size()), 4);
            for (const HeadAnalysis& h : layer.heads) {
                QCOMPARE(h.kvHead, h.head / (4 / kvHeads));
                // Absent for mlp-q, with a reason; present otherwise.
                QCOMPARE(h.bilinearSymmetry.present, !mlpQ);
                QCOMPARE(h.qkWeights.present, !mlpQ);
                QCOMPARE(h.wQ.present, !mlpQ);
                QCOMPARE(h.bilinearForm.size() > 0, !mlpQ);
                if (mlpQ) QVERIFY(!h.bilinearSymmetry.absentReason.empty());
                QVERIFY(h.logitsSymmetry.present && h.attentionSymmetry.present);
                QVERIFY(h.kvActivations.present && h.ovSpectrum.present);

                // Q = K: the bilinear form is symmetric, exactly, bias or not.
                if (qIsK) {
                    QCOMPARE(h.bilinearSymmetry.value.asymmetryIndex, 0.0);
                    QVERIFY(!h.bilinearSymmetry.fixedByVariant.empty());
                } else if (!mlpQ) {
                    QVERIFY(h.bilinearSymmetry.value.asymmetryIndex > 1e-3);
                }
                // Logits: exactly symmetric for Q = K without the bias, directed with it.
                if (qIsK && !posBias) {
                    QCOMPARE(h.logitsSymmetry.value.asymmetryIndex, 0.0);
                    QCOMPARE(h.logitsSymmetry.value.symmetryScore, 1.0);
                    QVERIFY(!h.logitsSymmetry.fixedByVariant.empty());
                } else {
                    QVERIFY2(h.logitsSymmetry.value.asymmetryIndex > 1e-3,
                             qPrintable(QString::number(h.logitsSymmetry.value.asymmetryIndex)));
                    QVERIFY(h.logitsSymmetry.fixedByVariant.empty());
                }
                // V = K: overlap 1 and every angle 0, for weights and activations.
                if (vIsK) {
                    QCOMPARE(h.kvWeights.value.overlapMeanCos2, 1.0);
                    QCOMPARE(int(h.kvWeights.value.principalAnglesDeg.size()), 8);
                    for (double t : h.kvWeights.value.principalAnglesDeg) QCOMPARE(t, 0.0);
                    QVERIFY(!h.kvWeights.fixedByVariant.empty());
                    QCOMPARE(h.kvActivations.overlap.overlapMeanCos2, 1.0);
                    for (double t : h.kvActivations.overlap.principalAnglesDeg) QCOMPARE(t, 0.0);
                    QCOMPARE(h.kvActivations.cka, 1.0);
                    QCOMPARE(h.kvActivations.meanCosine, 1.0);
                } else {
                    QVERIFY(h.kvActivations.notInformative.empty());  // T 12 > d_h 8
                    QVERIFY(h.kvWeights.value.overlapMeanCos2 < 0.9);
                    QVERIFY(h.kvWeights.value.principalAnglesDeg.back() > 10.0);
                    QVERIFY(h.kvWeights.fixedByVariant.empty());
                }
                if (qIsK) {
                    QCOMPARE(h.qkWeights.value.overlapMeanCos2, 1.0);
                    QVERIFY(!h.qkWeights.fixedByVariant.empty());
                }
            }
        }
        // Summaries skip what is absent, so they exist exactly when something was present.
        QCOMPARE(std::isnan(a.modelSummary.bilinearAsymmetry), mlpQ);
        QVERIFY(!std::isnan(a.modelSummary.logitsAsymmetry));
        QCOMPARE(int(a.layerSummaries.size()), 2);
    }

    void headSlicesMatchTheModule_data() {
        QTest::addColumn<Variant>("variant");
        QTest::addColumn<int>("kvHeads");
        QTest::newRow("qkv g4") << Variant::Qkv << 4;
        QTest::newRow("qkv GQA g2") << Variant::Qkv << 2;
        QTest::newRow("shared-kv MQA g1") << Variant::SharedKv << 1;
        QTest::newRow("identity-q g2") << Variant::IdentityQ << 2;
        QTest::newRow("single") << Variant::Single << 4;
    }
    void headSlicesMatchTheModule() {
        QFETCH(Variant, variant);
        QFETCH(int, kvHeads);
        const Model model(config(variant, kvHeads, false, Architecture::Encoder), 5);
        const PreparedInput in = tokens(12);
        const Capture cap = captureAttention(model, in);
        AnalysisOptions keep;
        keep.keepBilinearForms = true;  // the forms are compared with the module's weights below
        const ModelAnalysis a = analyzeCapture(model, cap, keep);
        auto& attn = *model.module()->blocks[1]->as<BlockImpl>()->attn;
        const int dh = 8, d = 32;
        const Eigen::MatrixXd wk = weight(attn.k), wo = weight(attn.o);
        const Eigen::MatrixXd wv = attn.v ? weight(attn.v) : wk;
        const Eigen::MatrixXd wq = attn.q ? weight(attn.q)
                                   : variant == Variant::IdentityQ
                                       ? Eigen::MatrixXd(Eigen::MatrixXd::Identity(d, d))
                                       : wk;
        for (int h = 0; h < 4; ++h) {
            const int j = h / (4 / kvHeads);
            const HeadAnalysis& r = a.layers[1].heads[size_t(h)];
            // W_X,h as d × d_h: rows of the (out, in) weight, transposed.
            const Eigen::MatrixXd qh = wq.middleRows(h * dh, dh).transpose();
            const Eigen::MatrixXd kh = wk.middleRows(j * dh, dh).transpose();
            const Eigen::MatrixXd vh = wv.middleRows(j * dh, dh).transpose();
            const Eigen::MatrixXd oh = wo.middleCols(h * dh, dh).transpose();  // d_h × d
            const Eigen::MatrixXd form = qh * kh.transpose();
            QVERIFY((r.bilinearForm.cast<double>() - form).norm() < 1e-6 * form.norm());
            const SymmetryMeasure s = symmetryOf(form);
            QVERIFY(std::abs(r.bilinearSymmetry.value.asymmetryIndex - s.asymmetryIndex) < 1e-10);
            QVERIFY(std::abs(r.bilinearSymmetry.value.symmetryScore - s.symmetryScore) < 1e-10);
            const std::vector<double> formSv = singularValues(form);
            QCOMPARE(int(r.bilinearSpectrum.value.singularValues.size()), dh);
            QVERIFY(maxRel(r.bilinearSpectrum.value.singularValues, formSv, size_t(dh)) < 1e-10);
            const std::vector<double> ovSv = singularValues(vh * oh);
            QVERIFY(maxRel(r.ovSpectrum.value.singularValues, ovSv, size_t(dh)) < 1e-10);
            QVERIFY(maxRel(r.wO.value.singularValues, singularValues(oh), size_t(dh)) < 1e-10);
            const SubspaceOverlap kv = subspaceOverlap(kh, vh);
            QVERIFY(std::abs(r.kvWeights.value.overlapMeanCos2 - kv.overlapMeanCos2) < 1e-10);
            // On the input: the captured logits, measured directly.
            const Eigen::MatrixXd logits = cap.layers[1].logits[size_t(h)].cast<double>();
            QVERIFY(std::abs(r.logitsSymmetry.value.asymmetryIndex -
                             symmetryOf(logits).asymmetryIndex) < 1e-12);
            QVERIFY(maxRel(r.logitsSpectrum.value.singularValues, singularValues(logits),
                           size_t(dh)) < 1e-4);
            const Eigen::MatrixXd att = cap.layers[1].attn[size_t(h)].cast<double>();
            QVERIFY(maxRel(r.attentionSpectrum.value.singularValues, singularValues(att), 12) <
                    1e-9);
        }
        // Whole projections: W_K is d × g·d_h.
        QCOMPARE(int(a.layers[1].wK.value.singularValues.size()), kvHeads * dh);
    }

    void captureLabelsAndBadInput() {
        TaskConfig text;
        text.kind = TaskKind::Text;
        text.alphabet = "\n ab";
        ModelConfig c = config(Variant::Qkv, 0, false, Architecture::Decoder);
        c.vocab = 4;
        const PreparedInput p = prepareInput(c, text, AnalysisInput::fromText("ab a\n"));
        QCOMPARE(p.labels.size(), size_t(5));
        QCOMPARE(p.labels[0], std::string("'a'"));
        QCOMPARE(p.labels[2], std::string("' '"));
        QCOMPARE(p.labels[4], std::string("'\\n'"));
        QCOMPARE(p.tokens, (std::vector<int64_t>{2, 3, 1, 2, 0}));
        try {
            prepareInput(c, text, AnalysisInput::fromText("abz"));
            QFAIL("an unknown character must be rejected");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find('z') != std::string::npos, e.what());
        }
        QVERIFY_THROWS_EXCEPTION(
            ConfigError, prepareInput(c, text, AnalysisInput::fromText(std::string(13, 'a'))));
        TaskConfig seq;
        ModelConfig enc = config(Variant::Qkv, 0, false, Architecture::Encoder);
        enc.context = seq.seqLen;
        const PreparedInput s = prepareInput(enc, seq, AnalysisInput::sample(3));
        QCOMPARE(s.length(), seq.seqLen);
        QCOMPARE(s.labels[2], "pos 2: " + std::to_string(s.tokens[2]));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 prepareInput(enc, seq, AnalysisInput::sample(100000)));
        QVERIFY_THROWS_EXCEPTION(ConfigError,
                                 prepareInput(enc, seq, AnalysisInput::fromText("12")));
    }

    // A long input: the streamed analysis measures every layer on its exact maps, whatever it
    // keeps to draw; over the budget the kept maps are block means of the exact ones.
    void longInputsKeepPooledMaps() {
        const Model model(config(Variant::SharedKv, 2, false, Architecture::Decoder), 3);
        const PreparedInput in = tokens(12);
        Capture exact, pooled;
        const ModelAnalysis a = analyzeModel(model, in, {}, {}, nullptr, &exact);
        AnalysisOptions small;
        small.mapBudgetBytes = 1;  // nothing fits: pool
        small.pooledMapSide = 5;
        const ModelAnalysis b = analyzeModel(model, in, small, {}, nullptr, &pooled);
        QCOMPARE(exact.layers[1].mapStride, 1);
        QCOMPARE(pooled.layers[1].mapStride, 3);  // ⌈12 / 5⌉
        QCOMPARE(int(pooled.layers[1].attn[2].rows()), 4);
        const Eigen::MatrixXf& full = exact.layers[1].attn[2];
        QVERIFY(std::abs(pooled.layers[1].attn[2](1, 0) - full.block(3, 0, 3, 3).mean()) < 1e-6);
        QCOMPARE(a.modelSummary.attentionEntropy, b.modelSummary.attentionEntropy);
        QCOMPARE(a.modelSummary.logitsAsymmetry, b.modelSummary.logitsAsymmetry);
        // The streamed analysis equals the analysis of a whole capture.
        const ModelAnalysis c = analyzeCapture(model, captureAttention(model, in));
        QCOMPARE(a.modelSummary.kvWeightOverlap, c.modelSummary.kvWeightOverlap);
        QCOMPARE(a.modelSummary.attentionEffectiveRank, c.modelSummary.attentionEffectiveRank);
    }

    // The exact region a zoomed view asks for is the block of the full capture's map, for the
    // attention (masked cells 0) and the logits, in any layer; bad regions are refused.
    void mapRegionIsTheExactBlock_data() {
        QTest::addColumn<int>("layer");
        QTest::addColumn<int>("head");
        QTest::addColumn<bool>("logits");
        QTest::addColumn<QRect>("region_");  // x: key columns, y: query rows
        QTest::newRow("first layer attention") << 0 << 1 << false << QRect(2, 3, 7, 5);
        QTest::newRow("last layer logits") << 2 << 3 << true << QRect(0, 0, 12, 12);
        QTest::newRow("one corner") << 1 << 0 << false << QRect(10, 11, 2, 1);
    }
    void mapRegionIsTheExactBlock() {
        QFETCH(int, layer);
        QFETCH(int, head);
        QFETCH(bool, logits);
        QFETCH(QRect, region_);
        const QRect& rect = region_;
        ModelConfig c = config(Variant::SharedKv, 2, true, Architecture::Decoder);
        c.layers = 3;
        const Model model(c, 7);
        const PreparedInput in = tokens(12);
        const Capture full = captureAttention(model, in);
        const MapRegion region{layer, head, logits, rect.top(), rect.bottom() + 1,
                               rect.left(), rect.right() + 1};
        const Eigen::MatrixXf got = captureMapRegion(model, in, region);
        const auto& maps = logits ? full.layers[size_t(layer)].logits : full.layers[size_t(layer)].attn;
        const Eigen::MatrixXf want =
            maps[size_t(head)].block(region.row0, region.col0, region.rows(), region.columns());
        QCOMPARE(int(got.rows()), rect.height());
        QCOMPARE(int(got.cols()), rect.width());
        QCOMPARE((got - want).cwiseAbs().maxCoeff(), 0.0f);
        if (!logits && region.col1 - 1 > region.row0) QCOMPARE(got(0, region.columns() - 1), 0.0f);
    }
    void mapRegionRefusesWhatIsNotThere() {
        const Model model(config(Variant::Qkv, 0, false, Architecture::Decoder), 1);
        const PreparedInput in = tokens(6);
        QVERIFY_THROWS_EXCEPTION(ConfigError, captureMapRegion(model, in, {2, 0, false, 0, 2, 0, 2}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, captureMapRegion(model, in, {0, 9, false, 0, 2, 0, 2}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, captureMapRegion(model, in, {0, 0, false, 0, 7, 0, 2}));
        QVERIFY_THROWS_EXCEPTION(ConfigError, captureMapRegion(model, in, {0, 0, false, 3, 3, 0, 2}));
        std::atomic<bool> cancel{true};
        QVERIFY_THROWS_EXCEPTION(CancelledError,
                                 captureMapRegion(model, in, {1, 0, false, 0, 2, 0, 2}, &cancel));
    }

    void cancelStopsEarly() {
        const Model model(config(Variant::Qkv, 0, false, Architecture::Encoder), 1);
        std::atomic<bool> cancel{true};
        int calls = 0;
        const ModelAnalysis a = analyzeModel(
            model, tokens(8), {}, [&](int, int) { ++calls; }, &cancel);
        QVERIFY(a.cancelled);
        QVERIFY(a.layers.empty());
        QCOMPARE(calls, 0);
        AnalysisOptions serial;
        serial.threads = 1;
        serial.keepBilinearForms = false;
        const ModelAnalysis b = analyzeModel(model, tokens(8), serial, [&](int, int) { ++calls; });
        QVERIFY(!b.cancelled && b.layers.size() == 2);
        QVERIFY(calls >= 2);
        QCOMPARE(b.layers[0].heads[0].bilinearForm.size(), Eigen::Index(0));
    }
};

QTEST_GUILESS_MAIN(TestModelAnalysis)
#include "tst_model_analysis.moc"
