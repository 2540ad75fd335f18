#include "run_folder_watcher.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <utility>

namespace qkvapp {

bool runStillTraining(const qkv::RunFolder& run) {
    return run.result.status == qkv::TrainStatus::Completed && run.result.stepsDone < run.config.train.steps;
}

RunFolderWatcher::RunFolderWatcher(QObject* parent) : QObject(parent) {
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(kDebounceMs);
    connect(&m_debounce, &QTimer::timeout, this, &RunFolderWatcher::readPending);
    connect(&m_fs, &QFileSystemWatcher::directoryChanged, this, &RunFolderWatcher::onPathChanged);
    m_stallCheck.setInterval(1000);
    connect(&m_stallCheck, &QTimer::timeout, this, &RunFolderWatcher::checkStalls);
}

void RunFolderWatcher::setStallLimit(qint64 ms) {
    m_stallLimitMs = std::max<qint64>(ms, 1);
    m_stallCheck.setInterval(int(std::clamp<qint64>(m_stallLimitMs / 10, 50, 1000)));
}

qint64 RunFolderWatcher::stallLimit(const QString& runDir) const {
    const auto it = m_runs.constFind(runDir);
    const qint64 gap = it == m_runs.cend() ? 0 : it->longestGapMs;
    return std::max(m_stallLimitMs, 3 * gap);
}

void RunFolderWatcher::watchRun(const QString& runDir, qint64 lastWriteMs) {
    Watched w;
    w.sinceChange.start();
    w.offsetMs = std::max<qint64>(lastWriteMs, 0);
    m_runs.insert(runDir, w);
    m_known.insert(runDir);
    m_fs.addPath(runDir);
    if (!m_stallCheck.isActive()) m_stallCheck.start();
    checkStalls();
}

void RunFolderWatcher::watchFolder(const QString& folder) {
    m_folders.insert(folder);
    m_fs.addPath(folder);
    for (const QFileInfo& sub : QDir(folder).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot))
        if (qkv::isRunFolder(sub.absoluteFilePath().toStdString())) m_known.insert(sub.absoluteFilePath());
    m_pending.insert(folder);  // subfolders that are not runs yet are watched from here on
    m_debounce.start();
}

void RunFolderWatcher::unwatch(const QString& path) {
    QStringList gone{path};
    if (m_folders.remove(path))
        for (const QString& run : m_runs.keys())
            if (QFileInfo(run).absolutePath() == path) gone << run;
    for (const QString& p : gone) {
        m_runs.remove(p);
        m_pending.remove(p);
        m_fs.removePath(p);
    }
    if (m_runs.isEmpty()) m_stallCheck.stop();
}

void RunFolderWatcher::onPathChanged(const QString& path) {
    // A subfolder of a watched folder that was not a run yet: look at its parent again.
    const QString parent = QFileInfo(path).absolutePath();
    m_pending.insert(m_runs.contains(path) || m_folders.contains(path) ? path : parent);
    m_debounce.start();  // restarts: a burst of writes is read once
}

void RunFolderWatcher::readPending() {
    const QSet<QString> pending = std::exchange(m_pending, {});
    for (const QString& path : pending) {
        if (m_folders.contains(path)) {
            for (const QFileInfo& sub : QDir(path).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
                const QString dir = sub.absoluteFilePath();
                if (m_known.contains(dir)) continue;
                if (qkv::isRunFolder(dir.toStdString())) {
                    m_known.insert(dir);
                    m_fs.removePath(dir);  // the receiver decides whether to watch it as a run
                    Q_EMIT runAppeared(dir);
                } else {
                    m_fs.addPath(dir);  // being created: its files will tell
                }
            }
            continue;
        }
        auto it = m_runs.find(path);
        if (it == m_runs.end()) continue;
        qkv::RunFolder run;
        try {
            run = qkv::readRunFolder(path.toStdString());
        } catch (const std::exception& e) {
            // Files are replaced by renames, so this is a real problem, not a half-written file.
            Q_EMIT runUnreadable(path, QString::fromStdString(e.what()));
            continue;
        }
        if (it->updates++ > 0) it->longestGapMs = std::max(it->longestGapMs, it->sinceChange.elapsed());
        it->offsetMs = 0;
        it->sinceChange.restart();
        it->stalled = false;
        if (!runStillTraining(run)) unwatch(path);
        Q_EMIT runUpdated(path, run);
    }
}

void RunFolderWatcher::checkStalls() {
    QList<QPair<QString, qint64>> stalled;  // signalled after the loop: a receiver may unwatch
    for (auto it = m_runs.begin(); it != m_runs.end(); ++it) {
        const qint64 silent = silentMs(*it);
        if (!it->stalled && silent > stallLimit(it.key())) {
            it->stalled = true;
            stalled.append({it.key(), silent});
        }
    }
    for (const auto& [run, silent] : stalled) Q_EMIT runStalled(run, silent);
}

}  // namespace qkvapp
