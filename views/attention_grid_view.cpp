#include "attention_grid_view.h"

#include "spaced_label_ticker.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

#include "color_maps.h"
#include "heatmap_panels.h"
#include "plot_theme.h"
#include "qcp.h"

namespace qkvviews {

Eigen::MatrixXd displayedMap(const VariantAnalysis& v, int layer, int head,
                             AttentionGridView::MapKind kind) {
    const auto& layers = v.capture.layers;
    if (layer < 0 || layer >= int(layers.size())) return {};
    const auto& maps = kind == AttentionGridView::MapKind::Attention ? layers[size_t(layer)].attn
                                                                     : layers[size_t(layer)].logits;
    if (head < 0 || head >= int(maps.size())) return {};
    Eigen::MatrixXd m = maps[size_t(head)].cast<double>();
    if (kind == AttentionGridView::MapKind::Attention && v.capture.config.causal())
        for (int i = 0; i < m.rows(); ++i)
            for (int j = i + 1; j < m.cols(); ++j) m(i, j) = std::nan("");  // masked: grey
    return m;
}

QStringList mapLabels(const VariantAnalysis& v, int layer) {
    const auto& layers = v.capture.layers;
    const int stride = layer >= 0 && layer < int(layers.size()) ? layers[size_t(layer)].mapStride : 1;
    QStringList labels;
    const auto& tokens = v.capture.input.labels;
    for (size_t i = 0; i < tokens.size(); i += size_t(stride))
        labels << QString::fromStdString(tokens[i]) + (stride > 1 ? QString("…") : QString());
    return labels;
}

AttentionGridView::AttentionGridView(QWidget* parent) : QWidget(parent) {
    m_plot = new QCustomPlot(this);
    keepPanelsReadable(m_plot);
    m_rowPlot = new QCustomPlot(this);
    m_rowPlot->setMinimumHeight(140);
    m_rowPlot->setMaximumHeight(200);
    m_kind = new QComboBox(this);
    m_kind->addItem(tr("Attention A (post-softmax)"));
    m_kind->addItem(tr("Logits S (pre-mask)"));
    m_caption = new QLabel(this);
    m_caption->setWordWrap(true);
    m_pager = new QWidget(this);
    m_previous = new QToolButton(m_pager);
    m_previous->setArrowType(Qt::LeftArrow);
    m_previous->setToolTip(tr("Previous heads"));
    m_next = new QToolButton(m_pager);
    m_next->setArrowType(Qt::RightArrow);
    m_next->setToolTip(tr("Next heads"));
    m_pageLabel = new QLabel(m_pager);
    auto* pagerLayout = new QHBoxLayout(m_pager);
    pagerLayout->setContentsMargins(0, 0, 0, 0);
    pagerLayout->addWidget(m_previous);
    pagerLayout->addWidget(m_pageLabel);
    pagerLayout->addWidget(m_next);
    connect(m_previous, &QToolButton::clicked, this, [this] { showPage(m_page - 1); });
    connect(m_next, &QToolButton::clicked, this, [this] { showPage(m_page + 1); });
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Map"), this));
    controls->addWidget(m_kind);
    controls->addWidget(m_pager);
    controls->addWidget(m_caption, 1);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    layout->addWidget(m_plot, 1);
    layout->addWidget(m_rowPlot);
    connect(m_kind, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this](int i) { setMapKind(i == 0 ? MapKind::Attention : MapKind::Logits); });
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showHover(e->position()); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        int p = 0, r = 0, c = 0;
        if (cellAt(m_panels, e->position(), &p, &r, &c)) showRow(p, r);
    });
    // A zoomed pooled panel goes back to the whole map, as the training curves do.
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent* e) {
        for (int p = 0; p < m_panels.size(); ++p)
            if (panelStride(p) > 1 && m_panels[p].rect->rect().contains(e->position().toPoint()))
                zoomPanel(p, 0, m_set.variants[m_sources[p].variant].capture.input.length());
    });
    m_plot->setMinimumSize(240, 200);  // never widens the window; panels shrink instead
    followPalette(m_plot);
    followPalette(m_rowPlot);
    m_rowPlot->setVisible(false);  // until a row is clicked
    // A wheel turn fires several range changes: ask for the exact region once they settle.
    m_zoomTimer = new QTimer(this);
    m_zoomTimer->setSingleShot(true);
    m_zoomTimer->setInterval(150);
    connect(m_zoomTimer, &QTimer::timeout, this, &AttentionGridView::requestExact);
    rebuild();
}

