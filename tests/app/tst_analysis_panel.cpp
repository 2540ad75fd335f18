// The Analysis tab runs its analysis on a worker thread and fills every view; a run that cannot
// take the input is reported, the others still analysed.
#include <QtTest>

#include <QLineEdit>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>

#include "analysis/map_region.h"
#include "analysis_panel.h"
#include "attention_grid_view.h"
#include "test_helpers.h"
#include "pretrained/open_model.h"
#include "train/trainer.h"

using namespace qkvapp;

class TestAnalysisPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void analysesOffTheGuiThread();
    void reportsRunsThatCannotTakeTheInput();
    void describesTheInputOfEachTask();
    void zoomedPooledMapsTurnExact();
    void presentationModeKeepsEveryViewInSight();
};

void TestAnalysisPanel::analysesOffTheGuiThread() {
    QTemporaryDir dir;
    const QString a = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Qkv));
    const QString b = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::SharedQk));
    AnalysisPanel panel;
    QSignalSpy finished(&panel, &AnalysisPanel::analysisFinished);
    panel.setRuns({{a, "QKV", Qt::blue}, {b, "Q=K-V", Qt::red}});
    panel.inputEdit()->setText("3,1,4,1,5,9,2,6");
    QVERIFY(panel.analyze());
    QVERIFY(panel.isRunning());
    QVERIFY(!panel.analyze());  // one analysis at a time
    QVERIFY(finished.wait(30000));
    QVERIFY(finished.at(0).at(0).toStringList().isEmpty());
    QVERIFY(!panel.isRunning());
    QCOMPARE(panel.analysis().variants.size(), 2);
    QCOMPARE(int(panel.analysis().variants[1].capture.input.tokens.size()), 8);
    QCOMPARE(panel.attentionView()->panelCount(), 4);  // QKV: 2 layers × 2 heads
    QCOMPARE(panel.figures().size(), 8);  // the head atlas, the six analysis figures, the explainer
    // Q = K: its logits are exactly symmetric, as the analysis measured them.
    QCOMPARE(panel.analysis().variants[1].analysis.modelSummary.logitsAsymmetry, 0.0);
}

void TestAnalysisPanel::reportsRunsThatCannotTakeTheInput() {
    QTemporaryDir dir;
    const QString a = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Qkv));
    AnalysisPanel panel;
    QSignalSpy finished(&panel, &AnalysisPanel::analysisFinished);
    panel.setRuns({{a, "QKV", Qt::blue}, {dir.filePath("missing"), "ghost", Qt::red}});
    panel.inputEdit()->setText("1,2,3,4,5,6,7,8,9,10,11,12");  // longer than the context of 8
    QVERIFY(panel.analyze());
    QVERIFY(finished.wait(30000));
    const QStringList problems = finished.at(0).at(0).toStringList();
    QCOMPARE(problems.size(), 2);
    QVERIFY(problems[0].contains("context"));
    QVERIFY(problems[1].startsWith("ghost"));
    QVERIFY(panel.analysis().variants.isEmpty());
}

// Pooled maps (as a long input's): zooming into a panel recomputes the region on show on the
// worker thread, from the run folder, equal to the full capture's map there.
void TestAnalysisPanel::zoomedPooledMapsTurnExact() {
    QTemporaryDir dir;
    const QString a = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::SharedKv));
    AnalysisPanel panel;
    panel.resize(1000, 800);
    qkv::AnalysisOptions pooled;
    pooled.mapBudgetBytes = 1;
    pooled.pooledMapSide = 3;
    panel.setAnalysisOptions(pooled);
    QSignalSpy finished(&panel, &AnalysisPanel::analysisFinished);
    panel.setRuns({{a, "Q-K=V", Qt::blue}});
    panel.inputEdit()->setText("3,1,4,1,5,9,2,6");
    QVERIFY(panel.analyze());
    QVERIFY(finished.wait(30000));
    auto* view = panel.attentionView();
    QCOMPARE(int(view->panelMatrix(3).rows()), 3);  // 8 tokens in blocks of 3
    view->zoomPanel(3, 3, 6);
    QTRY_VERIFY_WITH_TIMEOUT(view->exactMap(3).region.rows() > 0, 20000);
    const auto shown = view->exactMap(3);
    QVERIFY(shown.region.row0 <= 3 && shown.region.row1 >= 6);
    const qkv::OpenedModel opened = qkv::openModel(a.toStdString());
    const qkv::Capture full = qkv::captureAttention(*opened.model, panel.analysis().variants[0].capture.input);
    const Eigen::MatrixXf want = full.layers[1].attn[1].block(
        shown.region.row0, shown.region.col0, shown.region.rows(), shown.region.columns());
    QCOMPARE((shown.values - want).cwiseAbs().maxCoeff(), 0.0f);
}

