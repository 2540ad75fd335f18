#pragma once
// Where and how to export figures: a folder, the formats, and a size preset.

#include <QDialog>

#include "figure_export.h"

class QCheckBox;
class QComboBox;
class QLineEdit;

namespace qkvapp {

// Where exports go until the user picks another folder: Documents/QKV Lab/figures, where a person
// looks for them (not the hidden workspace under ~/.local/share).
QString defaultExportFolder();

class ExportDialog : public QDialog {
    Q_OBJECT

public:
    ExportDialog(const QString& title, const QString& folder, QWidget* parent = nullptr);

    QString folder() const;
    QList<FigureFormat> formats() const;
    FigureSize size() const;
    bool whiteBackground() const;  // draw on white whatever the window's theme

private:
    QLineEdit* m_folder;
    QCheckBox *m_png, *m_pdf, *m_svg;
    QComboBox* m_size;
    QCheckBox* m_white;
};

}  // namespace qkvapp
