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
class QToolButton;

namespace qkvviews {

class AttentionGridView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    enum class MapKind { Attention, Logits };
    // Above this many maps (layers × heads) one layer is drawn, a page of heads at a time.
    static constexpr int kMaxGridPanels = 32;
    static constexpr int kHeadsPerPage = 8;

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
    // Real models: the page of the selected layer's heads on show (kHeadsPerPage a page).
    void showPage(int page);
    int page() const { return m_page; }

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
    bool pagedHeads(int variant) const;
    void updatePager(int variant);
    void showHover(const QPointF& pos);
    QStringList tokenLabels(int variant, int layer) const;

    QCustomPlot* m_plot;
    QCustomPlot* m_rowPlot;
    int m_rowPanel = -1, m_row = 0;  // the query row on show
    QComboBox* m_kind;
    QLabel* m_caption;
    QWidget* m_pager;
    QToolButton *m_previous, *m_next;
    QLabel* m_pageLabel;
    int m_page = 0;
    AnalysisSet m_set;
    AnalysisSelection m_selection;
    MapKind m_mapKind = MapKind::Attention;
    QVector<HeatmapPanel> m_panels;
    QVector<PanelSource> m_sources;
};

// The displayed matrix of a head: attention with masked (future) cells as NaN, or the logits.
// A long input's maps are block means (LayerCapture::mapStride); blocks wholly in the future
// are masked.
Eigen::MatrixXd displayedMap(const VariantAnalysis& v, int layer, int head,
                             AttentionGridView::MapKind kind);
// The axis labels of that layer's maps: the tokens, or for pooled maps the first token of each
// block followed by "…".
QStringList mapLabels(const VariantAnalysis& v, int layer);

}  // namespace qkvviews
