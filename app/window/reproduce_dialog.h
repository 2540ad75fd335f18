#pragma once
// Experiments › Reproduce a Published Table: pick a table, a scale and seeds; the runs train off
// the GUI thread (Cancel stops between steps; starting again resumes), the table fills in with
// the measured mean ± std beside each published number, and the verdicts follow.

#include <QDialog>

#include "reproduce_worker.h"
#include "worker_thread.h"

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace qkvviews {
class ReproductionFigureView;
}

namespace qkvapp {

class ReproduceDialog : public QDialog {
    Q_OBJECT

public:
    explicit ReproduceDialog(const QString& workspaceRoot, QWidget* parent = nullptr);
    ~ReproduceDialog() override;

    bool start();  // false when the settings are not valid or a reproduction runs
    void cancel();
    bool isRunning() const { return m_worker.running(); }

    // For tests.
    QComboBox* tableBox() const { return m_table; }
    QLineEdit* seedsEdit() const { return m_seeds; }
    QLineEdit* folderEdit() const { return m_folder; }
    QTableWidget* cellsTable() const { return m_cells; }
    QListWidget* verdictList() const { return m_verdicts; }
    qkvviews::ReproductionFigureView* figureView() const { return m_figure; }
    QLabel* statusLabel() const { return m_status; }
    void setTableFile(const QString& path);  // a table that is not built in

Q_SIGNALS:
    void reproductionFinished(bool cancelled);

private:
    void showReproduction(const qkv::Reproduction& r);
    void onFinished(const qkv::Reproduction& r, const QStringList& files, bool cancelled);
    void onFailed(const QString& message);
    void setRunning(bool running);

    QComboBox *m_table, *m_scale;
    QLineEdit *m_seeds, *m_folder;
    QPushButton *m_start, *m_cancel, *m_browse;
    QProgressBar* m_progress;
    QLabel* m_status;
    QLabel* m_source;
    QTableWidget* m_cells;
    QListWidget* m_verdicts;
    qkvviews::ReproductionFigureView* m_figure;
    QString m_root;
    WorkerThread<ReproduceWorker> m_worker;
};

}  // namespace qkvapp
