#include "export_dialog.h"

#include <QCheckBox>

#include <algorithm>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QDir>
#include <QStandardPaths>
#include <QPushButton>
#include <QSettings>

namespace qkvapp {

QString defaultExportFolder() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation)).filePath("QKV Lab/figures");
}

ExportDialog::ExportDialog(const QString& title, const QString& folder, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(title);
    m_folder = new QLineEdit(folder, this);
    auto* browse = new QPushButton(tr("Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d =
            QFileDialog::getExistingDirectory(this, tr("Export folder"), m_folder->text());
        if (!d.isEmpty()) m_folder->setText(d);
    });
    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browse);
    m_png = new QCheckBox("PNG (300 dpi)", this);
    m_pdf = new QCheckBox("PDF (vector)", this);
    m_svg = new QCheckBox("SVG", this);
    for (QCheckBox* b : {m_png, m_pdf, m_svg}) b->setChecked(true);
    auto* formatRow = new QHBoxLayout;
    for (QCheckBox* b : {m_png, m_pdf, m_svg}) formatRow->addWidget(b);
    m_size = new QComboBox(this);
    for (const FigureSize& s : figureSizePresets())
        m_size->addItem(s.widthMm > 0
                            ? QString("%1 (%2 × %3 mm)").arg(s.name).arg(s.widthMm).arg(s.heightMm)
                            : s.name,
                        s.name);
    // The same default as `qkvlab figures`: double column, the size most figures are set at.
    m_size->setCurrentIndex(std::max(0, m_size->findData(QString("double-column"))));
    m_white = new QCheckBox(tr("White background, dark text (for print)"), this);
    m_white->setChecked(QSettings().value("export/white", true).toBool());
    connect(m_white, &QCheckBox::toggled, this,
            [](bool on) { QSettings().setValue("export/white", on); });
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* form = new QFormLayout(this);
    form->addRow(tr("Folder"), folderRow);
    form->addRow(tr("Formats"), formatRow);
    form->addRow(tr("Size"), m_size);
    form->addRow(tr("Colours"), m_white);
    form->addRow(tr(""), new QLabel(tr("The numbers drawn go beside each figure as CSV and JSON, "
                                       "with a manifest of the runs, seeds and app version."),
                                    this));
    form->addRow(buttons);
}

QString ExportDialog::folder() const {
    return m_folder->text().trimmed();
}

QList<FigureFormat> ExportDialog::formats() const {
    QList<FigureFormat> f;
    if (m_png->isChecked()) f << FigureFormat::Png;
    if (m_pdf->isChecked()) f << FigureFormat::Pdf;
    if (m_svg->isChecked()) f << FigureFormat::Svg;
    return f;
}

FigureSize ExportDialog::size() const {
    return findFigureSize(m_size->currentData().toString()).value_or(figureSizePresets().first());
}

bool ExportDialog::whiteBackground() const {
    return m_white->isChecked();
}

}  // namespace qkvapp
