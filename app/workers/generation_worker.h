#pragma once
// Generates from one prompt with several decoder runs on a worker thread, for the live KV-cache
// view. The runs take turns, one token each, so their caches grow together; value snapshots
// leave the thread at most every kSnapshotInterval, plus once at the end.

#include <QColor>
#include <QObject>
#include <QPair>
#include <QString>
#include <QVector>

#include <atomic>
#include <chrono>
#include <cstdint>

#include "kv_cache_snapshots.h"

namespace qkvapp {

struct GenerationRequest {
    QVector<QPair<QString, QColor>> runs;  // run folders and the colour each is drawn in
    QString prompt;                        // UTF-8 text; empty starts from a newline
    int tokens = 64;                       // new tokens per run (fewer if the context fills)
    double temperature = 0;                // 0: greedy
    int topK = 0;                          // > 0: sample among the k most likely tokens
    uint64_t seed = 1;                     // every run samples with the same seed
};

class GenerationWorker : public QObject {
    Q_OBJECT

public:
    static constexpr std::chrono::milliseconds kSnapshotInterval{50};

    explicit GenerationWorker(GenerationRequest request);

    // Thread-safe: every run stops before its next token.
    void requestCancel() { m_cancel.store(true); }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    // Every run, in the order requested; runs that are not decoders carry a note and no data.
    void progress(const QVector<qkvviews::KvCacheRun>& runs);
    void finished(bool cancelled);
    void failed(const QString& message);  // one line; nothing more follows

private:
    GenerationRequest m_request;
    std::atomic<bool> m_cancel{false};
};

}  // namespace qkvapp
