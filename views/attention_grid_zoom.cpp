// AttentionGridView's zoom into pooled maps: a long input's maps are drawn as block means, and
// the region a panel is zoomed into is drawn again from the exact values, asked for through
// exactMapWanted and computed off the GUI thread by whoever listens.
#include "attention_grid_view.h"

#include <QTimer>

#include <cmath>

#include "heatmap_panels.h"
#include "qcp.h"
#include "spaced_label_ticker.h"

namespace qkvviews {

namespace {
// "pos 3: 7" → "7": column labels are short (rotated long labels collide), as addHeatmapPanel's.
QString shortLabel(const QString& l) {
    return l.contains(": ") ? l.section(": ", 1) : l;
}
}  // namespace

int AttentionGridView::panelStride(int panel) const {
    if (panel < 0 || panel >= m_sources.size()) return 1;
    const auto& layers = m_set.variants[m_sources[panel].variant].capture.layers;
    const int layer = m_sources[panel].layer;
    return layer >= 0 && layer < int(layers.size()) ? layers[size_t(layer)].mapStride : 1;
}

void AttentionGridView::makeZoomable(int panel, bool rowLabels, bool columnLabels) {
    const HeatmapPanel& h = m_panels[panel];
    const int stride = panelStride(panel);
    const bool pooled = stride > 1;
    h.rect->setRangeZoom(pooled ? Qt::Horizontal | Qt::Vertical : Qt::Orientations());
    h.rect->setRangeDrag(pooled ? Qt::Horizontal | Qt::Vertical : Qt::Orientations());
    if (pooled) m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    if (!pooled) return;
    // Ticks at the tokens themselves, every k-th where they would overlap: zoomed in, each
    // token of the region on show is named.
    const auto& tokens = m_set.variants[m_sources[panel].variant].capture.input.labels;
    QStringList rows, columns;
    for (const std::string& t : tokens) {
        rows << QString::fromStdString(t);
        columns << shortLabel(rows.back());
    }
    const int T = int(tokens.size());
    QCPAxis* x = h.rect->axis(QCPAxis::atBottom);
    QCPAxis* y = h.rect->axis(QCPAxis::atLeft);
    x->setTicker(QSharedPointer<QCPAxisTicker>(
        new SpacedLabelTicker(x, columnLabels ? columns : QStringList(), T, stride)));
    y->setTicker(QSharedPointer<QCPAxisTicker>(
        new SpacedLabelTicker(y, rowLabels ? rows : QStringList(), T, stride)));
    // Never beyond the map: zooming out stops at the whole of it.
    const int blocks = int(h.map->data()->keySize());
    for (QCPAxis* axis : {x, y})
        connect(axis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
                [this, axis, blocks, panel](const QCPRange& r) {
                    const QCPRange whole(-0.5, blocks - 0.5);
                    if (r.size() > whole.size())
                        axis->setRange(whole);
                    else if (r.lower < whole.lower)
                        axis->setRange(whole.lower, whole.lower + r.size());
                    else if (r.upper > whole.upper)
                        axis->setRange(whole.upper - r.size(), whole.upper);
                    m_zoomedPanel = panel;
                    m_zoomTimer->start();
                });
}

void AttentionGridView::zoomPanel(int panel, int first, int last) {
    if (panel < 0 || panel >= m_panels.size()) return;
    const double stride = panelStride(panel);
    for (QCPAxis::AxisType side : {QCPAxis::atBottom, QCPAxis::atLeft})
        m_panels[panel].rect->axis(side)->setRange(first / stride - 0.5, last / stride - 0.5);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void AttentionGridView::requestExact() {
    const int p = m_zoomedPanel;
    if (p < 0 || p >= m_panels.size() || panelStride(p) <= 1) return;
    const int stride = panelStride(p);
    const PanelSource& s = m_sources[p];
    const VariantAnalysis& va = m_set.variants[s.variant];
    const int T = va.capture.input.length();
    // The tokens a range of the axis shows, whole blocks at its ends.
    auto tokens = [&](const QCPRange& r, int* first, int* last) {
        *first = std::clamp(int(std::floor((r.lower + 0.5) * stride)), 0, T);
        *last = std::clamp(int(std::ceil((r.upper + 0.5) * stride)), 0, T);
    };
    qkv::MapRegion want{s.layer, s.head, m_mapKind == MapKind::Logits};
    tokens(m_panels[p].rect->axis(QCPAxis::atLeft)->range(), &want.row0, &want.row1);
    tokens(m_panels[p].rect->axis(QCPAxis::atBottom)->range(), &want.col0, &want.col1);
    ExactOverlay& have = m_exact[p];
    if (want.rows() > kExactSide || want.columns() > kExactSide || want.rows() < 1 ||
        want.columns() < 1) {
        // Zoomed out: the pooled map alone, not a patch of finer cells inside it.
        if (have.map) {
            m_plot->removePlottable(have.map);
            have = {};
            m_plot->replot(QCustomPlot::rpQueuedReplot);
        }
        return;
    }
    const qkv::MapRegion& r = have.region;
    if (have.map && r.row0 <= want.row0 && r.row1 >= want.row1 && r.col0 <= want.col0 &&
        r.col1 >= want.col1)
        return;
    // A margin around the view (kExactSide a side in all), so a small pan is drawn already.
    auto grow = [T](int* first, int* last) {
        const int extra = (kExactSide - (*last - *first)) / 2;
        *first = std::max(0, *first - extra);
        *last = std::min(T, *last + extra);
    };
    grow(&want.row0, &want.row1);
    grow(&want.col0, &want.col1);
    Q_EMIT exactMapWanted(va.runId, va.capture.input, want);
}

void AttentionGridView::setExactMap(const QString& runId, const qkv::MapRegion& region,
                                    const Eigen::MatrixXf& values) {
    if (values.rows() != region.rows() || values.cols() != region.columns() || region.rows() < 2 ||
        region.columns() < 2)
        return;
    bool drawn = false;
    for (int p = 0; p < m_panels.size(); ++p) {
        const PanelSource& s = m_sources[p];
        const VariantAnalysis& va = m_set.variants[s.variant];
        if (va.runId != runId || s.layer != region.layer || s.head != region.head ||
            (m_mapKind == MapKind::Logits) != region.logits || panelStride(p) <= 1 ||
            region.row1 > va.capture.input.length() || region.col1 > va.capture.input.length())
            continue;
        ExactOverlay& o = m_exact[p];
        if (o.map) m_plot->removePlottable(o.map);
        const HeatmapPanel& h = m_panels[p];
        auto* map = new QCPColorMap(h.rect->axis(QCPAxis::atBottom), h.rect->axis(QCPAxis::atLeft));
        const double stride = panelStride(p);
        auto at = [stride](int token) { return (token + 0.5) / stride - 0.5; };
        map->data()->setSize(region.columns(), region.rows());
        map->data()->setRange(QCPRange(at(region.col0), at(region.col1 - 1)),
                              QCPRange(at(region.row0), at(region.row1 - 1)));
        const bool masked = !region.logits && va.capture.config.causal();
        for (int i = 0; i < region.rows(); ++i)
            for (int j = 0; j < region.columns(); ++j)
                map->data()->setCell(j, i,
                                     masked && region.col0 + j > region.row0 + i
                                         ? std::nan("")
                                         : double(values(i, j)));
        map->setInterpolate(false);
        map->setGradient(m_scale->gradient());
        map->setColorScale(m_scale);
        if (region.logits) {  // the block means hide the extremes: widen the shared scale
            const double extreme = std::max(std::abs(m_scale->dataRange().lower),
                                            double(values.cwiseAbs().maxCoeff()));
            m_scale->setDataRange(QCPRange(-extreme, extreme));
        }
        o = {region, map, values};
        drawn = true;
    }
    if (drawn) m_plot->replot(QCustomPlot::rpQueuedReplot);
}

AttentionGridView::ExactMap AttentionGridView::exactMap(int panel) const {
    if (panel < 0 || panel >= m_exact.size() || !m_exact[panel].map) return {};
    return {m_exact[panel].region, m_exact[panel].values};
}

bool AttentionGridView::exactCellAt(int panel, const QPointF& pos, int* row, int* column,
                                    double* value) const {
    if (panel < 0 || panel >= m_exact.size() || !m_exact[panel].map) return false;
    const ExactOverlay& o = m_exact[panel];
    const QCPAxisRect* rect = m_panels[panel].rect;
    int c = 0, r = 0;
    o.map->data()->coordToCell(rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x()),
                               rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y()), &c, &r);
    if (c < 0 || r < 0 || c >= o.region.columns() || r >= o.region.rows()) return false;
    *row = o.region.row0 + r;
    *column = o.region.col0 + c;
    *value = o.map->data()->cell(c, r);
    return true;
}

}  // namespace qkvviews
