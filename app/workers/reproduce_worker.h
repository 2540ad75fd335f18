#pragma once
// Runs a reproduction (core's reproduce()) on a worker thread: progress as runs train, the table
// re-measured after every finished run (so the view fills in), then the files written.

#include <QObject>
#include <QString>

#include <atomic>
#include <vector>

#include "reproduce/reproduction.h"

namespace qkvapp {

struct ReproduceRequest {
    QString table;  // a file or a ":/published/…" resource
    QString scale = "quick";
    std::vector<uint64_t> seeds = {1, 2, 3};
    QString outDir;
};

class ReproduceWorker : public QObject {
    Q_OBJECT

public:
    explicit ReproduceWorker(ReproduceRequest request) : m_request(std::move(request)) {}
    void requestCancel() { m_cancel.store(true); }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    // (runs finished, runs total, the run training now, "step 120/300")
    void progress(int done, int total, const QString& run, const QString& step);
    void measured(const qkv::Reproduction& r);  // after every finished run, and at the end
    void finished(const qkv::Reproduction& r, const QStringList& files, bool cancelled);
    void failed(const QString& message);

private:
    ReproduceRequest m_request;
    std::atomic<bool> m_cancel{false};
};

}  // namespace qkvapp