// Presentation mode (a 1.45× application font) on a narrow panel: all eight sub-tabs stay in
// view, none scrolled off; and ten runs' panels never make the panel (so the window) wider.
void TestAnalysisPanel::presentationModeKeepsEveryViewInSight() {
    QTemporaryDir dir;
    const QString a = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Qkv));
    const QFont before = QApplication::font();
    AnalysisPanel panel;
    QFont big = before;
    big.setPointSizeF(before.pointSizeF() * 1.45);
    QApplication::setFont(big);
    panel.resize(720, 700);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QTabBar* tabs = panel.viewTabs()->tabBar();
    QCOMPARE(tabs->count(), 8);
    for (int i = 0; i < tabs->count(); ++i)
        QVERIFY2(tabs->tabRect(i).right() <= tabs->width() && tabs->tabRect(i).left() >= 0,
                 qPrintable(tabs->tabText(i)));
    QVERIFY(!tabs->usesScrollButtons());
    QVector<AnalysisRequest::Run> runs;
    for (int i = 0; i < 10; ++i) runs.push_back({a, QString("run %1").arg(i), Qt::blue});
    QSignalSpy finished(&panel, &AnalysisPanel::analysisFinished);
    panel.inputEdit()->setText("1,2,3,4,5,6,7,8");
    panel.setRuns(runs);  // on show: analysed unasked
    QVERIFY(finished.wait(60000));
    QCOMPARE(panel.analysis().variants.size(), 10);
    for (int i = 0; i < panel.viewTabs()->count(); ++i) {
        panel.viewTabs()->setCurrentIndex(i);
        QVERIFY2(panel.minimumSizeHint().width() <= 720,
                 qPrintable(QString("%1: %2").arg(tabs->tabText(i)).arg(panel.minimumSizeHint().width())));
    }
    QApplication::setFont(before);
}

// Runs of two tasks see two inputs: the status names both, not the first run's for all.
void TestAnalysisPanel::describesTheInputOfEachTask() {
    QTemporaryDir dir;
    const QString copy = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Qkv));
    qkv::RunConfig r = qkvtest::tinyRunConfig(qkv::Variant::Qkv, 2, 2);
    r.task.kind = qkv::TaskKind::Reverse;
    auto data = qkv::makeDataset(r.task);
    data->configureModel(r.model);
    const QString reverse = dir.filePath("reverse");
    qkv::trainRun(r, *data, reverse.toStdString());
    AnalysisPanel panel;
    QSignalSpy finished(&panel, &AnalysisPanel::analysisFinished);
    panel.setRuns({{copy, "copy / QKV", Qt::blue}, {reverse, "reverse / QKV", Qt::red}});
    QVERIFY(panel.analyze());  // no input: a validation sample of each run's own task
    QVERIFY(finished.wait(30000));
    const QString described = panel.analysis().inputDescription;
    QVERIFY2(described.contains("validation sample 0 of copy for copy / QKV"), qPrintable(described));
    QVERIFY2(described.contains("validation sample 0 of reverse for reverse / QKV"), qPrintable(described));
    QVERIFY(panel.statusText().startsWith("2 runs analysed on "));
}

QTEST_MAIN(TestAnalysisPanel)
#include "tst_analysis_panel.moc"
