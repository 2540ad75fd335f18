// The learning-curve plot: what is drawn for given snapshots.
#include <QtTest>

#include <cmath>

#include "qcp.h"
#include "training_curves_view.h"

using namespace qkvviews;

namespace {
CurveSeries series(const QString& id, double scale) {
    CurveSeries s;
    s.runId = id;
    s.label = id;
    s.color = Qt::red;
    for (int i = 0; i <= 4; ++i) {
        s.steps << 50.0 * i;
        s.trainSteps << 50.0 * i;
        s.trainLoss << (i ? scale * (3.0 - 0.5 * i) : kMissing);  // step 0 has no train loss
        s.valLoss << scale * (3.1 - 0.5 * i);
        s.valAccuracy << 0.2 * i;
    }
    return s;
}
}  // namespace

class TestTrainingCurvesView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void drawsThreeGraphsPerRun();
    void experimentsCarryMarkers();
    void presentationFontsAndLegendRowsFit();
    void rangesCoverTheData();
    void logScaleSwitchesAxis();
    void smoothingMatchesClosedForm();
    void emptySeriesClearsThePlot();
    void seedsDrawAsAMeanWithABand();
};

// Three seeds of one variant (valLoss scaled 1, 2, 4): the mean at each step by hand, the band
// min–max or mean ± sample std, a filled channel; each run again when asked.
void TestTrainingCurvesView::seedsDrawAsAMeanWithABand() {
    QVector<CurveSeries> runs = {series("s1", 1.0), series("s2", 2.0), series("s4", 4.0),
                                 series("other", 1.5)};
    for (int i = 0; i < 3; ++i) runs[i].group = "exp/qkv";
    TrainingCurvesView view;
    view.setSeries(runs);
    const QVector<CurveSeries> drawn = view.drawnSeries();
    QCOMPARE(drawn.size(), 2);
    QCOMPARE(drawn[0].label, QString("s1 (3 seeds)"));
    // Step 100 (i = 2): values 2.1, 4.2, 8.4 → mean 4.9, min 2.1, max 8.4.
    QVERIFY(std::abs(drawn[0].valLoss[2] - 4.9) < 1e-12);
    QVERIFY(std::abs(drawn[0].valLossLow[2] - 2.1) < 1e-12);
    QVERIFY(std::abs(drawn[0].valLossHigh[2] - 8.4) < 1e-12);
    int filled = 0;
    for (int i = 0; i < view.plot()->graphCount(); ++i)
        filled += view.plot()->graph(i)->channelFillGraph() != nullptr;
    QCOMPARE(filled, 2);  // the loss band and the accuracy band
    QCOMPARE(view.plot()->legend->itemCount(), 2);
    view.setSeedMode(TrainingCurvesView::SeedMode::StdBand);
    // Deviations −2.8, −0.7, 3.5: squares 7.84 + 0.49 + 12.25 = 20.58, / 2 → std √10.29.
    const CurveSeries band = view.drawnSeries()[0];
    QVERIFY(std::abs(band.valLossHigh[2] - (4.9 + std::sqrt(10.29))) < 1e-9);
    view.setSeedMode(TrainingCurvesView::SeedMode::EachRun);
    QCOMPARE(view.drawnSeries().size(), 4);
    QCOMPARE(view.plot()->legend->itemCount(), 4);
    QVERIFY(view.figureCsv().contains("s4,"));  // the CSV keeps every seed's values
}

void TestTrainingCurvesView::drawsThreeGraphsPerRun() {
    TrainingCurvesView view;
    view.setSeries({series("a", 1.0), series("b", 2.0)});
    QCOMPARE(view.plot()->graphCount(), 6);
    QCOMPARE(view.plot()->legend->itemCount(), 2);  // one legend entry per run
    // The NaN train loss at step 0 is skipped, not drawn as a point.
    int trainPoints = -1;
    for (int i = 0; i < view.plot()->graphCount(); ++i)
        if (view.plot()->graph(i)->name() == "a train loss")
            trainPoints = view.plot()->graph(i)->data()->size();
    QCOMPARE(trainPoints, 4);
}

// A larger widget font (presentation mode) enlarges the plot's texts by the same ratio; the
// legend under the plots re-wraps to as many columns as fit, so long run names are not cut.
void TestTrainingCurvesView::presentationFontsAndLegendRowsFit() {
    QVector<CurveSeries> runs;
    for (int i = 0; i < 6; ++i) runs << series(QString("an experiment with a long name / Q-K=V · seed %1").arg(i), 1.0 + i);
    TrainingCurvesView view;
    view.setSeries(runs);
    view.resize(700, 600);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCPAxis* loss = view.plot()->axisRect(0)->axis(QCPAxis::atLeft);
    const double label = loss->labelFont().pointSizeF(), ticks = loss->tickLabelFont().pointSizeF();
    QFont big = view.font();
    big.setPointSizeF(view.font().pointSizeF() * 1.5);
    view.setFont(big);
    QTRY_VERIFY(std::abs(loss->labelFont().pointSizeF() - 1.5 * label) < 1e-6);
    QVERIFY(std::abs(loss->tickLabelFont().pointSizeF() - 1.5 * ticks) < 1e-6);
    QVERIFY(std::abs(view.plot()->legend->item(0)->font().pointSizeF() / view.plot()->legend->font().pointSizeF() - 1) < 1e-6);
    // After the layout passes settle: every entry lies inside the plot, none over another.
    view.plot()->replot();
    QTest::qWait(100);
    view.plot()->replot();
    QCPLegend* legend = view.plot()->legend;
    QVERIFY2(legend->wrap() < 6, qPrintable(QString::number(legend->wrap())));
    for (int i = 0; i < legend->itemCount(); ++i)
        QVERIFY2(legend->item(i)->outerRect().right() <= view.plot()->width(),
                 qPrintable(QString::number(legend->item(i)->outerRect().right())));
    // The last step has room for its tick label at the right end of the axis.
    QVERIFY(view.plot()->axisRect(0)->axis(QCPAxis::atBottom)->range().upper > 200);
}

