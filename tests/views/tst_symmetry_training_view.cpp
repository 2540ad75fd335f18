// The symmetry-over-training view fed a hand-made history: one line per variant that has one,
// its points exactly the chosen summary measure, absent values left out of the line but kept
// (empty) in the CSV, one legend entry per variant.
#include <QtTest>

#include <QLabel>

#include <cmath>

#include "qcp.h"
#include "symmetry_training_view.h"

using namespace qkvviews;

namespace {
qkv::AnalysisSummary summary(double logitsAsym, double kvOverlap) {
    qkv::AnalysisSummary s;
    s.logitsAsymmetry = logitsAsym;
    s.bilinearAsymmetry = logitsAsym / 2;
    s.logitsSymmetryScore = 1 - 2 * logitsAsym * logitsAsym;
    s.kvWeightOverlap = kvOverlap;
    return s;
}

AnalysisSet handMade() {
    AnalysisSet set;
    VariantAnalysis qkv;
    qkv.label = "QKV";
    qkv.color = Qt::blue;
    qkv.history = {{0, summary(0.5, 0.1)}, {10, summary(0.25, 0.2)}, {20, summary(0.125, 0.3)}};
    VariantAnalysis sharedQk;
    sharedQk.label = "Q=K-V";
    sharedQk.color = Qt::red;
    sharedQk.history = {{0, summary(0, qkv::kNoValue)}, {20, summary(0, qkv::kNoValue)}};
    VariantAnalysis old;  // a run trained before the history was kept
    old.label = "Q-K=V";
    old.color = Qt::green;
    set.variants << qkv << sharedQk << old;
    set.inputDescription = "hand-made";
    return set;
}

QVector<QCPGraph*> graphs(const SymmetryTrainingView& view) {
    QVector<QCPGraph*> out;
    for (int i = 0; i < view.figurePlot()->plottableCount(); ++i)
        if (auto* g = qobject_cast<QCPGraph*>(view.figurePlot()->plottable(i))) out << g;
    return out;
}

QVector<QPointF> points(const QCPGraph* g) {
    QVector<QPointF> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out << QPointF(it->key, it->value);
    return out;
}
}  // namespace

class TestSymmetryTrainingView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void oneLinePerVariantWithHistory();
    void measureChoiceChangesTheValues();
    void csvHoldsEveryPoint();
    void emptyAnalysisDrawsNothing();
    void seedsAreAMeanWithABand();
};

void TestSymmetryTrainingView::oneLinePerVariantWithHistory() {
    SymmetryTrainingView view;
    QCOMPARE(view.figureName(), QString("symmetry-training"));
    view.setAnalysis(handMade());
    const QVector<QCPGraph*> g = graphs(view);
    QCOMPARE(g.size(), 2);  // Q-K=V has no history: no line
    QCOMPARE(g[0]->name(), QString("QKV"));
    QCOMPARE(g[0]->pen().color(), QColor(Qt::blue));
    QVERIFY(!g[0]->scatterStyle().isNone());  // markers, a different shape per variant
    QVERIFY(g[0]->scatterStyle().shape() != g[1]->scatterStyle().shape());
    QCOMPARE(points(g[0]), (QVector<QPointF>{{0, 0.5}, {10, 0.25}, {20, 0.125}}));  // logits a(M)
    QCOMPARE(points(g[1]), (QVector<QPointF>{{0, 0}, {20, 0}}));
    // The legend sits under the plot, never over its lines.
    QVERIFY(view.figurePlot()->axisRect()->insetLayout()->elementCount() == 0);
    auto* legend = qobject_cast<QCPLegend*>(view.figurePlot()->plotLayout()->element(1, 0));
    QVERIFY(legend);
    QCOMPARE(legend->itemCount(), 2);
    // The Q=K line sits visibly on 0, inside the range.
    QVERIFY(view.figurePlot()->axisRect()->axis(QCPAxis::atLeft)->range().contains(0));
    bool named = false;
    for (const QLabel* l : view.findChildren<QLabel*>()) named |= l->text().contains("Q-K=V");
    QVERIFY(named);  // the caption says which run has no history
}

