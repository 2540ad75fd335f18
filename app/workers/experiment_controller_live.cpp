// The controller's live runs: folders another process writes (torchrun through export-torch, or
// qkvlab train in a terminal), kept up to date by the RunFolderWatcher.
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

#include "experiment_controller.h"
#include "io/run_folder.h"

namespace qkvapp {

namespace {
// How long ago a run folder's metrics were written: a run found silent for long is stalled at once.
qint64 msSinceWritten(const QString& runDir) {
    const QFileInfo metrics(runDir + "/metrics.json");
    const QFileInfo any = metrics.exists() ? metrics : QFileInfo(runDir + "/model.safetensors");
    return std::max<qint64>(0, any.lastModified().msecsTo(QDateTime::currentDateTime()));
}

RunState stateOf(const qkv::RunFolder& run) {
    return runStillTraining(run) ? RunState::Live : RunState::Finished;
}
}  // namespace

void ExperimentController::watchRuns(ExperimentEntry& e) {
    for (RunEntry& r : e.runs) {
        if (!r.id.startsWith('/') || r.state != RunState::Finished || m_watcher.isWatching(r.id)) continue;
        qkv::RunFolder f;
        f.config = r.config;
        f.result = r.result;
        if (!runStillTraining(f)) continue;
        r.state = RunState::Live;
        m_watcher.watchRun(r.id, msSinceWritten(r.id));
    }
    if (!e.folder.isEmpty()) m_watcher.watchFolder(e.folder);
}

bool ExperimentController::openExportFolder(const QString& exportDir) {
    const QString runs = exportDir + "/runs";
    if (!QDir().mkpath(runs)) {
        Q_EMIT errorOccurred(tr("Cannot create %1").arg(runs));
        return false;
    }
    bool anyRun = false;
    for (const QFileInfo& sub : QDir(runs).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot))
        anyRun = anyRun || qkv::isRunFolder(sub.absoluteFilePath().toStdString());
    if (anyRun) return openFolder(runs);
    qkv::Experiment plan;
    try {
        plan = qkv::loadExperiment((exportDir + "/experiment.json").toStdString());
    } catch (const std::exception& e) {
        Q_EMIT errorOccurred(tr("Cannot open %1: %2").arg(exportDir, QString::fromStdString(e.what())));
        return false;
    }
    // Not started yet: its runs wait, queued, under the names torchrun will give their folders.
    ExperimentEntry& entry = m_workspace.addPlanned(plan);
    entry.name = QFileInfo(exportDir).fileName();
    entry.folder = runs;
    for (RunEntry& r : entry.runs) {
        r.id = runs + "/" + QString::fromStdString(r.config.name);
        r.state = RunState::Queued;
    }
    m_watcher.watchFolder(runs);
    if (!entry.runs.empty()) m_currentRun = entry.runs.front().id;
    Q_EMIT folderOpened(exportDir);
    changed();
    return true;
}

void ExperimentController::onRunAppeared(const QString& runDir) {
    ExperimentEntry* e = nullptr;
    for (ExperimentEntry& x : m_workspace.experiments())
        if (x.folder == QFileInfo(runDir).absolutePath()) e = &x;
    if (!e) return;
    qkv::RunFolder f;
    try {
        f = qkv::readRunFolder(runDir.toStdString());
    } catch (const std::exception& err) {
        Q_EMIT errorOccurred(tr("Cannot read %1: %2").arg(runDir, QString::fromStdString(err.what())));
        return;
    }
    RunEntry* r = m_workspace.findRun(runDir);
    if (!r) {
        e->runs.emplace_back();
        r = &e->runs.back();
        r->id = runDir;
        e->experiment.variants.push_back(f.config.model.variant);
    }
    r->config = f.config;
    r->result = f.result;
    r->color = Workspace::variantColor(f.config.model.variant);
    r->state = stateOf(f);
    if (r->state == RunState::Live) m_watcher.watchRun(runDir);
    changed();
}

void ExperimentController::onRunUpdated(const QString& runDir, const qkv::RunFolder& run) {
    RunEntry* r = m_workspace.findRun(runDir);
    if (!r) return;
    r->config = run.config;
    r->result = run.result;
    r->state = stateOf(run);
    r->silentMs = 0;
    changed();
}

void ExperimentController::onRunStalled(const QString& runDir, qint64 silentMs) {
    RunEntry* r = m_workspace.findRun(runDir);
    if (!r) return;
    r->state = RunState::Stalled;
    r->silentMs = silentMs;
    changed();
}

}  // namespace qkvapp