// Two experiments' runs of one variant: the second's evaluations carry a marker, the first's
// and every training-loss line none, so they stay apart beyond their shades.
void TestTrainingCurvesView::experimentsCarryMarkers() {
    CurveSeries first = series("demo / QKV", 1.0), second = series("other / QKV", 2.0);
    second.experimentIndex = 1;
    TrainingCurvesView view;
    view.setSeries({first, second});
    QMap<QString, QCPScatterStyle::ScatterShape> shapes;
    for (int i = 0; i < view.plot()->graphCount(); ++i)
        shapes[view.plot()->graph(i)->name()] = view.plot()->graph(i)->scatterStyle().shape();
    QCOMPARE(shapes["demo / QKV"], QCPScatterStyle::ssNone);
    QVERIFY(shapes["other / QKV"] != QCPScatterStyle::ssNone);
    QCOMPARE(shapes["other / QKV accuracy"], shapes["other / QKV"]);
    QCOMPARE(shapes["other / QKV train loss"], QCPScatterStyle::ssNone);
}

void TestTrainingCurvesView::rangesCoverTheData() {
    TrainingCurvesView view;
    view.setSmoothing(0.0);  // raw values, so the expected range is the data's
    view.setSeries({series("a", 1.0), series("b", 2.0)});
    QCPAxisRect* loss = view.plot()->axisRect(0);
    const QCPRange x = loss->axis(QCPAxis::atBottom)->range();
    const QCPRange y = loss->axis(QCPAxis::atLeft)->range();
    QVERIFY(x.lower <= 0 && x.upper >= 200);
    QVERIFY2(y.lower <= 2.0 * 1.1 - 1.0 && y.upper >= 6.2, qPrintable(QString("%1 %2").arg(y.lower).arg(y.upper)));
    const QCPRange acc = view.plot()->axisRect(1)->axis(QCPAxis::atLeft)->range();
    QVERIFY(acc.lower <= 0 && acc.upper >= 0.8);
}

void TestTrainingCurvesView::logScaleSwitchesAxis() {
    TrainingCurvesView view;
    view.setSeries({series("a", 1.0)});
    QCPAxis* y = view.plot()->axisRect(0)->axis(QCPAxis::atLeft);
    QCOMPARE(y->scaleType(), QCPAxis::stLinear);
    view.setLogScale(true);
    QCOMPARE(y->scaleType(), QCPAxis::stLogarithmic);
    QVERIFY(y->range().lower > 0);
    QCOMPARE(view.plot()->graphCount(), 3);
}

void TestTrainingCurvesView::smoothingMatchesClosedForm() {
    const QVector<double> v = {1.0, kMissing, 3.0};
    const QVector<double> s = smoothed(v, 0.5);
    // Bias-corrected EMA: first value kept; then (0.5·0.5·1 + 0.5·3) / (1 − 0.25).
    QCOMPARE(s[0], 1.0);
    QVERIFY(std::isnan(s[1]));
    QVERIFY(std::abs(s[2] - (0.25 * 1.0 + 0.5 * 3.0) / 0.75) < 1e-12);
    QCOMPARE(smoothed(v, 0.0)[2], 3.0);
    TrainingCurvesView view;
    view.setSeries({series("a", 1.0)});
    view.setSmoothing(0.9);
    QCOMPARE(view.smoothing(), 0.9);
    const auto* train = view.plot()->graph(0);  // training loss of "a": smoothed
    QVERIFY(std::abs(train->data()->at(0)->value - 2.5) < 1e-12);  // first value kept
    QVERIFY(train->data()->at(3)->value > 1.0 + 0.1);                // lags the raw 1.0
    const auto* val = view.plot()->graph(1);  // validation loss: evaluations are drawn exactly
    QCOMPARE(val->data()->at(4)->value, 3.1 - 2.0);
}

void TestTrainingCurvesView::emptySeriesClearsThePlot() {
    TrainingCurvesView view;
    view.setSeries({series("a", 1.0)});
    view.setSeries({});
    QCOMPARE(view.plot()->graphCount(), 0);
    QVERIFY(!view.plot()->legend->visible());
    QVERIFY(view.placeholderShown());  // tells the user what to do instead of empty axes
}

QTEST_MAIN(TestTrainingCurvesView)
#include "tst_training_curves_view.moc"
