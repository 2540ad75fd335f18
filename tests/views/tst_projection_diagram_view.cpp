// The projection diagram: which boxes each variant gets, and that it paints.
#include <QtTest>

#include <QImage>

#include "projection_diagram_view.h"

using namespace qkvviews;

class TestProjectionDiagramView : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void boxesFollowTheVariant_data();
    void boxesFollowTheVariant();
    void cacheCaptionNamesWhatIsCached();
    void layoutForAConfiguration();
    void paints();
};

void TestProjectionDiagramView::boxesFollowTheVariant_data() {
    QTest::addColumn<bool>("queryIsKey");
    QTest::addColumn<bool>("valueIsKey");
    QTest::addColumn<bool>("identity");
    QTest::addColumn<QStringList>("labels");
    QTest::addColumn<QString>("spans");  // first-last row of each box
    QTest::newRow("qkv") << false << false << false << QStringList{"W_Q", "W_K", "W_V"} << "00 11 22";
    QTest::newRow("shared-kv") << false << true << false << QStringList{"W_Q", "W_K = W_V"} << "00 12";
    QTest::newRow("shared-qk") << true << false << false << QStringList{"W_Q = W_K", "W_V"} << "01 22";
    QTest::newRow("single") << true << true << false << QStringList{"W_Q = W_K = W_V"} << "02";
    QTest::newRow("identity-q") << false << false << true
                                << QStringList{"Q = X (identity)", "W_K", "W_V"} << "00 11 22";
}

void TestProjectionDiagramView::boxesFollowTheVariant() {
    QFETCH(bool, queryIsKey);
    QFETCH(bool, valueIsKey);
    QFETCH(bool, identity);
    QFETCH(QStringList, labels);
    QFETCH(QString, spans);
    ProjectionLayout l;
    l.queryIsKey = queryIsKey;
    l.valueIsKey = valueIsKey;
    l.identityQuery = identity;
    const auto boxes = ProjectionDiagramView::boxesFor(l);
    QStringList gotLabels, gotSpans;
    for (const auto& b : boxes) {
        gotLabels << b.label;
        gotSpans << QString("%1%2").arg(b.firstRow).arg(b.lastRow);
    }
    QCOMPARE(gotLabels, labels);
    QCOMPARE(gotSpans.join(' '), spans);
    QCOMPARE(boxes.first().weightless, identity);
}

void TestProjectionDiagramView::cacheCaptionNamesWhatIsCached() {
    ProjectionLayout l;
    l.kvHeads = 2;
    QVERIFY(ProjectionDiagramView::cacheCaption(l).contains("2·2·d_h"));
    l.valueIsKey = true;
    QVERIFY(ProjectionDiagramView::cacheCaption(l).contains("K only"));
}

void TestProjectionDiagramView::layoutForAConfiguration() {
    qkv::ModelConfig c;
    c.heads = 4;
    c.kvHeads = 2;
    c.variant = qkv::Variant::SharedKv;
    ProjectionLayout l = ProjectionDiagramView::layoutFor(c);
    QVERIFY(l.hasQ && !l.hasV && l.valueIsKey && !l.queryIsKey);
    QCOMPARE(l.kvHeads, 2);
    QCOMPARE(l.variantName, QString("Q-K=V"));
    c.variant = qkv::Variant::Single;
    c.kvHeads = 0;
    l = ProjectionDiagramView::layoutFor(c);
    QVERIFY(!l.hasQ && !l.hasV && l.queryIsKey && l.valueIsKey);
    QCOMPARE(l.kvHeads, 4);  // g = H
    QCOMPARE(ProjectionDiagramView::boxesFor(l).size(), 1);
    c.variant = qkv::Variant::MlpQ;
    c.posBias = true;
    l = ProjectionDiagramView::layoutFor(c);
    QVERIFY(l.mlpQuery && l.hasV && !l.hasQ && l.posBias);
}

void TestProjectionDiagramView::paints() {
    ProjectionDiagramView view;
    ProjectionLayout l;
    l.variantName = "Q-K=V";
    l.valueIsKey = true;
    view.setLayout(l);
    view.resize(400, 240);
    const QImage image = view.grab().toImage();
    QCOMPARE(image.size(), QSize(400, 240));
    // Something other than the background was drawn (boxes, arrows, text).
    const QRgb background = image.pixel(1, 1);
    int different = 0;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3) different += image.pixel(x, y) != background;
    QVERIFY2(different > 200, qPrintable(QString::number(different)));
}

QTEST_MAIN(TestProjectionDiagramView)
#include "tst_projection_diagram_view.moc"
