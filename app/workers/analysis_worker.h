#pragma once
// Runs the analysis of several runs on a worker thread: load, capture, measure. Emits one value
// snapshot at the end; runs that cannot take the input are reported and skipped.

#include <QColor>
#include <QObject>
#include <QString>
#include <QVector>

#include <atomic>
#include <functional>

#include "analysis_snapshot.h"

namespace qkvapp {

struct AnalysisRequest {
    struct Run {
        QString folder;
        QString label;
        QColor color;
        QString group;  // runs differing only in their seed share it; empty: none
    };
    QVector<Run> runs;
    QString text;     // a prompt for text runs, or token ids "3,1,4"; empty: a sample
    int sample = 0;   // validation example, when text is empty
    qkv::AnalysisOptions options;  // the maps kept to draw: exact, or pooled past a budget
};

// Loads, captures and measures each run of the request on the calling thread. Runs that cannot
// take the input are listed in `problems` (one line each) and skipped. A run with a checkpoint
// history also gets its model summary at each checkpoint (at most kMaxCheckpointHistory) on the
// same input; a history file that cannot be read is listed in `problems` and left out.
qkvviews::AnalysisSet analyzeRuns(const AnalysisRequest& request, QStringList* problems,
                                  const std::function<void(int done, int total, const QString&)>& progress = {},
                                  const std::atomic<bool>* cancel = nullptr);

class AnalysisWorker : public QObject {
    Q_OBJECT

public:
    explicit AnalysisWorker(AnalysisRequest request) : m_request(std::move(request)) {}
    void requestCancel() { m_cancel.store(true); }

public Q_SLOTS:
    void run();

Q_SIGNALS:
    void progress(int done, int total, const QString& what);
    void finished(const qkvviews::AnalysisSet& set, const QStringList& problems, bool cancelled);

private:
    AnalysisRequest m_request;
    std::atomic<bool> m_cancel{false};
};

}  // namespace qkvapp
