// Smoke test: the window opens offscreen on the demo, trains a few steps, shows the results,
// and closes cleanly.
#include <QtTest>

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QLineEdit>
#include <QScreen>
#include <QProgressBar>
#include <QTabWidget>
#include <QTemporaryDir>

#include "comparison_table_view.h"
#include "experiment_controller.h"
#include "export_dialog.h"
#include "main_window.h"
#include "new_experiment_dialog.h"
#include "qcp.h"
#include "run_summary_view.h"
#include "training_curves_view.h"
#include "workspace_view.h"

using namespace qkvapp;

class TestMainWindow : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        Q_INIT_RESOURCE(qkvlab);
    }
    void trainsTheDemo();
    void dialogExplainsImpossibleCombinations();
    void layoutIsResetAndNeverRestoredTooLarge();
    void tasksAndDataAreExplained() {
        NewExperimentDialog dialog(qkv::loadExperiment(":/presets/demo.json"));
        for (int i = 0; i < dialog.taskBox()->count(); ++i) {
            QVERIFY(dialog.taskBox()->itemText(i).contains("  —  "));  // "follow  —  the token after …"
            QVERIFY(!dialog.taskBox()->itemData(i, Qt::ToolTipRole).toString().isEmpty());
        }
        QVERIFY(dialog.dataEdit()->toolTip().contains("fortunes"));
        // The placeholder fits the field instead of being cut off.
        const QFontMetrics metrics(dialog.dataEdit()->font());
        QVERIFY(metrics.horizontalAdvance(dialog.dataEdit()->placeholderText()) < dialog.dataEdit()->sizeHint().width());
    }
    void exportsGoToAVisibleFolder() {
        const QString folder = defaultExportFolder();
        const QString documents = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
        QVERIFY(folder.startsWith(documents + "/"));
        QVERIFY2(!folder.mid(documents.size()).contains("/."), qPrintable(folder));  // nothing hidden below
    }
};

void TestMainWindow::trainsTheDemo() {
    QTemporaryDir dir;
    ExperimentController controller(dir.path());
    MainWindow window(&controller);
    qkv::Experiment demo = qkv::loadExperiment(":/presets/demo.json");
    QCOMPARE(int(demo.variants.size()), 4);
    demo.base.train.steps = 20;
    demo.base.train.evalEvery = 10;
    QVERIFY(!window.trainAction()->isEnabled());  // nothing planned: nothing to train
    controller.planExperiment(demo);
    QTRY_COMPARE(window.trainAction()->text(), QString("&Train demo: 4 runs"));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_COMPARE(window.workspaceView()->topLevelItemCount(), 1);
    QCOMPARE(window.workspaceView()->topLevelItem(0)->childCount(), 4);

    QSignalSpy finished(&controller, &ExperimentController::trainingFinished);
    window.trainAction()->trigger();
    QVERIFY(!window.trainAction()->isEnabled());
    QVERIFY(window.cancelAction()->isEnabled());
    QVERIFY(finished.wait(60000));
    QTRY_VERIFY(window.trainAction()->isEnabled());
    // Trained: pressing Train again says it trains the same plan again, in a new folder.
    QTRY_COMPARE(window.trainAction()->text(), QString("&Train demo again, in a new folder: 4 runs"));
    QTRY_COMPARE(window.curvesView()->plot()->graphCount(), 12);  // 4 runs × 3 curves
    QTRY_COMPARE(window.comparisonView()->rowCount(), 4);
    QCOMPARE(window.comparisonView()->cellText(0, 1), QString("QKV"));
    QVERIFY(window.summaryView()->weightTable()->rowCount() > 0);
    QVERIFY(window.lastError().isEmpty());
    window.close();
}

void TestMainWindow::dialogExplainsImpossibleCombinations() {
    NewExperimentDialog dialog(qkv::loadExperiment(":/presets/demo.json"));
    QVERIFY(dialog.trainButton()->isEnabled());
    dialog.kvHeadsBox()->setValue(2);  // shared-qk and single need kv heads = heads
    QVERIFY(!dialog.trainButton()->isEnabled());
    QVERIFY(dialog.problemLabel()->text().contains("needs kv-heads = heads"));
    dialog.variantBox(qkv::Variant::SharedQk)->setChecked(false);
    dialog.variantBox(qkv::Variant::Single)->setChecked(false);
    QVERIFY(dialog.trainButton()->isEnabled());
    dialog.kvHeadsBox()->setValue(3);  // 3 does not divide 4
    QVERIFY(dialog.problemLabel()->text().contains("must divide heads"));
    dialog.kvHeadsBox()->setValue(0);
    dialog.dModelBox()->setValue(30);  // 30 is not divisible by 4 heads
    QVERIFY(!dialog.trainButton()->isEnabled());
    QVERIFY(dialog.problemLabel()->text().contains("divisible by heads"));
}

// A long error once stretched the window to 3,151 px, and that layout came back at every start.
void TestMainWindow::layoutIsResetAndNeverRestoredTooLarge() {
    QTemporaryDir dir;
    ExperimentController controller(dir.path());
    {
        MainWindow first(&controller);
        first.show();
        QVERIFY(QTest::qWaitForWindowExposed(&first));
        // The workspace opens wide enough for its names (it opened 80 px wide on a first start).
        QVERIFY2(first.workspaceView()->width() >= 200, qPrintable(QString::number(first.workspaceView()->width())));
        const int width = first.width();
        Q_EMIT controller.errorOccurred(QString("Cannot analyse: ").repeated(300));  // ~5,000 characters
        QTest::qWait(50);
        QCOMPARE(first.width(), width);  // the message does not widen the window
        first.resize(3151, 900);
        first.close();  // saves the layout
    }
    MainWindow second(&controller);
    const int limit = std::max(MainWindow::kDefaultWidth, second.screen()->availableGeometry().width());
    QVERIFY2(second.width() <= limit, qPrintable(QString::number(second.width())));
    second.show();
    QVERIFY(QTest::qWaitForWindowExposed(&second));
    // Closed docks come back from the View menu and with Reset Layout.
    auto* dock = qobject_cast<QDockWidget*>(second.workspaceView()->parentWidget());
    QVERIFY(dock);
    dock->close();
    QVERIFY(!dock->isVisible());
    second.resetLayoutAction()->trigger();
    QTRY_VERIFY(dock->isVisible());
    QCOMPARE(second.width(), MainWindow::kDefaultWidth);
    QVERIFY(second.workspaceView()->width() >= 200);
    second.close();
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
