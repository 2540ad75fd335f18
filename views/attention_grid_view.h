#pragma once
// Attention maps as a grid: one variant's layers × heads, or one head across the variants side
// by side. One colour scale for all panels ([0, 1] for attention), masked cells grey, token
// labels on both axes, hover for query/key/value, click a row to see it as bars.

#include <QVector>
#include <QWidget>

#include "analysis_snapshot.h"
#include "exportable_figure.h"
#include "heatmap_panels.h"

class QComboBox;
class QCustomPlot;
class QLabel;

namespace qkvviews {

class AttentionGridView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    enum class MapKind { Attention, Logits };

    explicit AttentionGridView(QWidget* parent = nullptr);

    void setAnalysis(const AnalysisSet& set);
    void setSelection(const AnalysisSelection& selection);
    void setMapKind(MapKind kind);
    // Shows query row `row` of panel `panel` as a bar chart (what a click does).
    void showRow(int panel, int row);

    int panelCount() const { return m_panels.size(); }
    // The matrix drawn in a panel (NaN where masked), for tests and export.
    Eigen::MatrixXd panelMatrix(int panel) const;
    QCustomPlot* rowPlot() const { return m_rowPlot; }

    QString figureName() const override { return "attention-grid"; }
    QCustomPlot* figurePlot() const override { return m_plot; }
    QString figureCsv() const override;
    QJsonObject figureJson() const override;

private:
    struct PanelSource {
        int variant, layer, head;
        QString title;
    };
    void rebuild();
    void showHover(const QPointF& pos);
    QStringList tokenLabels(int variant) const;

    QCustomPlot* m_plot;
    QCustomPlot* m_rowPlot;
    QComboBox* m_kind;
    QLabel* m_caption;
    AnalysisSet m_set;
    AnalysisSelection m_selection;
    MapKind m_mapKind = MapKind::Attention;
    QVector<HeatmapPanel> m_panels;
    QVector<PanelSource> m_sources;
};

// The displayed matrix of a head: attention with masked (future) cells as NaN, or the logits.
Eigen::MatrixXd displayedMap(const VariantAnalysis& v, int layer, int head,
                             AttentionGridView::MapKind kind);

}  // namespace qkvviews
