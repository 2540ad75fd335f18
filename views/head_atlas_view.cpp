#include "head_atlas_view.h"

#include <QComboBox>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "analysis_values.h"
#include "color_maps.h"
#include "heatmap_panels.h"
#include "qcp.h"

namespace qkvviews {

QStringList headMeasureNames() {
    return {QObject::tr("logits asymmetry a(S)"),
            QObject::tr("attention asymmetry a(A)"),
            QObject::tr("bilinear-form asymmetry a(W_Q W_Kᵀ)"),
            QObject::tr("K/V overlap of the weights (mean cos²)"),
            QObject::tr("K/V overlap of the activations (mean cos²)"),
            QObject::tr("effective rank of the attention"),
            QObject::tr("effective rank of W_Q W_Kᵀ"),
            QObject::tr("attention entropy (nats)"),
            QObject::tr("previous-token attention")};
}

Eigen::MatrixXd headMeasureTable(const qkv::ModelAnalysis& a, HeadMeasure m) {
    using S = SymmetrySource;
    switch (m) {
        case HeadMeasure::LogitsAsymmetry:
            return symmetryTable(a, S::Logits, SymmetryMeasureKind::AsymmetryIndex);
        case HeadMeasure::AttentionAsymmetry:
            return symmetryTable(a, S::Attention, SymmetryMeasureKind::AsymmetryIndex);
        case HeadMeasure::BilinearAsymmetry:
            return symmetryTable(a, S::BilinearForm, SymmetryMeasureKind::AsymmetryIndex);
        case HeadMeasure::KvWeightOverlap:
            return overlapTable(a, OverlapPair::KvWeights);
        case HeadMeasure::KvActivationOverlap:
            return overlapTable(a, OverlapPair::KvActivations);
        default:
            break;
    }
    const int L = int(a.layers.size()), H = a.config.heads;
    Eigen::MatrixXd t = Eigen::MatrixXd::Constant(L, H, std::nan(""));
    for (int l = 0; l < L; ++l)
        for (const qkv::HeadAnalysis& h : a.layers[size_t(l)].heads) {
            if (h.head >= H) continue;
            double v = std::nan("");
            if (m == HeadMeasure::AttentionEffectiveRank && h.attentionSpectrum.present)
                v = h.attentionSpectrum.value.effectiveRank;
            if (m == HeadMeasure::BilinearEffectiveRank && h.bilinearSpectrum.present)
                v = h.bilinearSpectrum.value.effectiveRank;
            if (m == HeadMeasure::AttentionEntropy) v = h.attentionEntropy;
            if (m == HeadMeasure::PreviousToken) v = h.previousTokenScore;
            t(l, h.head) = v;
        }
    return t;
}

namespace {
// The colour range a measure lives in.
QCPRange rangeOf(HeadMeasure m, const Eigen::MatrixXd& all) {
    switch (m) {
        case HeadMeasure::AttentionEffectiveRank:
        case HeadMeasure::BilinearEffectiveRank:
        case HeadMeasure::AttentionEntropy: {
            double hi = 1e-9;
            for (Eigen::Index i = 0; i < all.size(); ++i)
                if (std::isfinite(all(i))) hi = std::max(hi, all(i));
            return QCPRange(m == HeadMeasure::AttentionEntropy ? 0 : 1, std::max(hi, 1.0 + 1e-9));
        }
        default:
            return QCPRange(0, 1);
    }
}
}  // namespace

HeadAtlasView::HeadAtlasView(QWidget* parent) : AnalysisFigureView(parent) {
    m_measure = addChoice(tr("Measure"), headMeasureNames());
    m_order = addChoice(tr("Heads"), {tr("in order (GQA groups marked)"),
                                      tr("sorted in each layer, highest first")});
    connect(m_plot, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showHover(e->position()); });
    connect(m_plot, &QCustomPlot::mousePress, this, [this](QMouseEvent* e) {
        int p = 0, r = 0, c = 0;
        if (cellAt(m_panels, e->position(), &p, &r, &c)) activateCell(p, r, c);
    });
}

void HeadAtlasView::setMeasure(HeadMeasure m) {
    m_measure->setCurrentIndex(int(m));
}
void HeadAtlasView::setSorted(bool sorted) {
    m_order->setCurrentIndex(sorted ? 1 : 0);
}

int HeadAtlasView::headAt(int variant, int layer, int column) const {
    if (variant < 0 || variant >= m_columns.size()) return -1;
    const auto& layers = m_columns[variant];
    if (layer < 0 || layer >= layers.size() || column < 0 || column >= layers[layer].size())
        return -1;
    return layers[layer][column];
}

void HeadAtlasView::activateCell(int panel, int row, int column) {
    if (panel < 0 || panel >= m_panelVariant.size()) return;
    const int variant = m_panelVariant[panel], head = headAt(variant, row, column);
    if (head >= 0) Q_EMIT headActivated(variant, row, head);
}

