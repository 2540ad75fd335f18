#include "variant_explainer_view.h"

#include <QHBoxLayout>

#include "attention_grid_view.h"
#include "color_maps.h"
#include "heatmap_panels.h"
#include "plot_theme.h"
#include "projection_diagram_view.h"
#include "qcp.h"

namespace qkvviews {

VariantExplainerView::VariantExplainerView(QWidget* parent) : QWidget(parent) {
    m_diagram = new ProjectionDiagramView(this);
    m_plot = new QCustomPlot(this);
    keepPanelsReadable(m_plot);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(m_diagram, 2);
    layout->addWidget(m_plot, 3);
    followPalette(m_plot);
    redraw();
}

void VariantExplainerView::setAnalysis(const AnalysisSet& set) {
    m_set = set;
    redraw();
}

void VariantExplainerView::setSelection(const AnalysisSelection& selection) {
    m_selection = selection;
    redraw();
}

void VariantExplainerView::redraw() {
    clearPanels(m_plot);
    if (m_set.variants.isEmpty()) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int v = std::clamp(m_selection.variant, 0, int(m_set.variants.size()) - 1);
    const VariantAnalysis& va = m_set.variants[v];
    m_diagram->setLayout(ProjectionDiagramView::layoutFor(va.capture.config));
    const QStringList labels = mapLabels(va, m_selection.layer);
    const Eigen::MatrixXd a = displayedMap(va, m_selection.layer, m_selection.head,
                                           AttentionGridView::MapKind::Attention);
    if (a.size() > 0) {
        const HeatmapPanel p = addHeatmapPanel(m_plot, 0, 0, a,
                                               QString("%1 · attention, layer %2, head %3")
                                                   .arg(va.label)
                                                   .arg(m_selection.layer)
                                                   .arg(m_selection.head),
                                               labels, labels);
        shareColorScale(m_plot, {p}, sequentialGradient(), QCPRange(0, 1), tr("attention"));
    }
    applyPlotTheme(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qkvviews
