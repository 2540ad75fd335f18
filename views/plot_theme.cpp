#include "plot_theme.h"

#include <QEvent>
#include <QFont>

#include <algorithm>
#include <QPalette>

#include "qcp.h"

namespace qkvviews {

namespace {
QFont scaled(QFont font, double factor) {
    font.setPointSizeF(std::max(1.0, font.pointSizeF() * factor));
    return font;
}

// QCustomPlot copies the widget's font into each axis, legend and heading when it is made, and
// never looks again: presentation mode (a larger application font) would leave every plot as it
// was. Every text of the plot grows by the widget font's ratio, keeping their sizes relative.
void scaleFonts(QCustomPlot* plot, double factor) {
    // QCPLegend::setFont sets its entries' fonts too.
    auto scaleLegend = [factor](QCPLegend* legend) { legend->setFont(scaled(legend->font(), factor)); };
    auto scaleAxis = [factor](QCPAxis* axis) {
        axis->setLabelFont(scaled(axis->labelFont(), factor));
        axis->setTickLabelFont(scaled(axis->tickLabelFont(), factor));
    };
    for (QCPAxisRect* rect : plot->axisRects()) {
        for (QCPAxis* axis : rect->axes()) scaleAxis(axis);
        for (QCPLayoutElement* element : rect->insetLayout()->elements(false))
            if (auto* legend = qobject_cast<QCPLegend*>(element)) scaleLegend(legend);
    }
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
        if (auto* legend = qobject_cast<QCPLegend*>(element)) scaleLegend(legend);
        if (auto* text = qobject_cast<QCPTextElement*>(element)) text->setFont(scaled(text->font(), factor));
        if (auto* scale = qobject_cast<QCPColorScale*>(element)) scaleAxis(scale->axis());
    }
    plot->replot(QCustomPlot::rpQueuedReplot);
}

class PaletteFollower : public QObject {
public:
    explicit PaletteFollower(QCustomPlot* plot)
        : QObject(plot), m_plot(plot), m_pointSize(plot->font().pointSizeF()) {
        plot->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override {
        if (event->type() == QEvent::PaletteChange) applyPlotTheme(m_plot, m_plot->palette());
        if (event->type() == QEvent::FontChange && m_pointSize > 0 &&
            m_plot->font().pointSizeF() != m_pointSize) {
            scaleFonts(m_plot, m_plot->font().pointSizeF() / m_pointSize);
            m_pointSize = m_plot->font().pointSizeF();
        }
        return false;
    }

private:
    QCustomPlot* m_plot;
    double m_pointSize;  // the widget font the plot's texts were last sized for
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
