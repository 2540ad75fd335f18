#include "subspace_view.h"

#include <QComboBox>

#include "color_maps.h"
#include "heatmap_panels.h"
#include "qcp.h"

namespace qkvviews {

SubspaceView::SubspaceView(QWidget* parent) : AnalysisFigureView(parent) {
    m_pair = addChoice(tr("Map of"), overlapPairNames());
}

void SubspaceView::setPair(OverlapPair pair) {
    m_pair->setCurrentIndex(int(pair));
}

void SubspaceView::draw() {
    const int n = m_set.variants.size();
    const QStringList header = {"panel", "variant", "pair", "layer", "head", "index", "value"};
    // Angle curves span the top row.
    auto* angles = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, angles);
    angles->axis(QCPAxis::atBottom)
        ->setLabel(
            // Two lines: on one, the key ran past the edge of a single-column figure.
            tr("principal angle index, layer %1, head %2\nsolid: K/V · dashed: Q/K · dotted: Q/V")
                .arg(m_selection.layer)
                .arg(m_selection.head));
    angles->axis(QCPAxis::atBottom)->setTicker(integerTicker());
    angles->axis(QCPAxis::atLeft)->setLabel(tr("angle (°)"));
    angles->axis(QCPAxis::atLeft)->setRange(0, 90);
    // The variants' key in a row of its own under the angles: it never covers a curve. In the
    // layout before its entries, which take their plot from it.
    auto* legend = new QCPLegend;
    m_plot->plotLayout()->addElement(1, 0, legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    QFont small = m_plot->font();
    small.setPointSizeF(m_plot->font().pointSizeF() * 0.85);
    legend->setFont(small);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(4);
    const QList<QPair<OverlapPair, Qt::PenStyle>> pairs = {{OverlapPair::KvWeights, Qt::SolidLine},
                                                           {OverlapPair::QkWeights, Qt::DashLine},
                                                           {OverlapPair::QvWeights, Qt::DotLine}};
    double maxIndex = 1;
    for (int v = 0; v < n; ++v) {
        bool named = false;  // one legend entry per variant; line styles are in the axis label
        for (const auto& [pair, style] : pairs) {
            const std::vector<double> a = principalAnglesDeg(
                m_set.variants[v].analysis, m_selection.layer, m_selection.head, pair);
            if (a.empty()) continue;
            auto* g = new QCPGraph(angles->axis(QCPAxis::atBottom), angles->axis(QCPAxis::atLeft));
            g->setPen(QPen(m_set.variants[v].color, 1.8, style));
            g->setName(m_set.variants[v].label);
            if (!named) legend->addItem(new QCPPlottableLegendItem(legend, g));
            named = true;
            for (size_t i = 0; i < a.size(); ++i) {
                g->addData(double(i), a[i]);
                record(header,
                       {"angles", m_set.variants[v].label, overlapPairNames()[int(pair)],
                        QString::number(m_selection.layer), QString::number(m_selection.head),
                        QString::number(i), number(a[i])});
            }
            maxIndex = std::max(maxIndex, double(a.size() - 1));
        }
    }
    angles->axis(QCPAxis::atBottom)->setRange(0, maxIndex);

    const auto pair = OverlapPair(m_pair->currentIndex());
    QVector<HeatmapPanel> maps;
    // The maps sit in a nested grid so that the angle plot above spans the whole width.
    auto* row = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(2, 0, row);
    for (int v = 0; v < n; ++v) {
        const Eigen::MatrixXd t = overlapTable(m_set.variants[v].analysis, pair);
        QStringList layers, heads;
        for (int l = 0; l < t.rows(); ++l) layers << QString("L%1").arg(l);
        for (int h = 0; h < t.cols(); ++h) heads << QString("H%1").arg(h);
        maps << addHeatmapPanel(
            m_plot, v / kMaxPanelsPerRow, v % kMaxPanelsPerRow, t, QString("%1 · %2").arg(m_set.variants[v].label, m_pair->currentText()),
            layers, heads, row);
        for (int l = 0; l < t.rows(); ++l)
            for (int h = 0; h < t.cols(); ++h)
                record(header,
                       {"map", m_set.variants[v].label, m_pair->currentText(), QString::number(l),
                        QString::number(h), QString(), number(t(l, h))});
    }
    shareColorScale(m_plot, maps, sequentialGradient(), QCPRange(0, 1),
                    pair == OverlapPair::KvCka ? tr("CKA") : tr("mean cos²"), 0,
                    std::clamp(n, 1, kMaxPanelsPerRow), row);
    setCaption(
        tr("Top: principal angles between column spaces (solid K/V, dashed Q/K, dotted Q/V); "
           "0° everywhere means the same space (V = K). Bottom: %1 per layer and head; grey where "
           "absent.")
            .arg(m_pair->currentText()));
}

}  // namespace qkvviews
