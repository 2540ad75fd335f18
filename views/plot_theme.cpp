#include "plot_theme.h"

#include <QEvent>
#include <QPalette>

#include "qcp.h"

namespace qkvviews {

namespace {
class PaletteFollower : public QObject {
public:
    explicit PaletteFollower(QCustomPlot* plot) : QObject(plot), m_plot(plot) {
        plot->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override {
        if (event->type() == QEvent::PaletteChange) applyPlotTheme(m_plot, m_plot->palette());
        return false;
    }

private:
    QCustomPlot* m_plot;
};

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
    // Legends sit inside the axis rects (insets), over the curves: an almost opaque box keeps
    // their text readable where a line runs behind it.
    QColor box = background;
    box.setAlpha(225);
    plot->setBackground(background);
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) themeAxis(axis, text, grid);
        rect->setBackground(background);
        for (QCPLayoutElement* element : rect->insetLayout()->elements(false))
            if (auto* legend = qobject_cast<QCPLegend*>(element)) {
                // Above the curves, or the box would not hide them. setLayer appends to the
                // layer, so the entries go again after their box, or it would cover them.
                legend->setLayer("legend");
                for (int i = 0; i < legend->itemCount(); ++i)
                    if (QCPAbstractLegendItem* item = legend->item(i)) item->setLayer("legend");
                legend->setBrush(QBrush(box));
                legend->setTextColor(text);
                legend->setBorderPen(QPen(grid));
            }
    }
    // Legends in a row of their own (under the plots) need no box over curves, but the colours.
    for (QCPLayoutElement* element : plot->plotLayout()->elements(false))
        if (auto* legend = qobject_cast<QCPLegend*>(element)) {
            legend->setLayer("legend");
            for (int i = 0; i < legend->itemCount(); ++i)  // a wrapped legend has empty cells
                if (QCPAbstractLegendItem* item = legend->item(i)) item->setLayer("legend");
            legend->setBrush(QBrush(background));
            legend->setTextColor(text);
            legend->setBorderPen(QPen(grid));
        }
    // Headings and colour scales are layout elements of their own, outside axisRects().
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
        if (auto* heading = qobject_cast<QCPTextElement*>(element)) heading->setTextColor(text);
        if (auto* scale = qobject_cast<QCPColorScale*>(element))
            themeAxis(scale->axis(), text, grid);
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

void followPalette(QCustomPlot* plot) {
    applyPlotTheme(plot, plot->palette());
    new PaletteFollower(plot);  // owned by the plot
}

}  // namespace qkvviews
