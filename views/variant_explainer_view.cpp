#include "variant_explainer_view.h"

#include <QCheckBox>
#include <QJsonArray>
#include <QPainter>
#include <QVBoxLayout>

#include <cmath>

#include "attention_grid_view.h"
#include "color_maps.h"
#include "heatmap_panels.h"
#include "plot_theme.h"
#include "projection_diagram_view.h"
#include "qcp.h"

namespace qkvviews {

namespace {
// The projection diagram as a cell of the plot's layout, painted with the view's palette.
class DiagramElement : public QCPLayoutElement {
public:
    DiagramElement(QCustomPlot* plot, const QWidget* owner, const ProjectionLayout& layout)
        : QCPLayoutElement(plot), m_owner(owner), m_layout(layout) {
        setMinimumSize(240, 180);
    }

protected:
    void draw(QCPPainter* painter) override {
        // The size of the maps' headings, which an export scales with the figure (a single
        // column sets text at 0.75): the diagram's text follows them.
        QFont font = m_owner->font();
        for (QCPLayoutElement* e : mParentPlot->plotLayout()->elements(true))
            if (auto* heading = qobject_cast<QCPTextElement*>(e)) {
                font.setPointSizeF(heading->font().pointSizeF());
                break;
            }
        ProjectionDiagramView::paint(*painter, QRectF(mRect), m_layout, m_owner->palette(), font);
    }

private:
    const QWidget* m_owner;
    ProjectionLayout m_layout;
};

QString number(double x) { return std::isfinite(x) ? QString::number(x, 'g', 9) : QString(); }
}  // namespace

VariantExplainerView::VariantExplainerView(QWidget* parent) : QWidget(parent) {
    m_plot = new QCustomPlot(this);
    keepPanelsReadable(m_plot);
    m_logits = new QCheckBox(tr("Show the logits S beside the attention (Q = K makes them symmetric)"), this);
    m_logits->setChecked(true);
    connect(m_logits, &QCheckBox::toggled, this, [this] { redraw(); });
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_logits);
    layout->addWidget(m_plot, 1);
    m_plot->setMinimumSize(240, 200);  // never widens the window; panels shrink instead
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

void VariantExplainerView::setShowLogits(bool show) { m_logits->setChecked(show); }

QString VariantExplainerView::nothingToShow() const {
    return m_set.variants.isEmpty() ? tr("no analysis yet") : QString();
}

void VariantExplainerView::redraw() {
    clearPanels(m_plot);
    m_shown.clear();
    if (m_set.variants.isEmpty()) {
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int v = std::clamp(m_selection.variant, 0, int(m_set.variants.size()) - 1);
    const VariantAnalysis& va = m_set.variants[v];
    m_layout = ProjectionDiagramView::layoutFor(va.capture.config);
    m_plot->plotLayout()->addElement(0, 0, new DiagramElement(m_plot, this, m_layout));
    auto* maps = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 1, maps);
    const bool logits = m_logits->isChecked();
    m_plot->plotLayout()->setColumnStretchFactors({2, logits ? 4.0 : 2.5});
    const QStringList labels = mapLabels(va, m_selection.layer);
    const QString where = QString("L%1 H%2").arg(m_selection.layer).arg(m_selection.head);
    int column = 0;
    for (const auto kind : {AttentionGridView::MapKind::Attention, AttentionGridView::MapKind::Logits}) {
        const bool isLogits = kind == AttentionGridView::MapKind::Logits;
        if (isLogits && !logits) continue;
        const Eigen::MatrixXd m = displayedMap(va, m_selection.layer, m_selection.head, kind);
        if (m.size() == 0) continue;
        const QString name = isLogits ? tr("logits S") : tr("attention");
        // The diagram above names the run; the titles name the map.
        const HeatmapPanel p = addHeatmapPanel(m_plot, 0, column, m, QString("%1 · %2").arg(name, where),
                                               labels, labels, maps);
        double bound = 0;
        for (Eigen::Index i = 0; i < m.size(); ++i)
            if (std::isfinite(m.data()[i])) bound = std::max(bound, std::abs(m.data()[i]));
        // Room for the maps: the second shares the first's rows, so it needs no row labels, and
        // the titles already name what each colour scale measures.
        if (column > 0) p.rect->axis(QCPAxis::atLeft)->setTickLabels(false);
        if (isLogits)
            shareColorScale(m_plot, {p}, divergingGradient(), QCPRange(-bound, bound), QString(), 0, column + 1, maps);
        else
            shareColorScale(m_plot, {p}, sequentialGradient(), QCPRange(0, 1), QString(), 0, column + 1, maps);
        m_shown.push_back({va.label, isLogits ? "logits" : "attention", m_selection.layer, m_selection.head, m});
        column += 2;
    }
    QList<double> stretch;  // the maps take the width, their colour scales a sliver
    for (int c = 0; c < maps->columnCount(); ++c) stretch << (c % 2 ? 0.12 : 1.0);
    maps->setColumnStretchFactors(stretch);
    applyPlotTheme(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString VariantExplainerView::figureCsv() const {
    QString csv = "variant,layer,head,map,query,key,value\n";
    for (const Shown& s : m_shown)
        for (Eigen::Index r = 0; r < s.values.rows(); ++r)
            for (Eigen::Index c = 0; c < s.values.cols(); ++c)
                csv += QString("%1,%2,%3,%4,%5,%6,%7\n")
                           .arg(s.variant)
                           .arg(s.layer)
                           .arg(s.head)
                           .arg(s.map)
                           .arg(r)
                           .arg(c)
                           .arg(number(s.values(r, c)));
    return csv;
}

QJsonObject VariantExplainerView::figureJson() const {
    QJsonArray maps;
    for (const Shown& s : m_shown) {
        QJsonArray rows;
        for (Eigen::Index r = 0; r < s.values.rows(); ++r) {
            QJsonArray row;
            for (Eigen::Index c = 0; c < s.values.cols(); ++c)
                row << (std::isfinite(s.values(r, c)) ? QJsonValue(s.values(r, c)) : QJsonValue());
            rows << row;
        }
        maps << QJsonObject{{"variant", s.variant}, {"layer", s.layer}, {"head", s.head}, {"map", s.map}, {"values", rows}};
    }
    QJsonArray boxes;
    for (const auto& b : ProjectionDiagramView::boxesFor(m_layout))
        boxes << QJsonObject{{"label", b.label}, {"first_output", b.firstRow}, {"last_output", b.lastRow},
                             {"weightless", b.weightless}};
    return {{"figure", figureName()},
            {"variant", m_layout.variantName},
            {"projections", boxes},
            {"cache", ProjectionDiagramView::cacheCaption(m_layout)},
            {"maps", maps}};
}

}  // namespace qkvviews
