// The head atlas: its per-head measures against the captured attention maps (entropy and
// previous-token score by naive loops), sorting within layers, the GQA separators, and clicks
// that name the head drawn under them.
#include <QtTest>

#include <QSignalSpy>

#include <cmath>

#include "head_atlas_view.h"
#include "model/model.h"
#include "qcp.h"

using namespace qkvviews;

namespace {
// A decoder of 2 layers with 4 query heads sharing 2 KV heads (GQA-2).
VariantAnalysis analyse(qkv::Variant variant, const QString& label) {
    qkv::ModelConfig c;
    c.arch = qkv::Architecture::Decoder;
    c.variant = variant;
    c.dModel = 16;
    c.layers = 2;
    c.heads = 4;
    c.kvHeads = 2;
    c.vocab = 10;
    c.context = 8;
    qkv::TaskConfig task;
    task.kind = qkv::TaskKind::Copy;
    const qkv::Model model(c, 11);
    const auto input =
        qkv::prepareInput(c, task, qkv::AnalysisInput::fromTokens({1, 2, 3, 4, 5, 6, 7, 8}));
    VariantAnalysis v;
    v.label = label;
    v.color = Qt::blue;
    v.capture = qkv::captureAttention(model, input);
    v.analysis = qkv::analyzeCapture(model, v.capture);
    return v;
}

int lines(QCustomPlot* plot) {
    int n = 0;
    for (int i = 0; i < plot->itemCount(); ++i)
        if (qobject_cast<QCPItemStraightLine*>(plot->item(i))) ++n;
    return n;
}
}  // namespace

class TestHeadAtlasView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void measuresMatchTheMaps() {
        const VariantAnalysis v = analyse(qkv::Variant::Qkv, "QKV");
        const Eigen::MatrixXd entropy = headMeasureTable(v.analysis, HeadMeasure::AttentionEntropy);
        const Eigen::MatrixXd previous = headMeasureTable(v.analysis, HeadMeasure::PreviousToken);
        QCOMPARE(int(entropy.rows()), 2);
        QCOMPARE(int(entropy.cols()), 4);
        for (int l = 0; l < 2; ++l)
            for (int h = 0; h < 4; ++h) {
                const Eigen::MatrixXf& a = v.capture.layers[size_t(l)].attn[size_t(h)];
                double e = 0, p = 0;
                for (int i = 0; i < a.rows(); ++i) {
                    for (int j = 0; j <= i; ++j) e -= a(i, j) * std::log(double(a(i, j)));
                    if (i > 0) p += a(i, i - 1);
                }
                QVERIFY(std::abs(entropy(l, h) - e / a.rows()) < 1e-5);
                QVERIFY(std::abs(previous(l, h) - p / (a.rows() - 1)) < 1e-6);
            }
        // Row 0 of a causal map attends to itself only: its entropy is 0, so the mean is below
        // the uniform bound.
        QVERIFY(entropy.maxCoeff() < std::log(8.0));
    }

    // Seven runs: five a row, then two more below, each panel wide enough to read.
    void manyRunsWrapToRows() {
        AnalysisSet set;
        const VariantAnalysis v = analyse(qkv::Variant::Qkv, "QKV");
        for (int i = 0; i < 7; ++i) {
            set.variants << v;
            set.variants.back().label = QString("run %1").arg(i);
        }
        HeadAtlasView view;
        view.resize(1000, 700);
        view.setAnalysis(set);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.figurePlot()->replot();
        QList<QCPAxisRect*> rects = view.figurePlot()->axisRects();
        QCOMPARE(rects.size(), 7);
        std::sort(rects.begin(), rects.end(), [](QCPAxisRect* a, QCPAxisRect* b) {
            return a->top() != b->top() ? a->top() < b->top() : a->left() < b->left();
        });
        QCOMPARE(rects[4]->top(), rects[0]->top());
        QVERIFY(rects[5]->top() > rects[0]->bottom());
        QVERIFY(rects[0]->width() > 100);
    }

    void sortsWithinLayersAndMarksGroups() {
        AnalysisSet set;
        set.variants << analyse(qkv::Variant::Qkv, "QKV")
                     << analyse(qkv::Variant::SharedKv, "Q-K=V");
        HeadAtlasView view;
        view.resize(900, 500);
        view.setMeasure(HeadMeasure::AttentionEntropy);
        view.setAnalysis(set);
        QCOMPARE(lines(view.figurePlot()), 2);  // one separator per panel: 4 heads, 2 KV heads
        for (int h = 0; h < 4; ++h) QCOMPARE(view.headAt(0, 1, h), h);
        view.setSorted(true);
        QCOMPARE(lines(view.figurePlot()), 0);  // groups are not contiguous once sorted
        const Eigen::MatrixXd t =
            headMeasureTable(set.variants[1].analysis, HeadMeasure::AttentionEntropy);
        for (int l = 0; l < 2; ++l)
            for (int c = 1; c < 4; ++c)
                QVERIFY(t(l, view.headAt(1, l, c - 1)) >= t(l, view.headAt(1, l, c)));
        QSignalSpy activated(&view, &HeadAtlasView::headActivated);
        view.activateCell(1, 1, 0);  // the second panel, layer 1, the highest head
        QCOMPARE(activated.count(), 1);
        QCOMPARE(activated.at(0).at(0).toInt(), 1);
        QCOMPARE(activated.at(0).at(1).toInt(), 1);
        QCOMPARE(activated.at(0).at(2).toInt(), view.headAt(1, 1, 0));
        QVERIFY(view.figureCsv().contains("kv_head"));
    }
};

QTEST_MAIN(TestHeadAtlasView)
#include "tst_head_atlas_view.moc"
