#pragma once
// QCustomPlot does not follow the widget palette: apply it (light or dark) to axes, grid,
// legend and background.

class QCustomPlot;
class QPalette;

namespace qkvviews {

void applyPlotTheme(QCustomPlot* plot, const QPalette& palette);

// Themes `plot` with its palette now and again on every palette change it receives: a theme
// switch, or the light palette an export on white sets on its view for a moment. A change of
// the widget's font (presentation mode) scales every text of the plot by the same ratio.
void followPalette(QCustomPlot* plot);

}  // namespace qkvviews
