#pragma once
// QCustomPlot does not follow the widget palette: apply it (light or dark) to axes, grid,
// legend and background.

class QCustomPlot;
class QPalette;

namespace qkvviews {

void applyPlotTheme(QCustomPlot* plot, const QPalette& palette);

}  // namespace qkvviews
