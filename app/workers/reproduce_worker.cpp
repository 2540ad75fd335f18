#include "reproduce_worker.h"

#include <QElapsedTimer>

#include "reproduce/reproduce_report.h"

namespace qkvapp {

void ReproduceWorker::run() {
    try {
        const qkv::PublishedTable table = qkv::loadPublishedTable(m_request.table.toStdString());
        const std::string scale = m_request.scale.toStdString(),
                          out = m_request.outDir.toStdString();
        Q_EMIT measured(qkv::assessReproduction(table, scale, m_request.seeds, out));
        int lastDone = -1;
        QElapsedTimer sinceStep;
        sinceStep.start();
        const qkv::Reproduction r = qkv::reproduce(
            table, scale, m_request.seeds, out,
            [&](int done, int total, const std::string& run, const qkv::TrainProgress* step) {
                if (done != lastDone && lastDone >= 0)  // a run finished: the table moves
                    Q_EMIT measured(qkv::assessReproduction(table, scale, m_request.seeds, out));
                lastDone = done;
                // Steps come fast; a few updates a second are enough to read.
                if (step && sinceStep.elapsed() < 200) return;
                sinceStep.restart();
                Q_EMIT progress(
                    done, total, QString::fromStdString(run),
                    step ? tr("step %1/%2").arg(step->step).arg(step->totalSteps) : QString());
            },
            &m_cancel);
        QStringList files;
        for (const std::string& f : qkv::writeReproduction(r, out))
            files << QString::fromStdString(f);
        Q_EMIT measured(r);
        Q_EMIT finished(r, files, r.cancelled);
    } catch (const std::exception& e) {
        const std::string what = e.what();
        Q_EMIT failed(QString::fromStdString(what.substr(0, what.find('\n'))));
    }
}

}  // namespace qkvapp