void AttentionGridView::setAnalysis(const AnalysisSet& set) {
    m_set = set;
    rebuild();
}

void AttentionGridView::setSelection(const AnalysisSelection& selection) {
    // The page follows the selected head (a head picked in the atlas is on show).
    if (selection.head != m_selection.head || selection.layer != m_selection.layer)
        m_page = selection.head / kHeadsPerPage;
    m_selection = selection;
    rebuild();
}

bool AttentionGridView::pagedHeads(int variant) const {
    if (variant < 0 || variant >= m_set.variants.size()) return false;
    const auto& cap = m_set.variants[variant].capture;
    return int(cap.layers.size()) * cap.config.heads > kMaxGridPanels;
}

void AttentionGridView::showPage(int page) {
    m_page = page;
    rebuild();
}

void AttentionGridView::updatePager(int variant) {
    const bool paged = !m_selection.acrossVariants && pagedHeads(variant);
    m_pager->setVisible(paged);
    if (!paged) return;
    const int H = m_set.variants[variant].capture.config.heads;
    const int pages = (H + kHeadsPerPage - 1) / kHeadsPerPage;
    m_page = std::clamp(m_page, 0, pages - 1);
    const int first = m_page * kHeadsPerPage;
    m_pageLabel->setText(tr("heads %1–%2 of %3").arg(first).arg(std::min(H, first + kHeadsPerPage) - 1).arg(H));
    m_previous->setEnabled(m_page > 0);
    m_next->setEnabled(m_page + 1 < pages);
}

void AttentionGridView::setMapKind(MapKind kind) {
    m_mapKind = kind;
    if (m_kind->currentIndex() != int(kind)) m_kind->setCurrentIndex(int(kind));
    rebuild();
}

QStringList AttentionGridView::tokenLabels(int variant, int layer) const {
    if (variant < 0 || variant >= m_set.variants.size()) return {};
    return mapLabels(m_set.variants[variant], layer);
}

