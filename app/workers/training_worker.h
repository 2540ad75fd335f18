#pragma once
// Trains the runs of one experiment on a worker thread. The variants advance in turn, one step
// each, so every curve grows together; snapshots (values, never tensors) leave the thread at
// most every kSnapshotInterval, plus at every evaluation and at the end.

#include <QObject>
#include <QString>
#include <QVector>

#include <atomic>
#include <chrono>

#include "train/experiment.h"

namespace qkvapp {

struct RunSnapshot {
    QString runId;             // the run folder
    qkv::RunConfig config;     // with what the data decided (vocab, context, architecture)
    qkv::TrainResult result;   // curve so far, status
    bool finished = false;
    double etaSeconds = 0;
};

class TrainingWorker : public QObject {
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kSnapshotInterval{100};

    // `folder` receives one run folder per variant.
    TrainingWorker(qkv::Experiment experiment, QString folder);

    // Thread-safe: the worker stops between two steps and leaves every run folder consistent.
    void requestCancel() { m_cancel.store(true); }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void prepared(const QVector<RunSnapshot>& runs);  // the runs, before the first step
    void progress(const QVector<RunSnapshot>& runs);
    void finished(bool cancelled);
    void failed(const QString& message);  // nothing more follows

private:
    qkv::Experiment m_experiment;
    QString m_folder;
    std::atomic<bool> m_cancel{false};
};

}  // namespace qkvapp
