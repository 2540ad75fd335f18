// The Reproduce window: a tiny table trained off the GUI thread, the cells and verdicts filled
// in from the worker's snapshots, the files written; a second start resumes with nothing left.
#include <QtTest>

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>

#include "reproduce_dialog.h"
#include "reproduction_figure_view.h"
#include "test_helpers.h"

using namespace qkvapp;

namespace {
}  // namespace

class TestReproduceDialog : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { Q_INIT_RESOURCE(qkvlab); }

    void reproducesOffTheGuiThread() {
        QTemporaryDir dir;
        ReproduceDialog dialog(dir.path());
        QCOMPARE(dialog.tableBox()->count(), 2);  // the built-in tables
        dialog.setTableFile(qkvtest::tinyPublishedTable(dir));
        dialog.seedsEdit()->setText("1,2");
        dialog.folderEdit()->setText(dir.filePath("runs"));
        QSignalSpy finished(&dialog, &ReproduceDialog::reproductionFinished);
        QVERIFY(dialog.start());
        QVERIFY(dialog.isRunning());
        QVERIFY(!dialog.start());  // one at a time
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.at(0).at(0).toBool(), false);
        QCOMPARE(dialog.cellsTable()->rowCount(), 2);
        QVERIFY(dialog.cellsTable()->item(0, 3)->text().contains("(n 2)"));
        QCOMPARE(dialog.verdictList()->count(), 1);
        QVERIFY(dialog.verdictList()->item(0)->text().startsWith("QKV beats Q-K=V: "));
        QVERIFY(QFileInfo::exists(dir.filePath("runs/tiny.md")));
        QVERIFY(dialog.figureView()->nothingToShow().isEmpty());
        for (const char* suffix : {"png", "pdf", "svg", "csv", "json"})
            QVERIFY2(QFileInfo::exists(dir.filePath(QString("runs/tiny-figure.") + suffix)), suffix);
        // Again: every run is reused.
        QVERIFY(dialog.start());
        QVERIFY(finished.wait(60000));
        QVERIFY2(dialog.statusLabel()->text().contains("0 trained, 4 reused"),
                 qPrintable(dialog.statusLabel()->text()));
        dialog.seedsEdit()->setText("1,x");
        QVERIFY(!dialog.start());
        QVERIFY(dialog.statusLabel()->text().contains("whole numbers"));
    }
};

QTEST_MAIN(TestReproduceDialog)
#include "tst_reproduce_dialog.moc"
