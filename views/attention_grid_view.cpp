#include "attention_grid_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
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
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Map"), this));
    controls->addWidget(m_kind);
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
    followPalette(m_plot);
    followPalette(m_rowPlot);
    m_rowPlot->setVisible(false);  // until a row is clicked
    rebuild();
}

void AttentionGridView::setAnalysis(const AnalysisSet& set) {
    m_set = set;
    rebuild();
}

void AttentionGridView::setSelection(const AnalysisSelection& selection) {
    m_selection = selection;
    rebuild();
}

void AttentionGridView::setMapKind(MapKind kind) {
    m_mapKind = kind;
    if (m_kind->currentIndex() != int(kind)) m_kind->setCurrentIndex(int(kind));
    rebuild();
}

QStringList AttentionGridView::tokenLabels(int variant) const {
    QStringList labels;
    if (variant < 0 || variant >= m_set.variants.size()) return labels;
    for (const std::string& l : m_set.variants[variant].capture.input.labels)
        labels << QString::fromStdString(l);
    return labels;
}

void AttentionGridView::rebuild() {
    clearPanels(m_plot);
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
    } else {
        const auto& cap = m_set.variants[v].capture;
        for (int l = 0; l < int(cap.layers.size()); ++l)
            for (int h = 0; h < cap.config.heads; ++h)
                m_sources.push_back({v, l, h, QString("L%1 H%2").arg(l).arg(h)});
    }
    const int columns =
        m_selection.acrossVariants ? n : std::max(1, m_set.variants[v].capture.config.heads);
    double maxAbs = 0;
    for (int i = 0; i < m_sources.size(); ++i) {
        const PanelSource& s = m_sources[i];
        const Eigen::MatrixXd m =
            displayedMap(m_set.variants[s.variant], s.layer, s.head, m_mapKind);
        if (m.size() == 0) continue;
        const QStringList labels = tokenLabels(s.variant);
        // Token labels on the outer edges: rows in the first column, keys under the bottom
        // row; positions elsewhere.
        const bool bottom = i / columns == (m_sources.size() - 1) / columns;
        m_panels.push_back(addHeatmapPanel(m_plot, i / columns, i % columns, m, s.title,
                                           i % columns == 0 ? labels : QStringList(),
                                           bottom ? labels : QStringList()));
        for (int r = 0; r < m.rows(); ++r)
            for (int c = 0; c < m.cols(); ++c)
                if (std::isfinite(m(r, c))) maxAbs = std::max(maxAbs, std::abs(m(r, c)));
    }
    const bool attention = m_mapKind == MapKind::Attention;
    shareColorScale(
        m_plot, m_panels, attention ? sequentialGradient() : divergingGradient(),
        attention ? QCPRange(0, 1) : QCPRange(-std::max(maxAbs, 1e-9), std::max(maxAbs, 1e-9)),
        attention ? tr("attention") : tr("logit"));
    applyPlotTheme(m_plot, palette());
    m_caption->setText(m_set.inputDescription +
                       (m_selection.acrossVariants
                            ? tr("  —  one head across variants")
                            : tr("  —  %1: layers × heads").arg(m_set.variants[v].label)));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
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
    const QStringList labels = tokenLabels(m_sources[p].variant);
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
    const Eigen::MatrixXd m = panelMatrix(panel);
    if (m.size() == 0 || row < 0 || row >= m.rows()) return;
    m_rowPlot->setVisible(true);
    const QStringList labels = tokenLabels(m_sources[panel].variant);
    auto* bars = new QCPBars(m_rowPlot->xAxis, m_rowPlot->yAxis);
    QVector<double> keys, values;
    for (int c = 0; c < m.cols(); ++c) {
        keys << c;
        values << (std::isfinite(m(row, c)) ? m(row, c) : 0.0);
    }
    bars->setData(keys, values, true);
    bars->setBrush(seriesColor(0));
    bars->setPen(Qt::NoPen);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    if (labels.size() <= 48)
        for (int c = 0; c < labels.size(); ++c) ticker->addTick(c, labels[c]);
    if (labels.size() <= 48) m_rowPlot->xAxis->setTicker(ticker);
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
    for (const QString& l : tokenLabels(m_sources.isEmpty() ? 0 : m_sources[0].variant))
        labels.append(l);
    return {{"map", m_mapKind == MapKind::Attention ? "attention" : "logits"},
            {"input", m_set.inputDescription},
            {"tokens", labels},
            {"panels", panels}};
}

}  // namespace qkvviews
