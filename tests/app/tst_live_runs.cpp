// Run folders another process writes (torchrun through export-torch) update the window live:
// a metrics.json rewritten by a child process redraws the curves and the comparison; a run that
// stops writing turns stalled; runs that appear in a watched folder join their experiment; a
// folder written by export-torch opens with its runs queued under the names torchrun gives them.
#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QProcess>
#include <QTemporaryDir>

#include "bridge/torch_export.h"
#include "comparison_table_view.h"
#include "experiment_controller.h"
#include "io/atomic_file.h"
#include "main_window.h"
#include "new_experiment_dialog.h"
#include "torch_export_dialog.h"
#include "test_helpers.h"
#include "training_curves_view.h"

using namespace qkvapp;

namespace {

// A run folder's metrics cut back to its first `points` evaluations, as a run still training
// writes them (status completed, steps_done short of the steps).
QByteArray unfinishedMetrics(const QString& runDir, int points) {
    QJsonObject o = qkvtest::readJsonObject(runDir + "/metrics.json");
    QJsonArray curve = o["curve"].toArray();
    while (curve.size() > points) curve.removeLast();
    o["curve"] = curve;
    o["steps_done"] = curve.last().toObject()["step"].toInt();
    o["checkpoint_step"] = o["steps_done"];
    return QJsonDocument(o).toJson();
}

// Another process replaces `to` by `from` the way writers do: a temporary file, then a rename.
void rewriteFromChild(const QString& from, const QString& to) {
    QProcess p;
    p.start("/bin/sh", {"-c", "cp \"$0\" \"$1.tmp\" && mv \"$1.tmp\" \"$1\"", from, to});
    QVERIFY(p.waitForFinished(10000));
    QCOMPARE(p.exitCode(), 0);
}

const RunEntry* run(const ExperimentController& c, const QString& id) { return c.workspace().findRun(id); }

}  // namespace

