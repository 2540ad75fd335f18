#pragma once
// Tick labels for the rows or columns of a heat map that never overlap: one label every k cells,
// k (1, 2, 5, 10, …) chosen from the axis' length in pixels and the labels' size at draw time.
// So a 16-row map shows every token on screen and every fifth in a single-column export.

#include <QFont>
#include <QStringList>

#include "qcp.h"

namespace qkvviews {

class SpacedLabelTicker : public QCPAxisTicker {
public:
    // labels[i] names cell i; empty: the cell indices. `axis` is the axis the ticker serves.
    // stride > 1: the axis counts blocks of `stride` cells (a pooled map) and each label is
    // placed at its own cell inside its block, so a zoomed-in pooled map shows every token.
    SpacedLabelTicker(QCPAxis* axis, const QStringList& labels, int cells, int stride = 1);

    void generate(const QCPRange& range, const QLocale& locale, QChar formatChar, int precision,
                  QVector<double>& ticks, QVector<double>* subTicks,
                  QVector<QString>* tickLabels) override;

    // The step of the last generate(), and the one the axis' current length asks for: they
    // differ after a resize until the next layout pass.
    int lastStep() const { return m_lastStep; }
    int neededStep() const;

private:
    QString label(int cell) const;
    double labelExtent() const;  // pixels one label needs along the axis, with a gap
    double position(int cell) const { return (cell + 0.5) / m_stride - 0.5; }

    QCPAxis* m_axis;
    QStringList m_labels;
    int m_cells;
    int m_stride;
    int m_lastStep = 1;
    mutable QFont m_measuredFont;    // the font m_widest was measured in
    mutable double m_widest = -1;
};

// QCustomPlot computes ticks before it lays out the axis rects, so after a resize the labels are
// spaced for the old length: true when some axis of `plot` needs another layout pass.
bool spacedLabelsStale(QCustomPlot* plot);

}  // namespace qkvviews
