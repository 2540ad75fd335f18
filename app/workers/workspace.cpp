#include "workspace.h"

#include <QObject>

#include <algorithm>

#include "color_maps.h"

namespace qkvapp {

QString RunEntry::displayName() const {
    if (loaded()) return QString::fromStdString(config.name);
    return QString::fromStdString(qkv::variantPaperName(config.model.variant));
}

RunEntry* Workspace::findRun(const QString& id) {
    for (auto& e : m_experiments)
        for (auto& r : e.runs)
            if (r.id == id) return &r;
    return nullptr;
}

const RunEntry* Workspace::findRun(const QString& id) const {
    return const_cast<Workspace*>(this)->findRun(id);
}

ExperimentEntry* Workspace::findExperiment(const QString& name) {
    for (auto& e : m_experiments)
        if (e.name == name) return &e;
    return nullptr;
}

QColor Workspace::variantColor(qkv::Variant v) {
    const auto& all = qkv::allVariants();
    return qkvviews::seriesColor(int(std::find(all.begin(), all.end(), v) - all.begin()));
}

ExperimentEntry& Workspace::addPlanned(const qkv::Experiment& e) {
    ExperimentEntry entry;
    entry.name = QString::fromStdString(e.name.empty() ? "experiment" : e.name);
    entry.experiment = e;
    // The runs training will make, named as expandRuns names them (one per variant and seed).
    const std::vector<uint64_t> seeds =
        e.seeds.empty() ? std::vector<uint64_t>{e.base.train.seed} : e.seeds;
    for (uint64_t seed : seeds)
        for (qkv::Variant v : e.variants) {
            RunEntry run;
            run.config = e.base;
            run.config.model.variant = v;
            run.config.train.seed = seed;
            run.config.name = qkv::runName(v, seed, seeds.size() > 1);
            run.id = entry.name + "/" + QString::fromStdString(run.config.name);
            run.color = variantColor(v);
            entry.runs.push_back(run);
        }
    m_experiments.push_back(entry);
    return m_experiments.back();
}

void Workspace::remove(const QString& experimentName) {
    m_experiments.erase(std::remove_if(m_experiments.begin(), m_experiments.end(),
                                       [&](const ExperimentEntry& e) { return e.name == experimentName; }),
                        m_experiments.end());
}

QString stateText(const RunEntry& run, bool detailed) {
    switch (run.state) {
        case RunState::Planned: return QObject::tr("ready to train");
        case RunState::Queued: return QObject::tr("queued");
        case RunState::Training: {
            if (!detailed) return QObject::tr("training");
            const int total = std::max(1, run.config.train.steps);
            return QObject::tr("%1% · %2 s left")
                .arg(100 * run.result.stepsDone / total)
                .arg(run.etaSeconds, 0, 'f', 0);
        }
        case RunState::Live: {
            if (!detailed) return QObject::tr("training elsewhere");
            return QObject::tr("training elsewhere · step %1 of %2")
                .arg(run.result.stepsDone)
                .arg(run.config.train.steps);
        }
        case RunState::Stalled:
            return QObject::tr("stalled at step %1 of %2 (no update for %3 s)")
                .arg(run.result.stepsDone)
                .arg(run.config.train.steps)
                .arg(run.silentMs / 1000);
        case RunState::Failed: return QObject::tr("failed: %1").arg(run.error);
        case RunState::Finished:
            if (run.result.status == qkv::TrainStatus::Completed)
                return QObject::tr("done · %1 steps").arg(run.result.stepsDone);
            return QString::fromStdString(qkv::statusId(run.result.status)) +
                   QObject::tr(" at step %1").arg(run.result.stepsDone);
    }
    return {};
}

}  // namespace qkvapp
