#pragma once
// For teaching: the projection diagram of a variant beside the attention map of the selected
// head and, by default, its logits S. Switching the variant updates all three, so a class sees
// Q = K turn the logits symmetric. One QCustomPlot holds the diagram too, so the whole picture
// exports as one vector figure.

#include <QWidget>

#include "analysis_snapshot.h"
#include "exportable_figure.h"
#include "heatmap_panels.h"
#include "snapshots.h"

class QCheckBox;
class QCustomPlot;

namespace qkvviews {

class VariantExplainerView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    explicit VariantExplainerView(QWidget* parent = nullptr);
    void setAnalysis(const AnalysisSet& set);
    void setSelection(const AnalysisSelection& selection);
    void setShowLogits(bool show);

    const ProjectionLayout& projectionLayout() const { return m_layout; }
    QCustomPlot* plot() const { return m_plot; }
    QCheckBox* logitsBox() const { return m_logits; }

    QString figureName() const override { return QStringLiteral("explainer"); }
    QCustomPlot* figurePlot() const override { return m_plot; }
    QString figureCsv() const override;  // variant,layer,head,map,query,key,value
    QJsonObject figureJson() const override;
    QString nothingToShow() const override;

private:
    void redraw();

    QCustomPlot* m_plot;
    QCheckBox* m_logits;
    AnalysisSet m_set;
    AnalysisSelection m_selection;
    ProjectionLayout m_layout;
    struct Shown {
        QString variant, map;
        int layer = 0, head = 0;
        Eigen::MatrixXd values;
    };
    QVector<Shown> m_shown;  // the maps drawn, for the CSV and JSON
};

}  // namespace qkvviews
