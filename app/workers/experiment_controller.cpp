#include "experiment_controller.h"

#include "pretrained/open_model.h"

#include <algorithm>

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QtConcurrent>

#include "io/run_folder.h"
#include "snapshot_builder.h"

namespace qkvapp {

ExperimentController::ExperimentController(QString workspaceRoot, QObject* parent)
    : QObject(parent), m_root(std::move(workspaceRoot)) {
    m_publishTimer.setSingleShot(true);
    m_publishTimer.setInterval(kPublishInterval);
    connect(&m_publishTimer, &QTimer::timeout, this, &ExperimentController::publish);
    connect(&m_planRuns, &QFutureWatcherBase::finished, this, &ExperimentController::onPlanResolved);
    connect(&m_watcher, &RunFolderWatcher::runUpdated, this, &ExperimentController::onRunUpdated);
    connect(&m_watcher, &RunFolderWatcher::runAppeared, this, &ExperimentController::onRunAppeared);
    connect(&m_watcher, &RunFolderWatcher::runStalled, this, &ExperimentController::onRunStalled);
    connect(&m_watcher, &RunFolderWatcher::runUnreadable, this, [this](const QString& dir, const QString& why) {
        Q_EMIT errorOccurred(tr("Cannot read %1: %2").arg(dir, why));
    });
}

ExperimentController::~ExperimentController() {
    m_training.requestCancel();
    m_training.stop();
}

void ExperimentController::changed(int what) {
    m_dirty |= what;
    if (!m_publishTimer.isActive()) m_publishTimer.start();
}

void ExperimentController::publish() {
    int dirty = m_dirty;
    m_dirty = 0;
    if ((dirty & kCurves) && isTraining() && m_sinceCurves.isValid() &&
        m_sinceCurves.elapsed() < kCurvesInterval) {
        dirty &= ~kCurves;  // not yet: keep it for a later publication
        changed(kCurves);
    }
    if (dirty & kCurves) m_sinceCurves.start();
    if (dirty & kWorkspace) Q_EMIT workspaceChanged(workspaceItems(m_workspace));
    if (dirty & kCurves) Q_EMIT curvesChanged(curveSeries(m_workspace));
    if (dirty & kTable) Q_EMIT comparisonChanged(comparisonRows(m_workspace));
    if (dirty & kSummary) {
        if (const RunEntry* run = m_workspace.findRun(m_currentRun))
            Q_EMIT summaryChanged(runSummary(*run));
        else
            Q_EMIT summaryCleared();
    }
    if (ExperimentEntry* e = m_workspace.findExperiment(m_trainingExperiment)) {
        long done = 0, total = 0;
        double eta = 0;
        for (const RunEntry& r : e->runs) {
            done += r.result.stepsDone;
            total += r.config.train.steps;
            eta = std::max(eta, r.etaSeconds);
        }
        const int percent = total ? int(100 * done / total) : 0;
        Q_EMIT overallProgress(percent, isTraining() ? tr("Training %1: %2% · ETA %3 s")
                                                           .arg(e->name)
                                                           .arg(percent)
                                                           .arg(eta, 0, 'f', 0)
                                                     : tr("%1: %2% of the steps done").arg(e->name).arg(percent));
    }
}

void ExperimentController::planExperiment(const qkv::Experiment& experiment) {
    auto& list = m_workspace.experiments();
    for (auto it = list.begin(); it != list.end(); ++it)
        if (it->folder.isEmpty()) {
            list.erase(it);
            break;
        }
    m_lastPlan = experiment;
    ExperimentEntry& e = m_workspace.addPlanned(experiment);
    if (!e.runs.empty()) m_currentRun = e.runs.front().id;
    changed();
    // A new future replaces the previous one: a result for an older plan is never applied.
    m_planRuns.setFuture(QtConcurrent::run([experiment]() -> std::vector<qkv::RunConfig> {
        try {
            qkv::TaskConfig task = experiment.base.task;
            const auto data = qkv::makeDataset(task);
            return qkv::expandRuns(experiment, *data);
        } catch (const std::exception&) {
            return {};  // training reports the problem; the plan keeps its settings meanwhile
        }
    }));
}

void ExperimentController::onPlanResolved() {
    const std::vector<qkv::RunConfig> runs = m_planRuns.result();
    for (ExperimentEntry& e : m_workspace.experiments()) {
        if (!e.folder.isEmpty()) continue;  // only the plan not yet trained
        for (RunEntry& r : e.runs)
            for (const qkv::RunConfig& built : runs)
                if (built.name == r.config.name) r.config = built;
    }
    changed();
    Q_EMIT planResolved();
}

QString ExperimentController::trainDescription() const {
    auto runs = [](const qkv::Experiment& e) {
        const size_t n = e.variants.size() * std::max<size_t>(1, e.seeds.size());
        return n == 1 ? tr("1 run") : tr("%1 runs").arg(n);
    };
    for (const ExperimentEntry& e : m_workspace.experiments())
        if (e.folder.isEmpty()) return tr("%1: %2").arg(e.name, runs(e.experiment));
    if (m_lastPlan)
        return tr("%1 again, in a new folder: %2")
            .arg(QString::fromStdString(m_lastPlan->name.empty() ? "experiment" : m_lastPlan->name), runs(*m_lastPlan));
    return {};
}

bool ExperimentController::train() {
    if (isTraining()) {
        Q_EMIT errorOccurred(tr("Training is already running; cancel it first."));
        return false;
    }
    ExperimentEntry* planned = nullptr;
    for (auto& e : m_workspace.experiments())
        if (e.folder.isEmpty()) planned = &e;
    if (!planned && m_lastPlan) {  // train the same experiment again, in a new folder
        planExperiment(*m_lastPlan);
        planned = &m_workspace.experiments().back();
    }
    if (!planned) {
        Q_EMIT errorOccurred(tr("There is no experiment to train: create one with New Experiment."));
        return false;
    }
    const std::string problem = qkv::checkExperiment(planned->experiment);
    if (!problem.empty()) {
        Q_EMIT errorOccurred(QString::fromStdString(problem));
        return false;
    }
    const QString stamp = QDateTime::currentDateTime().toString("yyyyMMdd-hhmmss");
    // The folder's name becomes the experiment's: unique, and what the user finds on disk.
    planned->name = planned->name + "-" + stamp;
    planned->folder = QDir(m_root).filePath(planned->name);
    for (RunEntry& r : planned->runs) {
        r.state = RunState::Queued;
        r.id = planned->name + "/" + QString::fromStdString(r.config.name);
    }
    m_currentRun = planned->runs.empty() ? QString() : planned->runs.front().id;
    m_trainingExperiment = planned->name;

    TrainingWorker* worker =
        m_training.create(this, new TrainingWorker(planned->experiment, planned->folder));
    connect(worker, &TrainingWorker::prepared, this, &ExperimentController::onPrepared);
    connect(worker, &TrainingWorker::progress, this, &ExperimentController::onProgress);
    connect(worker, &TrainingWorker::finished, this, &ExperimentController::onFinished);
    connect(worker, &TrainingWorker::failed, this, &ExperimentController::onFailed);
    m_training.start(&TrainingWorker::run);
    Q_EMIT trainingStateChanged(true);
    changed();
    return true;
}

void ExperimentController::cancel() { m_training.requestCancel(); }

void ExperimentController::apply(const QVector<RunSnapshot>& runs) {
    ExperimentEntry* e = m_workspace.findExperiment(m_trainingExperiment);
    if (!e) return;
    int what = kWorkspace;  // progress text changes with every snapshot
    for (const RunSnapshot& s : runs)
        for (RunEntry& r : e->runs)
            if (r.config.name == s.config.name) {
                const RunState state = s.finished ? RunState::Finished : RunState::Training;
                if (s.result.trainLog.size() != r.result.trainLog.size()) what |= kCurves;
                // Metrics and state change at evaluations: only then the table and summary.
                if (s.result.curve.size() != r.result.curve.size() || state != r.state) {
                    what |= kCurves | kTable;
                    if (r.id == m_currentRun || s.runId == m_currentRun) what |= kSummary;
                }
                if (m_currentRun == r.id) m_currentRun = s.runId;
                r.id = s.runId;
                r.config = s.config;
                r.result = s.result;
                r.etaSeconds = s.etaSeconds;
                r.state = state;
            }
    changed(what);
}

void ExperimentController::onPrepared(const QVector<RunSnapshot>& runs) { apply(runs); }
void ExperimentController::onProgress(const QVector<RunSnapshot>& runs) { apply(runs); }

void ExperimentController::onFinished(bool cancelled) {
    m_training.stop();
    Q_EMIT trainingStateChanged(false);
    Q_EMIT trainingFinished(cancelled);
    changed();
}

void ExperimentController::onFailed(const QString& message) {
    m_training.stop();
    if (ExperimentEntry* e = m_workspace.findExperiment(m_trainingExperiment))
        for (RunEntry& r : e->runs)
            if (r.state != RunState::Finished) {
                r.state = RunState::Failed;
                r.error = message;
            }
    Q_EMIT trainingStateChanged(false);
    Q_EMIT errorOccurred(tr("Training failed: %1").arg(message));
    changed();
}

bool ExperimentController::openModel(const QString& path) {
    const QString id = QFileInfo(path).absoluteFilePath();
    if (m_workspace.findRun(id)) {  // already open: select it
        m_currentRun = id;
        changed();
        return true;
    }
    try {
        qkv::OpenOptions options;
        options.loadWeights = false;
        const qkv::OpenedModel m = qkv::openModel(id.toStdString(), options);
        RunEntry r;
        r.id = id;
        r.config = m.run.config;
        r.color = Workspace::variantColor(r.config.model.variant);
        r.state = RunState::Finished;
        const QString tokenizer = m.tokenizer ? QString::fromStdString(m.tokenizer->description())
                                              : tr("no tokenizer (prompts are token ids)");
        r.source = QString("%1 · %2 · %3")
                       .arg(QString::fromStdString(qkv::formatName(m.format)),
                            QString::fromStdString(m.storedDType), tokenizer);
        ExperimentEntry* loaded = m_workspace.findExperiment(kLoadedExperiment);
        if (!loaded) {
            ExperimentEntry e;
            e.name = kLoadedExperiment;
            m_workspace.experiments().push_back(e);
            loaded = &m_workspace.experiments().back();
        }
        loaded->runs.push_back(r);
        m_currentRun = id;
    } catch (const std::exception& e) {
        Q_EMIT errorOccurred(tr("Cannot open %1: %2").arg(id, QString::fromStdString(e.what())));
        return false;
    }
    Q_EMIT folderOpened(id);
    changed();
    return true;
}

bool ExperimentController::openFolder(const QString& path) {
    const QString dir = QFileInfo(path).absoluteFilePath();
    if (QFileInfo::exists(dir + "/experiment.json") && QFileInfo::exists(dir + "/run.sh"))
        return openExportFolder(dir);
    // Models from elsewhere, and run folders converted from them, are loaded models.
    try {
        const qkv::ModelFormat format = qkv::detectModelFormat(dir.toStdString());
        if (format != qkv::ModelFormat::RunFolder) return openModel(dir);
        qkv::OpenOptions options;
        options.loadWeights = false;
        if (!qkv::openModel(dir.toStdString(), options).run.config.origin.empty())
            return openModel(dir);
    } catch (const std::exception&) {
        // Not a model on its own: perhaps a folder of runs (below), or an error said there.
    }
    QStringList runDirs;
    if (qkv::isRunFolder(dir.toStdString())) {
        runDirs << dir;
    } else {
        for (const QFileInfo& sub : QDir(dir).entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name))
            if (qkv::isRunFolder(sub.absoluteFilePath().toStdString())) runDirs << sub.absoluteFilePath();
    }
    if (runDirs.isEmpty()) {
        Q_EMIT errorOccurred(tr("'%1' is neither a model nor a folder of runs (a run folder "
                                "holds config.json and model.safetensors; a Hugging Face "
                                "folder, config.json with a model_type; a llama2.c model is "
                                "a .bin file).").arg(dir));
        return false;
    }
    const QString folder = runDirs.size() == 1 && runDirs[0] == dir ? QFileInfo(dir).absolutePath() : dir;
    ExperimentEntry entry;
    entry.name = QFileInfo(folder).fileName();
    entry.folder = folder;
    // Two folders of the same name (runs/demo and elsewhere/demo, or the demo plan): the parent
    // tells them apart, then a number.
    if (const ExperimentEntry* same = m_workspace.findExperiment(entry.name); same && same->folder != folder) {
        entry.name = QFileInfo(QFileInfo(folder).absolutePath()).fileName() + "/" + entry.name;
        for (int n = 2; m_workspace.findExperiment(entry.name); ++n)
            entry.name = QFileInfo(folder).fileName() + QString(" (%1)").arg(n);
    }
    QStringList problems;
    for (const QString& runDir : runDirs) {
        if (m_workspace.findRun(runDir)) continue;  // already open
        try {
            const qkv::RunFolder f = qkv::readRunFolder(runDir.toStdString());
            RunEntry r;
            r.id = runDir;
            r.config = f.config;
            r.result = f.result;
            r.color = Workspace::variantColor(f.config.model.variant);
            r.state = RunState::Finished;
            entry.runs.push_back(r);
            entry.experiment.variants.push_back(f.config.model.variant);
            entry.experiment.base = f.config;
        } catch (const std::exception& e) {
            problems << QString::fromStdString(e.what());
        }
    }
    if (!problems.isEmpty()) Q_EMIT errorOccurred(tr("Some runs could not be opened:\n%1").arg(problems.join('\n')));
    if (entry.runs.empty()) return problems.isEmpty();
    ExperimentEntry* target = m_workspace.findExperiment(entry.name);
    if (target && target->folder == folder) {
        for (auto& r : entry.runs) target->runs.push_back(r);
    } else {
        m_workspace.experiments().push_back(entry);
        target = &m_workspace.experiments().back();
    }
    watchRuns(*target);
    m_currentRun = entry.runs.front().id;
    Q_EMIT folderOpened(dir);
    changed();
    return true;
}

bool ExperimentController::removeExperiment(const QString& name) {
    if (isTraining() && name == m_trainingExperiment) {
        Q_EMIT errorOccurred(tr("%1 is training: cancel it before removing it.").arg(name));
        return false;
    }
    ExperimentEntry* e = m_workspace.findExperiment(name);
    if (!e) return false;
    if (!e->folder.isEmpty()) m_watcher.unwatch(e->folder);
    for (const RunEntry& r : e->runs) {
        m_watcher.unwatch(r.id);
        if (r.id == m_currentRun) m_currentRun.clear();
    }
    if (m_lastPlan && e->folder.isEmpty()) m_lastPlan.reset();  // a removed plan is not trained again
    m_workspace.remove(name);
    changed();
    return true;
}

void ExperimentController::setRunVisible(const QString& runId, bool visible) {
    if (RunEntry* r = m_workspace.findRun(runId)) {
        r->visible = visible;
        changed();
    }
}

void ExperimentController::selectRun(const QString& runId) {
    m_currentRun = runId;
    changed();
}

}  // namespace qkvapp
