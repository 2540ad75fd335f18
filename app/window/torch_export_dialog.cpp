#include "torch_export_dialog.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "bridge/torch_export.h"

namespace qkvapp {

TorchExportDialog::TorchExportDialog(const qkv::Experiment& experiment, const QString& folder, QWidget* parent)
    : QDialog(parent), m_experiment(experiment) {
    setWindowTitle(tr("Train with PyTorch"));
    auto* intro = new QLabel(
        tr("Trains <b>%1</b> with PyTorch distributed data parallel (torchrun): one process per "
           "GPU, or gloo on CPUs. The folder holds the experiment, <tt>run.sh</tt> and the "
           "PyTorch model (the same model as here); copy it to a GPU machine or run it here. "
           "The runs appear in this window as they train.")
            .arg(QString::fromStdString(experiment.name).toHtmlEscaped()),
        this);
    intro->setWordWrap(true);

    m_folder = new QLineEdit(folder, this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    m_nproc = new QSpinBox(this);
    m_nproc->setRange(0, 4096);
    m_nproc->setSpecialValueText(tr("one per GPU (1 without)"));
    m_nproc->setToolTip(tr("Processes on each machine; NPROC=N in the terminal overrides it."));
    auto* form = new QFormLayout;
    form->addRow(tr("Folder"), folderRow);
    form->addRow(tr("Processes"), m_nproc);

    m_command = new QPlainTextEdit(this);
    m_command->setReadOnly(true);
    m_command->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_command->setMinimumWidth(560);
    m_command->setMaximumHeight(120);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_write = buttons->addButton(tr("Write Files"), QDialogButtonBox::ActionRole);
    m_copy = buttons->addButton(tr("Copy Command"), QDialogButtonBox::ActionRole);
    m_write->setDefault(true);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, &TorchExportDialog::browse);
    connect(m_write, &QPushButton::clicked, this, &TorchExportDialog::writeFiles);
    connect(m_copy, &QPushButton::clicked, this, [this] { QApplication::clipboard()->setText(commandText()); });
    connect(m_folder, &QLineEdit::textChanged, this, &TorchExportDialog::updateCommand);
    connect(m_nproc, &QSpinBox::valueChanged, this, &TorchExportDialog::updateCommand);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Command (in a terminal, once the files are written):"), this));
    layout->addWidget(m_command);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    updateCommand();
}

QString TorchExportDialog::commandText() const { return m_command->toPlainText(); }

void TorchExportDialog::updateCommand() {
    const QString folder = m_folder->text().trimmed();
    const int nproc = m_nproc->value();
    m_command->setPlainText(runScriptCommand(folder) + "\n# that is: " + torchrunCommand(folder, nproc));
    m_copy->setEnabled(!folder.isEmpty());
    m_write->setEnabled(!folder.isEmpty());
}

void TorchExportDialog::writeFiles() {
    try {
        const TorchExport x = writeTorchExport(m_experiment, m_folder->text().trimmed(), m_nproc->value());
        m_written = x.folder;
        m_status->setText(tr("Written to %1. Run the command; the runs will appear in the "
                             "workspace under \"%2\" as they train.")
                              .arg(x.folder, QFileInfo(x.folder).fileName()));
        m_status->setStyleSheet({});
    } catch (const std::exception& e) {
        m_status->setText(tr("Cannot write the folder: %1").arg(QString::fromStdString(e.what())));
        m_status->setStyleSheet("color: #b00020");
    }
}

void TorchExportDialog::browse() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the PyTorch experiment"),
                                                          m_folder->text());
    if (!dir.isEmpty()) m_folder->setText(dir);
}

}  // namespace qkvapp
