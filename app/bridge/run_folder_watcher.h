#pragma once
// Run folders that another process is writing (torchrun, or qkvlab train in a terminal), watched
// live. File-system events are debounced: a burst of renames (metrics.json, model.safetensors, a
// checkpoint) is read once, after kDebounceMs of quiet. A run is live until its metrics say it
// ended; a live run that writes nothing for longer than its stall limit is reported stalled
// (the limit grows with the longest gap seen between its updates, so a run that evaluates
// rarely is not called stalled between evaluations).

#include <QElapsedTimer>
#include <QFileSystemWatcher>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include "io/run_folder.h"

namespace qkvapp {

// A run folder's metrics say it is still training: it has not reached its steps and was not
// cancelled or stopped by divergence.
bool runStillTraining(const qkv::RunFolder& run);

class RunFolderWatcher : public QObject {
    Q_OBJECT

public:
    static constexpr int kDebounceMs = 250;
    static constexpr qint64 kDefaultStallMs = 120000;

    explicit RunFolderWatcher(QObject* parent = nullptr);

    // Watches an unfinished run folder until its metrics say it ended. `lastWriteMs` is how
    // long ago it was last written (from its metrics.json), so that a run found dead is stalled
    // at once.
    void watchRun(const QString& runDir, qint64 lastWriteMs = 0);
    // Watches a folder of runs for run folders that appear in it (runAppeared, once each).
    void watchFolder(const QString& folder);
    void unwatch(const QString& path);  // a run, or a folder of runs and its runs
    bool isWatching(const QString& runDir) const { return m_runs.contains(runDir); }
    // The minimum stall limit (the default, two minutes, suits runs that evaluate every few
    // seconds to a minute; tests make it short).
    void setStallLimit(qint64 ms);
    qint64 stallLimit(const QString& runDir) const;

Q_SIGNALS:
    void runUpdated(const QString& runDir, const qkv::RunFolder& run);  // run.result is fresh
    void runUnreadable(const QString& runDir, const QString& message);
    void runAppeared(const QString& runDir);
    void runStalled(const QString& runDir, qint64 silentMs);

private:
    struct Watched {
        QElapsedTimer sinceChange;
        qint64 offsetMs = 0;   // silence before the watch began
        qint64 longestGapMs = 0;  // between updates seen here
        int updates = 0;
        bool stalled = false;
    };
    void onPathChanged(const QString& path);
    void readPending();
    void checkStalls();
    qint64 silentMs(const Watched& w) const { return w.offsetMs + w.sinceChange.elapsed(); }

    QFileSystemWatcher m_fs;
    QTimer m_debounce;
    QTimer m_stallCheck;
    QHash<QString, Watched> m_runs;
    QSet<QString> m_folders;
    QSet<QString> m_known;    // runs already reported (appeared or watched)
    QSet<QString> m_pending;  // runs and folders changed since the last read
    qint64 m_stallLimitMs = kDefaultStallMs;
};

}  // namespace qkvapp
