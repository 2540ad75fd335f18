#include "spaced_label_ticker.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace qkvviews {

namespace {
// The smallest of 1, 2, 5, 10, 20, 50, … that is at least `x`.
int niceStep(double x) {
    if (x <= 1) return 1;
    for (int magnitude = 1;; magnitude *= 10)
        for (int m : {1, 2, 5})
            if (m * magnitude >= x) return m * magnitude;
}
}  // namespace

SpacedLabelTicker::SpacedLabelTicker(QCPAxis* axis, const QStringList& labels, int cells,
                                     int stride)
    : m_axis(axis), m_labels(labels), m_cells(cells), m_stride(std::max(1, stride)) {}

QString SpacedLabelTicker::label(int cell) const {
    return cell < m_labels.size() ? m_labels[cell] : QString::number(cell);
}

double SpacedLabelTicker::labelExtent() const {
    const QFontMetricsF metrics(m_axis->tickLabelFont());
    const bool horizontal = m_axis->orientation() == Qt::Horizontal;
    const bool rotated = std::abs(m_axis->tickLabelRotation()) > 45;
    if (horizontal == rotated) return metrics.height() * 1.15;  // labels stacked by their height
    // Measured once per font: a 1024-token axis is asked at every replot.
    if (m_widest < 0 || m_measuredFont != m_axis->tickLabelFont()) {
        m_measuredFont = m_axis->tickLabelFont();
        m_widest = 0;
        for (int i = 0; i < m_cells; ++i)
            m_widest = std::max(m_widest, metrics.horizontalAdvance(label(i)));
    }
    return m_widest + metrics.averageCharWidth();
}

int SpacedLabelTicker::neededStep() const {
    const QCPAxisRect* rect = m_axis->axisRect();
    const double length = m_axis->orientation() == Qt::Horizontal ? rect->width() : rect->height();
    // The cells on show: all of them, or fewer once the axis is zoomed in.
    const double visible = std::min(double(m_cells), m_axis->range().size() * m_stride);
    if (m_cells <= 0 || length <= 0 || visible <= 0) return 1;
    return niceStep(labelExtent() / (length / visible));
}

void SpacedLabelTicker::generate(const QCPRange& range, const QLocale&, QChar, int,
                                 QVector<double>& ticks, QVector<double>* subTicks,
                                 QVector<QString>* tickLabels) {
    m_lastStep = neededStep();
    ticks.clear();
    if (subTicks) subTicks->clear();
    if (tickLabels) tickLabels->clear();
    const int first = std::max(0, int(std::ceil((range.lower + 0.5) * m_stride - 0.5)));
    const int last = std::min(m_cells - 1, int(std::floor((range.upper + 0.5) * m_stride - 0.5)));
    for (int i = (first + m_lastStep - 1) / m_lastStep * m_lastStep; i <= last; i += m_lastStep) {
        ticks << position(i);
        if (tickLabels) *tickLabels << label(i);
    }
}

bool spacedLabelsStale(QCustomPlot* plot) {
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPAxis* axis : rect->axes())
            if (auto* t = dynamic_cast<SpacedLabelTicker*>(axis->ticker().data()))
                if (t->lastStep() != t->neededStep()) return true;
    return false;
}

}  // namespace qkvviews
