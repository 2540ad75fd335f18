#pragma once
// Recomputes the exact values of a zoomed-in region of a pooled attention map (a long input on a
// real model), on its own thread: the model stays open between requests of the same run, and a
// newer request cancels the one in flight, so panning never queues stale work.

#include <Eigen/Dense>
#include <QObject>
#include <QString>

#include <atomic>

#include "analysis/map_region.h"
#include "pretrained/open_model.h"

namespace qkvapp {

class ExactMapWorker : public QObject {
    Q_OBJECT

public:
    // Any thread: queues the request; older ones still queued or running are dropped.
    void ask(const QString& runId, const qkv::PreparedInput& input, const qkv::MapRegion& region);
    // Any thread: the open model is closed (a new analysis may concern other runs).
    void forget();
    void requestCancel() { m_cancel.store(true); }

Q_SIGNALS:
    void computed(const QString& runId, const qkv::MapRegion& region,
                  const Eigen::MatrixXf& values);
    void failed(const QString& message);

private:
    void compute(int request, const QString& runId, const qkv::PreparedInput& input,
                 const qkv::MapRegion& region);

    std::atomic<int> m_latest{0};
    std::atomic<bool> m_cancel{false};
    QString m_openRun;  // the worker thread's only
    qkv::OpenedModel m_open;
};

}  // namespace qkvapp
