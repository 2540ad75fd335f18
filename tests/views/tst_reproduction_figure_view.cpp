// The reproduction figure: a bar per set-up and task at the measured mean, its ±std error bar,
// every seed as a dot, the published number as a diamond; the numbers it draws as CSV/JSON; and
// nothing to show (so exports skip it) before any run has finished.
#include <QtTest>

#include <QJsonArray>

#include "qcp.h"
#include "reproduction_figure_view.h"

using namespace qkvviews;

namespace {
ReproductionFigureData sample() {
    ReproductionFigureData d;
    d.table = "tiny";
    d.title = "Tiny table";
    d.metric = "accuracy";
    d.tasks = {"copy", "sort"};
    d.configs = {{"qkv", "QKV", Qt::blue}, {"single", "Q=K=V", Qt::red}};
    d.cells.resize(2);
    for (auto& row : d.cells) row.resize(2);
    d.cells[0][0] = {0.9, 0.8, 0.1, 2, {0.7, 0.9}};
    d.cells[0][1] = {0.85, 0.6, 0.0, 1, {0.6, qQNaN()}};
    d.cells[1][0] = {0.97, qQNaN(), qQNaN(), 0, {qQNaN(), qQNaN()}};  // not measured yet
    d.cells[1][1] = {0.96, 0.5, 0.2, 2, {0.3, 0.7}};
    return d;
}

QCPBars* barsNamed(QCustomPlot* plot, const QString& name) {
    for (int i = 0; i < plot->plottableCount(); ++i)
        if (auto* b = qobject_cast<QCPBars*>(plot->plottable(i)); b && b->name() == name) return b;
    return nullptr;
}
}  // namespace

class TestReproductionFigureView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void drawsMeansErrorsSeedsAndPublished() {
        ReproductionFigureView view;
        view.setData(sample());
        QCustomPlot* plot = view.figurePlot();
        QCPBars* qkv = barsNamed(plot, "QKV");
        QCPBars* single = barsNamed(plot, "Q=K=V");
        QVERIFY(qkv && single);
        QCOMPARE(qkv->data()->size(), 1);  // sort is not measured for QKV: no bar
        QCOMPARE(qkv->data()->at(0)->value, 0.8);
        QCOMPARE(single->data()->size(), 2);
        QVERIFY(qkv->data()->at(0)->key < single->data()->at(0)->key);  // side by side in a task
        QVERIFY(std::abs(single->data()->at(1)->key - 1.0) < 0.5);     // sort is the second group
        int errorBars = 0, published = 0;
        for (int i = 0; i < plot->plottableCount(); ++i) {
            if (auto* e = qobject_cast<QCPErrorBars*>(plot->plottable(i))) errorBars += e->dataCount();
            if (auto* g = qobject_cast<QCPGraph*>(plot->plottable(i)); g && g->name() == "published")
                published = g->dataCount();
        }
        QCOMPARE(errorBars, 3);
        QCOMPARE(published, 4);  // every published number, measured or not
        QCOMPARE(view.figureName(), QString("tiny-figure"));
        QVERIFY(view.nothingToShow().isEmpty());
    }

    void numbersAsCsvAndJson() {
        ReproductionFigureView view;
        view.setData(sample());
        const QStringList lines = view.figureCsv().trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 4);
        QCOMPARE(lines[0], QString("task,config,label,published,mean,std,n,seed_values"));
        QCOMPARE(lines[1], QString("copy,qkv,\"QKV\",0.9,0.8,0.1,2,0.7;0.9"));
        QCOMPARE(lines[3], QString("sort,qkv,\"QKV\",0.97,,,0,;"));
        const QJsonArray cells = view.figureJson()["cells"].toArray();
        QCOMPARE(cells.size(), 4);
        QCOMPARE(cells[3].toObject()["mean"].toDouble(), 0.5);
        QVERIFY(cells[2].toObject()["mean"].isNull());
    }

    void nothingToShowBeforeAnyRun() {
        ReproductionFigureView view;
        ReproductionFigureData d = sample();
        for (auto& row : d.cells)
            for (auto& cell : row) cell.n = 0;
        view.setData(d);
        QVERIFY(!view.nothingToShow().isEmpty());
    }
};

QTEST_MAIN(TestReproductionFigureView)
#include "tst_reproduction_figure_view.moc"