void TestSymmetryTrainingView::measureChoiceChangesTheValues() {
    SymmetryTrainingView view;
    view.setAnalysis(handMade());
    view.setMeasure(TrainingMeasure::BilinearAsymmetry);
    QCOMPARE(points(graphs(view)[0]), (QVector<QPointF>{{0, 0.25}, {10, 0.125}, {20, 0.0625}}));
    view.setMeasure(TrainingMeasure::LogitsSymmetryScore);
    QCOMPARE(points(graphs(view)[0]), (QVector<QPointF>{{0, 0.5}, {10, 0.875}, {20, 0.96875}}));
    view.setMeasure(TrainingMeasure::KvWeightOverlap);
    const QVector<QCPGraph*> g = graphs(view);
    QCOMPARE(points(g[0]), (QVector<QPointF>{{0, 0.1}, {10, 0.2}, {20, 0.3}}));
    QVERIFY(points(g[1]).isEmpty());  // absent values are not drawn as points
    view.setMeasure(TrainingMeasure::AttentionAsymmetry);  // absent everywhere here
    QVERIFY(points(graphs(view)[0]).isEmpty());
}

void TestSymmetryTrainingView::csvHoldsEveryPoint() {
    SymmetryTrainingView view;
    view.setAnalysis(handMade());
    view.setMeasure(TrainingMeasure::KvWeightOverlap);
    QCOMPARE(view.figureCsv(), QString("variant,step,measure,value\n"
                                       "QKV,0,kv_weight_overlap,0.1\n"
                                       "QKV,10,kv_weight_overlap,0.2\n"
                                       "QKV,20,kv_weight_overlap,0.3\n"
                                       "Q=K-V,0,kv_weight_overlap,\n"
                                       "Q=K-V,20,kv_weight_overlap,\n"));
    view.setMeasure(TrainingMeasure::LogitsAsymmetry);
    QVERIFY(view.figureCsv().contains("QKV,10,logits_asymmetry,0.25\n"));
    QCOMPARE(view.recordedRows(), 5);
}

void TestSymmetryTrainingView::emptyAnalysisDrawsNothing() {
    SymmetryTrainingView view;
    QVERIFY(graphs(view).isEmpty());
    AnalysisSet set = handMade();
    for (VariantAnalysis& v : set.variants) v.history.clear();
    view.setAnalysis(set);
    QVERIFY(graphs(view).isEmpty());
    QCOMPARE(view.recordedRows(), 0);
}

// Three seeds of one variant: one line at their mean, a ±1 std band (textbook values: means
// 0.4 and 0.3, sample std 0.1 both), over the checkpoints every seed has; each seed in the CSV.
void TestSymmetryTrainingView::seedsAreAMeanWithABand() {
    AnalysisSet set;
    const double values[3][3] = {{0.5, 0.2, NAN}, {0.3, 0.4, NAN}, {0.4, 0.3, 0.1}};
    for (int seed = 0; seed < 3; ++seed) {
        VariantAnalysis v;
        v.label = QString("QKV · seed %1").arg(seed + 1);
        v.group = "QKV";
        v.color = Qt::blue;
        v.history = {{0, summary(values[seed][0], 0)}, {10, summary(values[seed][1], 0)}};
        if (seed == 2) v.history.push_back({20, summary(values[seed][2], 0)});  // only this seed
        set.variants << v;
    }
    SymmetryTrainingView view;
    view.setAnalysis(set);
    const QVector<QCPGraph*> g = graphs(view);
    QCOMPARE(g.size(), 3);  // the mean, the band's two edges
    QCOMPARE(g[0]->name(), QString("QKV (mean ± std, n 3)"));
    const QVector<QPointF> mean = points(g[0]);
    QCOMPARE(mean.size(), 2);
    QVERIFY(std::abs(mean[0].y() - 0.4) < 1e-12 && std::abs(mean[1].y() - 0.3) < 1e-12);
    QVERIFY(std::abs(points(g[1])[0].y() - 0.3) < 1e-12);  // mean − std
    QVERIFY(std::abs(points(g[2])[1].y() - 0.4) < 1e-12);  // mean + std
    QCOMPARE(g[2]->channelFillGraph(), g[1]);
    const QString csv = view.figureCsv();
    QVERIFY(csv.contains("QKV · seed 3,20,logits_asymmetry,0.1\n"));
    QVERIFY(csv.contains("QKV (std),10,logits_asymmetry,0.1"));
}

QTEST_MAIN(TestSymmetryTrainingView)
#include "tst_symmetry_training_view.moc"
