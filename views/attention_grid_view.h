#pragma once
// Attention maps as a grid: one variant's layers × heads, or one head across the variants side
// by side. One colour scale for all panels ([0, 1] for attention), masked cells grey, token
// labels on both axes, hover for query/key/value, click a row to see it as bars.

#include <QVector>
#include <QWidget>

#include "analysis/map_region.h"
#include "analysis_snapshot.h"
#include "exportable_figure.h"
#include "heatmap_panels.h"

class QComboBox;
class QCPColorMap;
class QCPColorScale;
class QCustomPlot;
class QLabel;
class QTimer;
class QToolButton;

namespace qkvviews {

class AttentionGridView : public QWidget, public ExportableFigure {
    Q_OBJECT

public:
    enum class MapKind { Attention, Logits };
    // Above this many maps (layers × heads) one layer is drawn, a page of heads at a time.
    static constexpr int kMaxGridPanels = 32;
    static constexpr int kHeadsPerPage = 8;
    // A pooled map zoomed in to at most this many tokens a side is drawn exact.
    static constexpr int kExactSide = 192;

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

    // A pooled panel (a long input) zooms with the wheel and pans by dragging; once at most
    // kExactSide tokens a side are on show, exactMapWanted asks for them. zoomPanel() sets a
    // panel's view in tokens [first, last) on both axes, as the wheel would.
    void zoomPanel(int panel, int first, int last);
    // The exact values of a region asked for; ignored unless a panel still shows that head.
    void setExactMap(const QString& runId, const qkv::MapRegion& region, const Eigen::MatrixXf& values);
    // The exact region drawn over a panel and its values (region.rows() == 0: none).
    struct ExactMap {
        qkv::MapRegion region;
        Eigen::MatrixXf values;
    };
    ExactMap exactMap(int panel) const;

    QString figureName() const override { return "attention-grid"; }
    QCustomPlot* figurePlot() const override { return m_plot; }
    QString figureCsv() const override;
    QJsonObject figureJson() const override;

Q_SIGNALS:
    void exactMapWanted(const QString& runId, const qkv::PreparedInput& input,
                        const qkv::MapRegion& region);

private:
    struct ExactOverlay {
        qkv::MapRegion region;
        QCPColorMap* map = nullptr;
        Eigen::MatrixXf values;
    };
    struct PanelSource {
        int variant, layer, head;
        QString title;
    };
    void rebuild();
    bool pagedHeads(int variant) const;
    void updatePager(int variant);
    void showHover(const QPointF& pos);
    QStringList tokenLabels(int variant, int layer) const;
    int panelStride(int panel) const;
    void makeZoomable(int panel, bool rowLabels, bool columnLabels);
    void requestExact();
    // The token cell of an exact overlay under a pixel position, and its value.
    bool exactCellAt(int panel, const QPointF& pos, int* row, int* column, double* value) const;

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
    QVector<ExactOverlay> m_exact;  // one per panel
    QCPColorScale* m_scale = nullptr;
    QTimer* m_zoomTimer;
    int m_zoomedPanel = -1;
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
