#pragma once
// Variant, layer and head pickers shared by every analysis view, so they stay in sync.

#include <QWidget>

#include "analysis_snapshot.h"

class QCheckBox;
class QComboBox;
class QSpinBox;

namespace qkvviews {

class AnalysisPickers : public QWidget {
    Q_OBJECT

public:
    explicit AnalysisPickers(QWidget* parent = nullptr);

    // Sets the choices from a new analysis (keeps the selection where it still exists).
    void setAnalysis(const AnalysisSet& set);
    AnalysisSelection selection() const;
    void setSelection(const AnalysisSelection& s);

Q_SIGNALS:
    void selectionChanged(const qkvviews::AnalysisSelection& selection);

private:
    QComboBox* m_variant;
    QSpinBox* m_layer;
    QSpinBox* m_head;
    QCheckBox* m_across;
    bool m_updating = false;
};

}  // namespace qkvviews
