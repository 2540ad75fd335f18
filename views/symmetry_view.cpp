#include "symmetry_view.h"

#include <QComboBox>

#include <cmath>

#include "attention_grid_view.h"
#include "color_maps.h"
#include "heatmap_panels.h"
#include "qcp.h"

namespace qkvviews {

SymmetryView::SymmetryView(QWidget* parent) : AnalysisFigureView(parent) {
    m_source = addChoice(tr("Table of"), symmetrySourceNames());
    m_source->setCurrentIndex(int(SymmetrySource::Logits));
    m_measure = addChoice(tr("Measure"), {tr("asymmetry index a(M)"), tr("symmetry score s(M)")});
}

void SymmetryView::setSource(SymmetrySource s) {
    m_source->setCurrentIndex(int(s));
}
void SymmetryView::setMeasure(SymmetryMeasureKind m) {
    m_measure->setCurrentIndex(int(m));
}

Eigen::MatrixXd SymmetryView::skewPart(int variant) const {
    if (variant < 0 || variant >= m_set.variants.size()) return {};
    const auto& layers = m_set.variants[variant].capture.layers;
    if (m_selection.layer >= int(layers.size())) return {};
    const auto& logits = layers[size_t(m_selection.layer)].logits;
    if (m_selection.head >= int(logits.size())) return {};
    const Eigen::MatrixXd s = logits[size_t(m_selection.head)].cast<double>();
    return s - s.transpose();
}

void SymmetryView::draw() {
    const auto source = SymmetrySource(m_source->currentIndex());
    const auto measure = SymmetryMeasureKind(m_measure->currentIndex());
    const int n = m_set.variants.size();
    QVector<HeatmapPanel> skew, tables;
    double maxAbs = 1e-9;
    const QStringList header = {"panel", "variant", "layer", "head", "row", "column", "value"};
    for (int v = 0; v < n; ++v) {
        const VariantAnalysis& va = m_set.variants[v];
        const Eigen::MatrixXd d = skewPart(v);
        if (d.size() == 0) continue;
        maxAbs = std::max(maxAbs, d.cwiseAbs().maxCoeff());
        const QStringList tokens = mapLabels(va, m_selection.layer);
        // Five runs a row, each with its table under its map: ten runs in one row were slivers.
        skew << addHeatmapPanel(m_plot, 2 * (v / kMaxPanelsPerRow), v % kMaxPanelsPerRow, d,
                                QString("%1 · S − Sᵀ (L%2 H%3)")
                                    .arg(va.label)
                                    .arg(m_selection.layer)
                                    .arg(m_selection.head),
                                QStringList(), tokens);
        for (int r = 0; r < d.rows(); ++r)
            for (int c = 0; c < d.cols(); ++c)
                record(header, {"skew", va.label, QString::number(m_selection.layer),
                                QString::number(m_selection.head), QString::number(r),
                                QString::number(c), number(d(r, c))});
    }
    for (int v = 0; v < n; ++v) {
        const VariantAnalysis& va = m_set.variants[v];
        const Eigen::MatrixXd t = symmetryTable(va.analysis, source, measure);
        QStringList layers, heads;
        for (int l = 0; l < t.rows(); ++l) layers << QString("L%1").arg(l);
        for (int h = 0; h < t.cols(); ++h) heads << QString("H%1").arg(h);
        const bool score = measure == SymmetryMeasureKind::SymmetryScore;
        tables << addHeatmapPanel(m_plot, 2 * (v / kMaxPanelsPerRow) + 1, v % kMaxPanelsPerRow, t,
                                  QString("%1 · %2").arg(va.label, score ? "s(M)" : "a(M)"), layers,
                                  heads);
        for (int l = 0; l < t.rows(); ++l)
            for (int h = 0; h < t.cols(); ++h)
                record(header,
                       {m_source->currentText().section(' ', 0, 0), va.label, QString::number(l),
                        QString::number(h), QString(), QString(), number(t(l, h))});
    }
    const int columns = std::clamp(n, 1, kMaxPanelsPerRow);
    shareColorScale(m_plot, skew, divergingGradient(), QCPRange(-maxAbs, maxAbs), tr("S − Sᵀ"), 0,
                    columns);
    const bool score = measure == SymmetryMeasureKind::SymmetryScore;
    shareColorScale(m_plot, tables, score ? divergingGradient() : sequentialGradient(),
                    score ? QCPRange(-1, 1) : QCPRange(0, 1), score ? tr("s(M)") : tr("a(M)"), 1,
                    columns);
    setCaption(
        tr("Top: S − Sᵀ of layer %1, head %2 (all zero when Q = K without the positional bias). "
           "Bottom: %3 of the %4 per layer and head; grey where the variant has no such matrix.")
            .arg(m_selection.layer)
            .arg(m_selection.head)
            .arg(m_measure->currentText(), m_source->currentText()));
}

}  // namespace qkvviews
