#pragma once
// Titled heatmap panels laid out in one QCustomPlot (so a whole grid exports as one vector
// figure), sharing one colour scale. Cell (i, j) of a matrix is drawn at row i from the top,
// column j from the left; NaN cells (masked, absent) are grey.

#include <Eigen/Dense>
#include <QPointF>
#include <QStringList>
#include <QVector>

class QCPAxisRect;
class QCPColorGradient;
class QCPColorMap;
class QCPColorScale;
class QCPLayoutGrid;
class QCPRange;
class QCPTextElement;
class QCustomPlot;
class QString;

namespace qkvviews {

struct HeatmapPanel {
    QCPAxisRect* rect = nullptr;
    QCPColorMap* map = nullptr;
};

// Runs' panels side by side, wrapped to further rows past this many: ten runs in one row were
// slivers with their titles cut to "sho…".
constexpr int kMaxPanelsPerRow = 5;

// A bold panel title that keepPanelsReadable fits to its panel's width (two lines, then elided).
QCPTextElement* addPanelTitle(QCustomPlot* plot, const QString& title);

// Removes every panel, plottable and colour scale: the plot is empty afterwards.
void clearPanels(QCustomPlot* plot);

// A panel at (row, column) of the plot's layout, titled, with axis labels from the given
// tick labels (none: the cell indices), as many as fit (SpacedLabelTicker).
HeatmapPanel addHeatmapPanel(QCustomPlot* plot, int row, int column, const Eigen::MatrixXd& m,
                             const QString& title, const QStringList& rowLabels,
                             const QStringList& columnLabels,
                             QCPLayoutGrid* grid = nullptr);  // default: the plot's layout

// One colour scale for every panel given, placed at layout cell (row, column); column −1 means
// right of the widest row.
QCPColorScale* shareColorScale(QCustomPlot* plot, const QVector<HeatmapPanel>& panels,
                               const QCPColorGradient& gradient, const QCPRange& range,
                               const QString& label, int row = 0, int column = -1,
                               QCPLayoutGrid* grid = nullptr);

// After each layout of `plot`: tick labels spaced for the panels' new size, titles wider than
// their panel on two lines or elided instead of clipped at both ends, legends in rows under
// the plots re-wrapped to as many columns as fit; one more replot when any changed. Call once
// per plot.
void keepPanelsReadable(QCustomPlot* plot);

// The panel and cell under a pixel position; false when none.
bool cellAt(const QVector<HeatmapPanel>& panels, const QPointF& pos, int* panel, int* row,
            int* column);

}  // namespace qkvviews
