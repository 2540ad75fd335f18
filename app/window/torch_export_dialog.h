#pragma once
// "Train with PyTorch…": writes an experiment for torchrun (bridge/torch_export.h) and shows the
// command to copy into a terminal on this machine or a GPU node. The window then watches the
// folder, so the runs train elsewhere and are studied here as they progress.

#include <QDialog>

#include "train/experiment.h"

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace qkvapp {

class TorchExportDialog : public QDialog {
    Q_OBJECT

public:
    TorchExportDialog(const qkv::Experiment& experiment, const QString& folder, QWidget* parent = nullptr);

    // The folder written, once "Write Files" succeeded; empty before.
    QString writtenFolder() const { return m_written; }
    QString commandText() const;

    // For tests: the widgets a user touches.
    QLineEdit* folderEdit() const { return m_folder; }
    QSpinBox* processesBox() const { return m_nproc; }
    QPushButton* writeButton() const { return m_write; }
    QPushButton* copyButton() const { return m_copy; }
    QLabel* statusLabel() const { return m_status; }

private:
    void updateCommand();
    void writeFiles();
    void browse();

    qkv::Experiment m_experiment;
    QLineEdit* m_folder;
    QSpinBox* m_nproc;
    QPlainTextEdit* m_command;
    QPushButton* m_write;
    QPushButton* m_copy;
    QLabel* m_status;
    QString m_written;
};

}  // namespace qkvapp