class TestLiveRuns : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        Q_INIT_RESOURCE(qkvlab);
    }

    void metricsRewrittenByAnotherProcessUpdateTheWindow() {
        QTemporaryDir dir;
        const QString runDir = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Qkv, 6, 2));
        const QString full = dir.filePath("full-metrics.json");
        QVERIFY(QFile::copy(runDir + "/metrics.json", full));
        qkv::writeFileAtomic((runDir + "/metrics.json").toStdString(), unfinishedMetrics(runDir, 2).toStdString());

        ExperimentController controller(dir.filePath("workspace"));
        MainWindow window(&controller);
        window.show();
        QVERIFY(controller.openFolder(runDir));
        QCOMPARE(run(controller, runDir)->state, RunState::Live);
        QVERIFY(stateText(*run(controller, runDir)).contains("training elsewhere"));
        QTRY_COMPARE(window.curvesView()->drawnSeries().size(), 1);
        QCOMPARE(window.curvesView()->drawnSeries()[0].steps.size(), 2);  // steps 0 and 2
        QVERIFY(controller.watcher().isWatching(runDir));

        rewriteFromChild(full, runDir + "/metrics.json");
        QTRY_COMPARE_WITH_TIMEOUT(window.curvesView()->drawnSeries()[0].steps.size(), 4, 5000);  // 0 2 4 6
        QCOMPARE(run(controller, runDir)->state, RunState::Finished);
        QCOMPARE(run(controller, runDir)->result.stepsDone, 6);
        QVERIFY(!controller.watcher().isWatching(runDir));  // finished: no longer watched
        QTRY_VERIFY(window.comparisonView()->cellText(0, 1).contains("QKV"));
        QVERIFY(window.lastError().isEmpty());
    }

    void aRunThatStopsWritingIsStalled() {
        QTemporaryDir dir;
        const QString runDir = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Single, 4, 2));
        qkv::writeFileAtomic((runDir + "/metrics.json").toStdString(), unfinishedMetrics(runDir, 2).toStdString());
        ExperimentController controller(dir.filePath("workspace"));
        controller.watcher().setStallLimit(400);
        QVERIFY(controller.openFolder(runDir));
        QCOMPARE(run(controller, runDir)->state, RunState::Live);
        QTRY_COMPARE_WITH_TIMEOUT(run(controller, runDir)->state, RunState::Stalled, 5000);
        QVERIFY(stateText(*run(controller, runDir)).startsWith("stalled at step 2 of 4"));
        // It writes again: live again.
        qkv::writeFileAtomic((runDir + "/metrics.json").toStdString(), unfinishedMetrics(runDir, 2).toStdString());
        QTRY_COMPARE_WITH_TIMEOUT(run(controller, runDir)->state, RunState::Live, 5000);
        // Removed from the workspace: no longer watched, still on disk.
        QVERIFY(controller.removeExperiment(controller.workspace().experiments().back().name));
        QVERIFY(!run(controller, runDir));
        QVERIFY(!controller.watcher().isWatching(runDir));
        QVERIFY(QFileInfo::exists(runDir + "/metrics.json"));
    }

    void theWatcherWaitsLongerForARunThatEvaluatesRarely() {
        RunFolderWatcher watcher;
        watcher.setStallLimit(100);
        QTemporaryDir dir;
        const QString runDir = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Qkv, 4, 2));
        watcher.watchRun(runDir);
        QCOMPARE(watcher.stallLimit(runDir), qint64(100));
        QSignalSpy updated(&watcher, &RunFolderWatcher::runUpdated);
        const QByteArray metrics = unfinishedMetrics(runDir, 2);
        qkv::writeFileAtomic((runDir + "/metrics.json").toStdString(), metrics.toStdString());
        QVERIFY(updated.wait(3000));
        QTest::qWait(600);
        qkv::writeFileAtomic((runDir + "/metrics.json").toStdString(), metrics.toStdString());
        QVERIFY(updated.wait(3000));
        QVERIFY2(watcher.stallLimit(runDir) >= 3 * 600, qPrintable(QString::number(watcher.stallLimit(runDir))));
    }

    void runsAppearingInAWatchedFolderJoinTheExperiment() {
        QTemporaryDir dir;
        const QString first = QString::fromStdString(qkvtest::trainTinyRun(dir, qkv::Variant::Qkv));
        QTemporaryDir elsewhere;
        const QString second = QString::fromStdString(qkvtest::trainTinyRun(elsewhere, qkv::Variant::SharedKv));
        ExperimentController controller(dir.filePath("workspace"));
        QVERIFY(controller.openFolder(dir.path()));
        QCOMPARE(int(controller.workspace().experiments().back().runs.size()), 1);
        // A child process creates the folder first and fills it afterwards, as torchrun's rank 0 does.
        QProcess p;
        p.start("/bin/sh", {"-c", "mkdir \"$1\" && sleep 0.5 && cp \"$0\"/*.json \"$0\"/*.safetensors \"$1\"/", second, dir.filePath("shared-kv")});
        QVERIFY(p.waitForFinished(10000));
        QTRY_COMPARE_WITH_TIMEOUT(int(controller.workspace().experiments().back().runs.size()), 2, 5000);
        QCOMPARE(run(controller, dir.filePath("shared-kv"))->config.model.variant, qkv::Variant::SharedKv);
    }

    void anExportFolderOpensWithItsRunsQueued() {
        QTemporaryDir dir;
        qkv::Experiment e = qkv::loadExperiment(":/presets/demo.json");
        e.seeds = {1, 2};
        const TorchExport x = writeTorchExport(e, dir.filePath("bridge"), 2);
        ExperimentController controller(dir.filePath("workspace"));
        QVERIFY(controller.openFolder(x.folder));
        const ExperimentEntry& entry = controller.workspace().experiments().back();
        QCOMPARE(entry.folder, x.runsFolder);
        QCOMPARE(int(entry.runs.size()), 8);  // 4 variants x 2 seeds
        QCOMPARE(entry.runs[0].id, x.runsFolder + "/qkv-seed1");
        QCOMPARE(entry.runs[0].state, RunState::Queued);
        // torchrun writes the first run: it takes the queued entry's place.
        QTemporaryDir trained;
        const QString source = QString::fromStdString(qkvtest::trainTinyRun(trained, qkv::Variant::Qkv));
        qkvtest::copyFolder(source, x.runsFolder + "/qkv-seed1");
        QTRY_COMPARE_WITH_TIMEOUT(run(controller, x.runsFolder + "/qkv-seed1")->state, RunState::Finished, 5000);
        QCOMPARE(int(controller.workspace().experiments().back().runs.size()), 8);
    }

    void theDialogWritesTheFolderAndShowsTheCommand() {
        QTemporaryDir dir;
        qkv::Experiment e = qkv::loadExperiment(":/presets/demo.json");
        NewExperimentDialog planner(e);
        planner.open();
        planner.pyTorchButton()->click();
        QCOMPARE(planner.result(), NewExperimentDialog::kTrainWithPyTorch);

        const QString folder = dir.filePath("demo-torch");
        TorchExportDialog dialog(planner.experiment(), folder);
        dialog.processesBox()->setValue(2);
        QVERIFY(dialog.commandText().contains("sh '" + folder + "/run.sh'"));
        QVERIFY(dialog.commandText().contains("torchrun --standalone --nproc_per_node 2"));
        QVERIFY(dialog.writtenFolder().isEmpty());
        dialog.writeButton()->click();
        QCOMPARE(dialog.writtenFolder(), folder);
        QVERIFY(dialog.statusLabel()->text().startsWith("Written to"));
        QVERIFY(QFileInfo(folder + "/run.sh").isExecutable());
        QVERIFY(QFile(folder + "/run.sh").open(QIODevice::ReadOnly));
        // A destination that cannot be a folder: a message in the dialog, nothing written.
        QFile blocker(dir.filePath("file"));
        QVERIFY(blocker.open(QIODevice::WriteOnly));
        blocker.close();
        TorchExportDialog refused(e, dir.filePath("file"));
        refused.writeButton()->click();
        QVERIFY(refused.writtenFolder().isEmpty());
        QVERIFY(refused.statusLabel()->text().contains("not a folder"));
    }
};

QTEST_MAIN(TestLiveRuns)
#include "tst_live_runs.moc"
