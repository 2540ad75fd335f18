// Heat-map panels stay readable at any size: tick labels never overlap (every label when there
// is room, every k-th, k = 1, 2, 5, 10, …, when the panel is small, as in a single-column
// export), and titles wider than their panel go on two lines (run, then map), each shortened to fit.
#include <QtTest>

#include <QPicture>
#include <QSignalSpy>

#include "heatmap_panels.h"
#include "qcp.h"
#include "spaced_label_ticker.h"

using namespace qkvviews;

namespace {

constexpr int kRows = 16;

QStringList rowLabels() {
    QStringList l;
    for (int i = 0; i < kRows; ++i) l << QString("pos %1: %2").arg(i).arg(i % 10);
    return l;
}

// Draws `plot` at width × height twice, as an export does: ticks are computed before the
// layout, so the second pass sees the axis lengths of the first.
void drawAt(QCustomPlot& plot, int width, int height) {
    for (int pass = 0; pass < 2; ++pass) {
        QPicture picture;
        QCPPainter painter(&picture);
        plot.toPainter(&painter, width, height);
    }
}

// Smallest distance in pixels between the drawn labels of `axis`.
double smallestGap(QCPAxis* axis) {
    const QVector<double> ticks = axis->tickVector();
    double gap = 1e9;
    for (int i = 1; i < ticks.size(); ++i)
        gap = std::min(gap,
                       std::abs(axis->coordToPixel(ticks[i]) - axis->coordToPixel(ticks[i - 1])));
    return gap;
}

}  // namespace

class TestHeatmapPanels : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void everyLabelWhenThereIsRoom();
    void thinsLabelsInASmallPanel();
    void settlesAfterAResize();
    void titlesElideToTheirPanel();
};

void TestHeatmapPanels::everyLabelWhenThereIsRoom() {
    QCustomPlot plot;
    clearPanels(&plot);  // the default axis rect out of the layout
    const HeatmapPanel p = addHeatmapPanel(&plot, 0, 0, Eigen::MatrixXd::Zero(kRows, kRows), "map",
                                           rowLabels(), rowLabels());
    drawAt(plot, 1200, 1000);
    QCPAxis* y = p.rect->axis(QCPAxis::atLeft);
    QCOMPARE(y->tickVector().size(), kRows);
    QCOMPARE(y->tickVectorLabels().first(), QString("pos 0: 0"));
    QCOMPARE(p.rect->axis(QCPAxis::atBottom)->tickVectorLabels().at(3), QString("3"));  // short
}

void TestHeatmapPanels::thinsLabelsInASmallPanel() {
    QCustomPlot plot;
    clearPanels(&plot);  // the default axis rect out of the layout
    const HeatmapPanel p = addHeatmapPanel(&plot, 0, 0, Eigen::MatrixXd::Zero(kRows, kRows), "map",
                                           rowLabels(), QStringList());
    drawAt(plot, 260, 140);
    QCPAxis* y = p.rect->axis(QCPAxis::atLeft);
    const QVector<double> ticks = y->tickVector();
    QVERIFY2(ticks.size() < kRows && ticks.size() >= 2, qPrintable(QString::number(ticks.size())));
    const int step = int(ticks[1] - ticks[0]);
    QVERIFY(step == 2 || step == 5 || step == 10);
    QCOMPARE(y->tickVectorLabels().at(1), rowLabels().at(step));  // the labels of those cells
    const double lineHeight = QFontMetricsF(y->tickLabelFont()).height();
    QVERIFY2(smallestGap(y) >= lineHeight,
             qPrintable(QString("%1 < %2").arg(smallestGap(y)).arg(lineHeight)));
}

void TestHeatmapPanels::settlesAfterAResize() {
    QCustomPlot plot;
    keepPanelsReadable(&plot);
    clearPanels(&plot);
    const HeatmapPanel p = addHeatmapPanel(&plot, 0, 0, Eigen::MatrixXd::Zero(kRows, kRows), "map",
                                           rowLabels(), QStringList());
    plot.resize(900, 900);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.replot();
    QTRY_COMPARE(p.rect->axis(QCPAxis::atLeft)->tickVector().size(), kRows);
    plot.resize(300, 150);
    plot.replot();  // one replot from the window; the second is the ticker's own
    QTRY_VERIFY(p.rect->axis(QCPAxis::atLeft)->tickVector().size() < kRows);
    QVERIFY(smallestGap(p.rect->axis(QCPAxis::atLeft)) >=
            QFontMetricsF(p.rect->axis(QCPAxis::atLeft)->tickLabelFont()).height());
}

void TestHeatmapPanels::titlesElideToTheirPanel() {
    const QString title = "Q-K=V · attention, layer 1, head 3";
    QCustomPlot plot;
    keepPanelsReadable(&plot);
    clearPanels(&plot);
    addHeatmapPanel(&plot, 0, 0, Eigen::MatrixXd::Zero(4, 4), title, {}, {});
    addHeatmapPanel(&plot, 0, 1, Eigen::MatrixXd::Zero(4, 4), "H1", {}, {});
    auto heading = [&] {
        for (QCPLayoutElement* e : plot.plotLayout()->elements(true))
            if (auto* t = qobject_cast<QCPTextElement*>(e)) return t;
        return static_cast<QCPTextElement*>(nullptr);
    };
    plot.resize(260, 200);
    plot.show();
    QVERIFY(QTest::qWaitForWindowExposed(&plot));
    plot.replot();
    QTRY_VERIFY(heading()->text().contains('\n'));  // two lines: the run, then the map
    const QStringList lines = heading()->text().split('\n');
    QVERIFY(lines[0].startsWith("Q-K=V"));             // the variant stays readable
    QVERIFY(lines[1].startsWith("att"));  // and the map has a line of its own
    for (const QString& line : lines)
        QVERIFY(QFontMetricsF(heading()->font()).horizontalAdvance(line) <= heading()->rect().width() + 1);
    plot.resize(1400, 400);
    plot.replot();
    QTRY_COMPARE(heading()->text(), title);  // room again: the whole title
    // A run of a named experiment: experiment, variant and seed each get a line when narrow,
    // so the variant is never the part cut away.
    heading()->setProperty("qkvFullTitle", "a long experiment name / Q-K=V · seed 2");
    plot.resize(260, 200);
    plot.replot();
    QTRY_VERIFY(heading()->text().count('\n') == 2);
    QCOMPARE(heading()->text().split('\n')[1], QString("Q-K=V"));
    heading()->setProperty("qkvFullTitle", title);
    plot.resize(1400, 400);
    plot.replot();
    QTRY_COMPARE(heading()->text(), title);
    // Settled: no replot asks for another one.
    QTest::qWait(50);
    QSignalSpy layouts(&plot, &QCustomPlot::afterLayout);
    QTest::qWait(200);
    QCOMPARE(layouts.count(), 0);
}

QTEST_MAIN(TestHeatmapPanels)
#include "tst_heatmap_panels.moc"
