#pragma once
// The KV-cache tab: a prompt and sampling settings, a Generate button that runs every selected
// decoder run at once on a worker thread, and the live KvCacheView. Errors show in a line of
// the panel, never in a dialog.

#include <QColor>
#include <QPair>
#include <QString>
#include <QVector>
#include <QWidget>

#include "generation_worker.h"
#include "kv_cache_snapshots.h"
#include "worker_thread.h"

class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace qkvviews {
class KvCacheView;
}

namespace qkvapp {


class KvCachePanel : public QWidget {
    Q_OBJECT

public:
    explicit KvCachePanel(QWidget* parent = nullptr);
    ~KvCachePanel() override;  // cancels generation and waits for the worker

    // The runs Generate uses: run folders and their colours (the workspace's selection).
    void setRuns(const QVector<QPair<QString, QColor>>& runs);
    // Starts generating; false (with the reason in the panel) when busy or without runs.
    bool generate();
    void cancel();
    bool isGenerating() const { return m_generation.running(); }

    qkvviews::KvCacheView* view() const { return m_view; }
    QString statusText() const;  // the error or hint line, empty when hidden
    QLineEdit* promptEdit() const { return m_prompt; }
    QSpinBox* tokensBox() const { return m_tokens; }
    QPushButton* generateButton() const { return m_generate; }

Q_SIGNALS:
    void generationStateChanged(bool running);
    void generationFinished(bool cancelled);

private:
    void onProgress(const QVector<qkvviews::KvCacheRun>& runs);
    void onFinished(bool cancelled);
    void onFailed(const QString& message);
    void updateControls();
    void showStatus(const QString& text, bool error);

    QLineEdit* m_prompt;
    QSpinBox* m_tokens;
    QDoubleSpinBox* m_temperature;
    QSpinBox* m_topK;
    QPushButton* m_generate;
    QPushButton* m_cancel;
    QLabel* m_status;
    qkvviews::KvCacheView* m_view;
    QVector<QPair<QString, QColor>> m_runs;
    WorkerThread<GenerationWorker> m_generation;
};

}  // namespace qkvapp
