#pragma once
// A view that can be exported as a figure: one QCustomPlot (its layout may hold a grid of axis
// rects, so that PDF and SVG stay vector through QCustomPlot::toPainter), plus the numbers it
// draws as CSV and JSON.

#include <QJsonObject>
#include <QString>

class QCustomPlot;

namespace qkvviews {

class ExportableFigure {
public:
    virtual ~ExportableFigure() = default;

    // File-name stem, e.g. "attention-grid" or "kv-cache".
    virtual QString figureName() const = 0;
    // The plot to render; never null once the view is constructed.
    virtual QCustomPlot* figurePlot() const = 0;
    // The numbers drawn, as a flat CSV table with a header row.
    virtual QString figureCsv() const = 0;
    // The same numbers, structured.
    virtual QJsonObject figureJson() const = 0;
    // Why the figure has nothing to show (exports skip it and say so), or empty when it has.
    virtual QString nothingToShow() const { return {}; }
};

}  // namespace qkvviews