void AttentionGridView::rebuild() {
    clearPanels(m_plot);
    m_plot->setInteractions(QCP::Interactions());  // makeZoomable turns them on for pooled maps
    m_panels.clear();
    m_sources.clear();
    m_sources.reserve(64);
    const int n = m_set.variants.size();
    if (n == 0) {
        m_caption->setText(
            tr("Run an analysis to see attention maps. Click a cell to see its query row."));
        m_rowPlot->setVisible(false);
        m_plot->replot(QCustomPlot::rpQueuedReplot);
        return;
    }
    const int v = std::clamp(m_selection.variant, 0, n - 1);
    if (m_selection.acrossVariants) {
        for (int i = 0; i < n; ++i)
            m_sources.push_back({i, m_selection.layer, m_selection.head,
                                 QString("%1 · L%2 H%3")
                                     .arg(m_set.variants[i].label)
                                     .arg(m_selection.layer)
                                     .arg(m_selection.head)});
    } else if (pagedHeads(v)) {
        // A real model's heads: one layer at a time, a page of heads around the selected one.
        const int H = m_set.variants[v].capture.config.heads;
        const int first = std::clamp(m_page, 0, (H - 1) / kHeadsPerPage) * kHeadsPerPage;
        for (int h = first; h < std::min(H, first + kHeadsPerPage); ++h)
            m_sources.push_back({v, m_selection.layer, h,
                                 QString("%1 · L%2 H%3").arg(m_set.variants[v].label).arg(m_selection.layer).arg(h)});
    } else {
        const auto& cap = m_set.variants[v].capture;
        for (int l = 0; l < int(cap.layers.size()); ++l)
            for (int h = 0; h < cap.config.heads; ++h)
                // Each panel names its run: an exported grid has no caption beside it.
                m_sources.push_back({v, l, h, QString("%1 · L%2 H%3").arg(m_set.variants[v].label).arg(l).arg(h)});
    }
    const int columns = m_selection.acrossVariants ? n
                        : pagedHeads(v)            ? kHeadsPerPage / 2
                                                   : std::max(1, m_set.variants[v].capture.config.heads);
    updatePager(v);
    double maxAbs = 0;
    for (int i = 0; i < m_sources.size(); ++i) {
        const PanelSource& s = m_sources[i];
        const Eigen::MatrixXd m =
            displayedMap(m_set.variants[s.variant], s.layer, s.head, m_mapKind);
        if (m.size() == 0) continue;
        const QStringList labels = tokenLabels(s.variant, s.layer);
        // Token labels on the outer edges: rows in the first column, keys under the bottom
        // row; positions elsewhere.
        const bool bottom = i / columns == (m_sources.size() - 1) / columns;
        m_panels.push_back(addHeatmapPanel(m_plot, i / columns, i % columns, m, s.title,
                                           i % columns == 0 ? labels : QStringList(),
                                           bottom ? labels : QStringList()));
        makeZoomable(m_panels.size() - 1, i % columns == 0, bottom);
        for (int r = 0; r < m.rows(); ++r)
            for (int c = 0; c < m.cols(); ++c)
                if (std::isfinite(m(r, c))) maxAbs = std::max(maxAbs, std::abs(m(r, c)));
    }
    const bool attention = m_mapKind == MapKind::Attention;
    m_exact = QVector<ExactOverlay>(m_panels.size());
    m_zoomedPanel = -1;
    m_scale = shareColorScale(
        m_plot, m_panels, attention ? sequentialGradient() : divergingGradient(),
        attention ? QCPRange(0, 1) : QCPRange(-std::max(maxAbs, 1e-9), std::max(maxAbs, 1e-9)),
        attention ? tr("attention") : tr("logit"));
    applyPlotTheme(m_plot, palette());
    const auto& firstLayer = m_set.variants[v].capture.layers;
    const int stride = firstLayer.empty() ? 1 : firstLayer[0].mapStride;
    m_caption->setText(m_set.inputDescription +
                       (m_selection.acrossVariants ? tr("  —  one head across variants")
                        : pagedHeads(v) ? tr("  —  %1: layer %2, a page of heads")
                                              .arg(m_set.variants[v].label)
                                              .arg(m_selection.layer)
                                        : tr("  —  %1: layers × heads").arg(m_set.variants[v].label)) +
                       (stride > 1 ? tr("  —  drawn as means of %1×%1 token blocks (the "
                                        "measurements use the exact maps); zoom in with the "
                                        "wheel to see each token exactly, double-click for "
                                        "the whole map")
                                         .arg(stride)
                                   : QString()));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    // The query row shown belongs to the maps just replaced: show the same panel and row of the
    // new maps (another run, input or map kind), or nothing.
    if (!m_rowPlot->isHidden() && m_rowPanel >= 0) showRow(m_rowPanel, m_row);
}

Eigen::MatrixXd AttentionGridView::panelMatrix(int panel) const {
    if (panel < 0 || panel >= m_sources.size()) return {};
    const PanelSource& s = m_sources[panel];
    return displayedMap(m_set.variants[s.variant], s.layer, s.head, m_mapKind);
}

void AttentionGridView::showHover(const QPointF& pos) {
    int p = 0, r = 0, c = 0;
    if (!cellAt(m_panels, pos, &p, &r, &c)) {
        QToolTip::hideText();
        return;
    }
    double exact = 0;
    if (exactCellAt(p, pos, &r, &c, &exact)) {
        const auto& labels = m_set.variants[m_sources[p].variant].capture.input.labels;
        QToolTip::showText(m_plot->mapToGlobal(pos.toPoint()),
                           QString("%1\nquery %2 → key %3\n%4")
                               .arg(m_sources[p].title, QString::fromStdString(labels[size_t(r)]),
                                    QString::fromStdString(labels[size_t(c)]),
                                    std::isnan(exact) ? tr("masked") : QString::number(exact, 'g', 4)),
                           m_plot);
        return;
    }
    const QStringList labels = tokenLabels(m_sources[p].variant, m_sources[p].layer);
    const double value = panelMatrix(p)(r, c);
    const QString q = r < labels.size() ? labels[r] : QString::number(r);
    const QString k = c < labels.size() ? labels[c] : QString::number(c);
    QToolTip::showText(m_plot->mapToGlobal(pos.toPoint()),
                       QString("%1\nquery %2 → key %3\n%4")
                           .arg(m_sources[p].title, q, k,
                                std::isnan(value) ? tr("masked") : QString::number(value, 'g', 4)),
                       m_plot);
}

