// The comparison table: contents, numeric sorting, CSV.
#include <QtTest>

#include <QTableView>

#include "comparison_table_view.h"

using namespace qkvviews;

namespace {
ComparisonRow row(const QString& variant, double params, double loss) {
    ComparisonRow r;
    r.experiment = "demo";
    r.variant = variant;
    r.parameters = params;
    r.attentionParameters = params / 4;
    r.kvBytesPerToken = 256;
    r.cacheReduction = 0.5;
    r.loss = loss;
    r.lossDelta = loss / 2.0 - 1.0;
    r.accuracy = 0.75;
    r.steps = 100;
    r.seconds = 1.5;
    r.status = "done";
    return r;
}
}  // namespace

class TestComparisonTableView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void showsRows();
    void sortsNumerically();
    void csvHasTheRawNumbers();
};

void TestComparisonTableView::showsRows() {
    ComparisonTableView view;
    view.setRows({row("QKV", 101800, 2.0), row("Q-K=V", 93500, 2.2)});
    QCOMPARE(view.rowCount(), 2);
    QCOMPARE(view.cellText(0, 1), QString("QKV"));
    QCOMPARE(view.cellText(0, 2), QString("101.8K"));
    QCOMPARE(view.cellText(1, 7), QString("+10.0%"));
    QCOMPARE(view.cellText(0, 5), QString("-50.00%"));
    QCOMPARE(view.cellText(0, 10), QString("–"));  // no perplexity for a non-LM task
}

void TestComparisonTableView::sortsNumerically() {
    ComparisonTableView view;
    // As text "9.0K" > "10.0K" > "100.0K"; as numbers the order is the reverse.
    view.setRows({row("a", 9000, 1), row("b", 100000, 1), row("c", 10000, 1)});
    view.table()->sortByColumn(2, Qt::AscendingOrder);
    QCOMPARE(view.cellText(0, 1), QString("a"));
    QCOMPARE(view.cellText(1, 1), QString("c"));
    QCOMPARE(view.cellText(2, 1), QString("b"));
}

void TestComparisonTableView::csvHasTheRawNumbers() {
    ComparisonTableView view;
    view.setRows({row("Q-K=V", 93500, 2.25)});
    const QStringList lines = view.toCsv().trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    QCOMPARE(lines[0].split(',').size(), ComparisonTableView::headers().size());
    const QStringList cells = lines[1].split(',');
    QCOMPARE(cells[2].toDouble(), 93500.0);
    QCOMPARE(cells[6].toDouble(), 2.25);
    QCOMPARE(cells[7].toDouble(), 0.125);
    QVERIFY(cells[10].isEmpty());  // missing stays empty, not "nan"
}

QTEST_MAIN(TestComparisonTableView)
#include "tst_comparison_table_view.moc"
