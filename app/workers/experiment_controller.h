#pragma once
// Owns the workspace and the training thread; turns worker snapshots into view snapshots.
// Updates are merged: at most one publication per kPublishInterval (≈30 a second).

#include <QObject>
#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QTimer>
#include <QVector>

#include <optional>

#include "bridge/run_folder_watcher.h"
#include "snapshots.h"
#include "training_worker.h"
#include "worker_thread.h"
#include "workspace.h"
#include "workspace_view.h"

namespace qkvapp {

class ExperimentController : public QObject {
    Q_OBJECT

public:
    static constexpr int kPublishInterval = 33;  // ms
    // Curves redraw at most 10 times a second (LabPlot's live-data rate): a replot of the
    // training plot costs 10-20 ms, the cheap views keep the faster pace.
    static constexpr int kCurvesInterval = 100;  // ms

    // Experiments are trained into `workspaceRoot/<name>-<date-time>/<variant>`.
    explicit ExperimentController(QString workspaceRoot, QObject* parent = nullptr);
    ~ExperimentController() override;  // cancels training and waits for the worker

    const Workspace& workspace() const { return m_workspace; }
    bool isTraining() const { return m_training.running(); }
    QString workspaceRoot() const { return m_root; }

    // Shows an experiment ready to train; replaces a planned one that was never trained. Its runs
    // are then described as training will build them (the data decide the architecture, the
    // vocabulary and the context: a text corpus is read for its alphabet), off the GUI thread;
    // planResolved follows.
    void planExperiment(const qkv::Experiment& experiment);
    // The most recently planned experiment (what New Experiment opens on), if any.
    std::optional<qkv::Experiment> lastPlan() const { return m_lastPlan; }
    // What Train would train, for its button: "demo: 4 runs", "demo again, in a new folder: 4
    // runs", or empty when there is nothing to train.
    QString trainDescription() const;
    // Trains the most recently planned experiment. Returns false (and reports) if none or busy.
    bool train();
    void cancel();
    // A run folder, a folder whose subfolders are runs, or a model from elsewhere (a Hugging
    // Face folder, a llama2.c .bin), which joins the "Loaded models" experiment. Only the
    // configuration and tokenizer are read here; the workers load the weights. Errors go to
    // errorOccurred. Folders of runs are watched: runs another process is still writing
    // (torchrun) update live, new ones join, and one that stops writing is shown stalled. A
    // folder written by export-torch opens on its runs/, its runs queued until they appear.
    bool openFolder(const QString& path);
    RunFolderWatcher& watcher() { return m_watcher; }
    static constexpr const char* kLoadedExperiment = "Loaded models";
    // Takes an experiment off the workspace (its folders stay on disk); refused, with a message,
    // while it trains.
    bool removeExperiment(const QString& name);
    void setRunVisible(const QString& runId, bool visible);
    void selectRun(const QString& runId);
    QString currentRunId() const { return m_currentRun; }

Q_SIGNALS:
    void curvesChanged(const QVector<qkvviews::CurveSeries>& series);
    void comparisonChanged(const QVector<qkvviews::ComparisonRow>& rows);
    void workspaceChanged(const QVector<qkvviews::WorkspaceExperimentItem>& items);
    void summaryChanged(const qkvviews::RunSummary& summary);
    void summaryCleared();
    void trainingStateChanged(bool running);
    void overallProgress(int percent, const QString& text);
    void trainingFinished(bool cancelled);
    void errorOccurred(const QString& message);
    void folderOpened(const QString& path);
    void planResolved();

private:
    bool openModel(const QString& path);
    void onPrepared(const QVector<RunSnapshot>& runs);
    void onProgress(const QVector<RunSnapshot>& runs);
    void onFinished(bool cancelled);
    void onFailed(const QString& message);
    void onPlanResolved();
    void apply(const QVector<RunSnapshot>& runs);
    // Live runs (experiment_controller_live.cpp).
    bool openExportFolder(const QString& exportDir);
    void watchRuns(ExperimentEntry& e);
    void onRunUpdated(const QString& runDir, const qkv::RunFolder& run);
    void onRunAppeared(const QString& runDir);
    void onRunStalled(const QString& runDir, qint64 silentMs);
    // What a change touches; publish() redraws only those views.
    enum Dirty { kWorkspace = 1, kCurves = 2, kTable = 4, kSummary = 8, kAll = 15 };
    void changed(int what = kAll);
    void publish();

    Workspace m_workspace;
    QString m_root;
    WorkerThread<TrainingWorker> m_training;
    QString m_trainingExperiment;
    QString m_currentRun;
    QTimer m_publishTimer;
    int m_dirty = 0;
    QElapsedTimer m_sinceCurves;
    std::optional<qkv::Experiment> m_lastPlan;
    RunFolderWatcher m_watcher;
    QFutureWatcher<std::vector<qkv::RunConfig>> m_planRuns;  // the plan as training builds it
};

}  // namespace qkvapp
