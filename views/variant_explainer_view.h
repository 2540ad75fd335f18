#pragma once
// For teaching: the projection diagram of a variant beside the attention map of the selected
// head. Switching the variant updates both, so a class sees Q = K turn the map symmetric.

#include <QWidget>

#include "analysis_snapshot.h"
#include "heatmap_panels.h"

class QCustomPlot;

namespace qkvviews {

class ProjectionDiagramView;

class VariantExplainerView : public QWidget {
    Q_OBJECT

public:
    explicit VariantExplainerView(QWidget* parent = nullptr);
    void setAnalysis(const AnalysisSet& set);
    void setSelection(const AnalysisSelection& selection);

    ProjectionDiagramView* diagram() const { return m_diagram; }
    QCustomPlot* plot() const { return m_plot; }

private:
    void redraw();

    ProjectionDiagramView* m_diagram;
    QCustomPlot* m_plot;
    AnalysisSet m_set;
    AnalysisSelection m_selection;
};

}  // namespace qkvviews
