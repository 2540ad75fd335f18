#include "exact_map_worker.h"

#include <QMetaObject>

#include "common/errors.h"

namespace qkvapp {

void ExactMapWorker::ask(const QString& runId, const qkv::PreparedInput& input,
                         const qkv::MapRegion& region) {
    const int request = ++m_latest;
    m_cancel.store(true);  // the region in flight is no longer on show
    QMetaObject::invokeMethod(
        this, [this, request, runId, input, region] { compute(request, runId, input, region); },
        Qt::QueuedConnection);
}

void ExactMapWorker::forget() {
    ++m_latest;
    m_cancel.store(true);
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_open = {};
            m_openRun.clear();
        },
        Qt::QueuedConnection);
}

void ExactMapWorker::compute(int request, const QString& runId, const qkv::PreparedInput& input,
                             const qkv::MapRegion& region) {
    if (request != m_latest.load()) return;
    m_cancel.store(false);
    try {
        if (runId != m_openRun || !m_open.model) {
            m_open = {};
            m_openRun.clear();
            m_open = qkv::openModel(runId.toStdString());
            m_openRun = runId;
        }
        const Eigen::MatrixXf values =
            qkv::captureMapRegion(*m_open.model, input, region, &m_cancel);
        if (request == m_latest.load()) Q_EMIT computed(runId, region, values);
    } catch (const qkv::CancelledError&) {
        // A newer region replaced this one.
    } catch (const std::exception& e) {
        const std::string what = e.what();
        if (request == m_latest.load())
            Q_EMIT failed(QString::fromStdString(what.substr(0, what.find('\n'))));
    }
}

}  // namespace qkvapp
