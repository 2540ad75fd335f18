#include "training_worker.h"

#include <QDir>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <memory>

#include "common/errors.h"
#include "train/training_session.h"

namespace qkvapp {

namespace {
QVector<RunSnapshot> snapshots(const std::vector<std::unique_ptr<qkv::TrainingSession>>& sessions,
                               const std::vector<double>& eta) {
    QVector<RunSnapshot> out;
    for (size_t i = 0; i < sessions.size(); ++i) {
        const auto& s = *sessions[i];
        out << RunSnapshot{QString::fromStdString(s.folder()), s.run(), s.result(), s.finished(),
                           eta[i]};
    }
    return out;
}
}  // namespace

TrainingWorker::TrainingWorker(qkv::Experiment experiment, QString folder)
    : m_experiment(std::move(experiment)), m_folder(std::move(folder)) {}

void TrainingWorker::run() {
    using Clock = std::chrono::steady_clock;
#ifdef __linux__
    // Nice only this thread: when the cores are busy, the GUI thread wins and never stalls for
    // a training step; on an idle machine training still gets a whole core.
    setpriority(PRIO_PROCESS, pid_t(syscall(SYS_gettid)), 10);
#endif
    try {
        qkv::TaskConfig task = m_experiment.base.task;
        auto data = qkv::makeDataset(task);
        m_experiment.base.task = task;  // text: the alphabet the data defined
        std::vector<qkv::RunConfig> runs = qkv::expandRuns(m_experiment, *data);

        std::vector<std::unique_ptr<qkv::TrainingSession>> sessions;
        std::vector<double> eta(runs.size(), 0.0);
        for (const qkv::RunConfig& r : runs) {
            const QString dir = QDir(m_folder).filePath(QString::fromStdString(r.name));
            sessions.push_back(std::make_unique<qkv::TrainingSession>(r, *data, dir.toStdString()));
        }
        Q_EMIT prepared(snapshots(sessions, eta));

        auto lastEmit = Clock::now();
        bool anyLeft = true;
        while (anyLeft && !m_cancel.load()) {
            anyLeft = false;
            bool evaluated = false;
            for (size_t i = 0; i < sessions.size() && !m_cancel.load(); ++i) {
                if (sessions[i]->finished()) continue;
                const qkv::TrainProgress p = sessions[i]->advance();
                // Runs advance in turn, so each one's remaining time scales with all of them.
                eta[i] = p.etaSeconds * double(sessions.size());
                evaluated = evaluated || p.evaluated || sessions[i]->finished();
                anyLeft = anyLeft || !sessions[i]->finished();
            }
            if (evaluated || Clock::now() - lastEmit >= kSnapshotInterval) {
                Q_EMIT progress(snapshots(sessions, eta));
                lastEmit = Clock::now();
            }
        }
        const bool cancelled = m_cancel.load();
        for (auto& s : sessions) s->cancel();  // no-op for finished runs
        Q_EMIT progress(snapshots(sessions, std::vector<double>(sessions.size(), 0.0)));
        Q_EMIT finished(cancelled);
    } catch (const std::exception& e) {
        // Everything, LibTorch's errors included: a worker never lets an exception escape.
        const std::string what = e.what();
        Q_EMIT failed(QString::fromStdString(what.substr(0, what.find('\n'))));
    }
}

}  // namespace qkvapp
