#include "plot_theme.h"

#include <QPalette>

#include "qcp.h"

namespace qkvviews {

namespace {
void themeAxis(QCPAxis* axis, const QColor& text, const QColor& grid) {
    axis->setBasePen(QPen(text));
    axis->setTickPen(QPen(text));
    axis->setSubTickPen(QPen(text));
    axis->setTickLabelColor(text);
    axis->setLabelColor(text);
    axis->grid()->setPen(QPen(grid, 1, Qt::DotLine));
}
}  // namespace

void applyPlotTheme(QCustomPlot* plot, const QPalette& palette) {
    const QColor background = palette.color(QPalette::Base);
    const QColor text = palette.color(QPalette::Text);
    QColor grid = text;
    grid.setAlpha(45);
    plot->setBackground(background);
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) themeAxis(axis, text, grid);
        rect->setBackground(background);
    }
    // Headings and colour scales are layout elements of their own, outside axisRects().
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
        if (auto* heading = qobject_cast<QCPTextElement*>(element)) heading->setTextColor(text);
        if (auto* scale = qobject_cast<QCPColorScale*>(element))
            themeAxis(scale->axis(), text, grid);
    }
    // Legends sit inside the axis rects (insets), over the curves: an almost opaque box keeps
    // their text readable where a line runs behind it.
    QColor box = background;
    box.setAlpha(225);
    for (QCPAxisRect* rect : plot->axisRects())
        for (QCPLayoutElement* element : rect->insetLayout()->elements(false))
            if (auto* legend = qobject_cast<QCPLegend*>(element)) {
                legend->setBrush(QBrush(box));
                legend->setTextColor(text);
                legend->setBorderPen(QPen(grid));
            }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace qkvviews
