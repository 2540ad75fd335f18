#pragma once
// The colour maps of every picture, defined once: Debian's QCustomPlot 2.1.0 has no viridis.

#include <QColor>
#include <QVector>

class QCPColorGradient;

namespace qkvviews {

// Perceptually uniform sequential map (viridis), for attention weights and magnitudes.
QCPColorGradient sequentialGradient();
// Diverging map centred on white (blue → white → red), for signed values such as S − Sᵀ.
QCPColorGradient divergingGradient();
// Distinct, colour-blind-safe colours for variants (Okabe–Ito), by index.
QColor seriesColor(int index);

}  // namespace qkvviews