void HeadAtlasView::draw() {
    const auto measure = HeadMeasure(m_measure->currentIndex());
    const bool sorted = m_order->currentIndex() == 1;
    m_panels.clear();
    m_panelVariant.clear();
    m_columns = QVector<QVector<QVector<int>>>(m_set.variants.size());
    const QStringList header = {"variant", "layer", "column", "head", "kv_head", "value"};
    std::vector<Eigen::MatrixXd> tables;
    Eigen::MatrixXd all(0, 1);
    for (const VariantAnalysis& v : m_set.variants) {
        tables.push_back(headMeasureTable(v.analysis, measure));
        Eigen::MatrixXd flat =
            Eigen::Map<const Eigen::MatrixXd>(tables.back().data(), tables.back().size(), 1);
        Eigen::MatrixXd joined(all.rows() + flat.rows(), 1);
        joined << all, flat;
        all = joined;
    }
    for (int v = 0; v < m_set.variants.size(); ++v) {
        const VariantAnalysis& va = m_set.variants[v];
        const Eigen::MatrixXd& t = tables[size_t(v)];
        const int H = int(t.cols()),
                  group = std::max(
                      1, va.analysis.config.heads / std::max(1, va.analysis.config.kvHeadCount()));
        Eigen::MatrixXd shown = t;
        QVector<QVector<int>> columns(int(t.rows()));
        for (int l = 0; l < t.rows(); ++l) {
            QVector<int> order(H);
            std::iota(order.begin(), order.end(), 0);
            if (sorted)  // highest first, heads without a value last
                std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
                    const double x = t(l, a), y = t(l, b);
                    if (std::isnan(y)) return !std::isnan(x);
                    return !std::isnan(x) && x > y;
                });
            for (int c = 0; c < H; ++c) {
                shown(l, c) = t(l, order[c]);
                record(header,
                       {va.label, QString::number(l), QString::number(c), QString::number(order[c]),
                        QString::number(order[c] / group), number(shown(l, c))});
            }
            columns[l] = order;
        }
        m_columns[v] = columns;
        QStringList layers, heads;
        for (int l = 0; l < t.rows(); ++l) layers << QString("L%1").arg(l);
        for (int c = 0; c < H; ++c)
            heads << (sorted ? QString("#%1").arg(c + 1) : QString("H%1").arg(c));
        HeatmapPanel panel = addHeatmapPanel(m_plot, v / kMaxPanelsPerRow, v % kMaxPanelsPerRow,
                                             shown, va.label, layers, heads);
        m_panels << panel;
        m_panelVariant << v;
        // Separators between the query heads of different KV heads (GQA/MQA groups).
        if (!sorted && group > 1 && group < H)
            for (int k = group; k < H; k += group) {
                auto* line = new QCPItemStraightLine(m_plot);
                line->setClipAxisRect(panel.rect);
                line->point1->setAxes(panel.rect->axis(QCPAxis::atBottom),
                                      panel.rect->axis(QCPAxis::atLeft));
                line->point2->setAxes(panel.rect->axis(QCPAxis::atBottom),
                                      panel.rect->axis(QCPAxis::atLeft));
                line->point1->setCoords(k - 0.5, 0);
                line->point2->setCoords(k - 0.5, 1);
                line->setPen(QPen(palette().color(QPalette::WindowText), 1.5));
            }
    }
    shareColorScale(m_plot, m_panels, sequentialGradient(), rangeOf(measure, all),
                    m_measure->currentText(), 0,
                    std::clamp(int(m_set.variants.size()), 1, kMaxPanelsPerRow));
    setCaption(tr("%1 of every head, layer by layer (rows) — %2. Click a cell to open that head "
                  "in the other views; hover for its value. Grey: the model has no such value.")
                   .arg(m_measure->currentText())
                   .arg(sorted ? tr("each layer's heads sorted, highest first")
                               : tr("heads in order; lines separate the query heads that share "
                                    "a KV head")));
}

void HeadAtlasView::showHover(const QPointF& pos) {
    int p = 0, r = 0, c = 0;
    if (!cellAt(m_panels, pos, &p, &r, &c)) {
        QToolTip::hideText();
        return;
    }
    const int v = m_panelVariant[p], head = headAt(v, r, c);
    const VariantAnalysis& va = m_set.variants[v];
    const int group =
        std::max(1, va.analysis.config.heads / std::max(1, va.analysis.config.kvHeadCount()));
    const double value =
        headMeasureTable(va.analysis, HeadMeasure(m_measure->currentIndex()))(r, head);
    QToolTip::showText(m_plot->mapToGlobal(pos.toPoint()),
                       QString("%1 · L%2 H%3 (KV head %4)\n%5: %6")
                           .arg(va.label)
                           .arg(r)
                           .arg(head)
                           .arg(head / group)
                           .arg(m_measure->currentText(),
                                std::isnan(value) ? tr("none") : QString::number(value, 'g', 4)),
                       m_plot);
}

}  // namespace qkvviews