void AttentionGridView::showRow(int panel, int row) {
    m_rowPlot->clearPlottables();
    m_rowPanel = -1;
    const Eigen::MatrixXd m = panelMatrix(panel);
    if (m.size() == 0 || row < 0 || row >= m.rows()) {
        m_rowPlot->setVisible(false);
        return;
    }
    m_rowPanel = panel, m_row = row;
    m_rowPlot->setVisible(true);
    const QStringList labels = tokenLabels(m_sources[panel].variant, m_sources[panel].layer);
    auto* bars = new QCPBars(m_rowPlot->xAxis, m_rowPlot->yAxis);
    QVector<double> keys, values;
    for (int c = 0; c < m.cols(); ++c) {
        keys << c;
        values << (std::isfinite(m(row, c)) ? m(row, c) : 0.0);
    }
    bars->setData(keys, values, true);
    bars->setBrush(seriesColor(0));
    bars->setPen(Qt::NoPen);
    // Every key's label where they fit, every k-th where they would overlap.
    m_rowPlot->xAxis->setTicker(
        QSharedPointer<QCPAxisTicker>(new SpacedLabelTicker(m_rowPlot->xAxis, labels, int(m.cols()))));
    m_rowPlot->xAxis->setRange(-0.5, m.cols() - 0.5);
    m_rowPlot->yAxis->setRange(
        std::min(0.0, values.isEmpty() ? 0.0 : *std::min_element(values.begin(), values.end())),
        std::max(1e-9, *std::max_element(values.begin(), values.end())) * 1.05);
    const QString q = row < labels.size() ? labels[row] : QString::number(row);
    m_rowPlot->xAxis->setLabel(tr("%1, query %2: keys").arg(m_sources[panel].title, q));
    m_rowPlot->replot(QCustomPlot::rpQueuedReplot);
}

QString AttentionGridView::figureCsv() const {
    QString csv = "variant,layer,head,query,key,value\n";
    for (int p = 0; p < m_sources.size(); ++p) {
        const Eigen::MatrixXd m = panelMatrix(p);
        const QString variant = m_set.variants[m_sources[p].variant].label;
        for (int r = 0; r < m.rows(); ++r)
            for (int c = 0; c < m.cols(); ++c)
                csv +=
                    QString("%1,%2,%3,%4,%5,%6\n")
                        .arg(variant)
                        .arg(m_sources[p].layer)
                        .arg(m_sources[p].head)
                        .arg(r)
                        .arg(c)
                        .arg(std::isfinite(m(r, c)) ? QString::number(m(r, c), 'g', 9) : QString());
    }
    return csv;
}

QJsonObject AttentionGridView::figureJson() const {
    QJsonArray panels;
    for (int p = 0; p < m_sources.size(); ++p) {
        const Eigen::MatrixXd m = panelMatrix(p);
        QJsonArray rows;
        for (int r = 0; r < m.rows(); ++r) {
            QJsonArray row;
            for (int c = 0; c < m.cols(); ++c)
                row.append(std::isfinite(m(r, c)) ? QJsonValue(m(r, c)) : QJsonValue());
            rows.append(row);
        }
        panels.append(QJsonObject{{"variant", m_set.variants[m_sources[p].variant].label},
                                  {"layer", m_sources[p].layer},
                                  {"head", m_sources[p].head},
                                  {"matrix", rows}});
    }
    QJsonArray labels;
    for (const QString& l : tokenLabels(m_sources.isEmpty() ? 0 : m_sources[0].variant,
                                        m_sources.isEmpty() ? 0 : m_sources[0].layer))
        labels.append(l);
    return {{"map", m_mapKind == MapKind::Attention ? "attention" : "logits"},
            {"input", m_set.inputDescription},
            {"tokens", labels},
            {"panels", panels}};
}

}  // namespace qkvviews
