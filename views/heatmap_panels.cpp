#include "heatmap_panels.h"

#include <algorithm>
#include <cmath>

#include <QFontMetricsF>

#include "qcp.h"
#include "spaced_label_ticker.h"

namespace qkvviews {

namespace {
constexpr const char* kFullTitle = "qkvFullTitle";

// A title too wide for its panel: split at its last " · " into two lines, the run above and the
// layer and head below, each shortened on its own, so "Q-K=V · L0 H0" never loses the head.
QString fitTitle(const QString& full, const QFontMetricsF& fm, double width) {
    if (fm.horizontalAdvance(full) <= width) return full;
    int cut = int(full.lastIndexOf(QStringLiteral(" · ")));
    int skip = 3;
    if (cut <= 0) {  // words: break at the space nearest the middle
        skip = 1;
        for (int i = 0; i < full.size(); ++i)
            if (full[i] == ' ' && (cut <= 0 || std::abs(i - full.size() / 2) < std::abs(cut - full.size() / 2)))
                cut = i;
    }
    if (cut <= 0) return fm.elidedText(full, Qt::ElideRight, width);
    // "experiment / variant" too wide for one line: a line each, so the variant is never the
    // part elided away ("shots/de… · seed 1" named no variant).
    QString head = full.left(cut);
    const int slash = int(head.indexOf(QStringLiteral(" / ")));
    if (fm.horizontalAdvance(head) > width && slash > 0)
        head = fm.elidedText(head.left(slash), Qt::ElideRight, width) + '\n' +
               fm.elidedText(head.mid(slash + 3), Qt::ElideRight, width);
    else
        head = fm.elidedText(head, Qt::ElideRight, width);
    return head + '\n' + fm.elidedText(full.mid(cut + skip), Qt::ElideRight, width);
}

// Legends in a row under the plots: as many columns as their widest entry lets fit across,
// so long run names are never cut nor drawn over each other; true when a legend changed.
bool fitLegendRows(QCustomPlot* plot) {
    bool changed = false;
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
        auto* legend = qobject_cast<QCPLegend*>(element);
        if (!legend || legend->fillOrder() != QCPLayoutGrid::foColumnsFirst) continue;
        int items = 0, widest = 0;
        for (int i = 0; i < legend->elementCount(); ++i)
            if (QCPLayoutElement* item = legend->elementAt(i)) {
                ++items;
                widest = std::max(widest, item->minimumOuterSizeHint().width());
            }
        if (items == 0 || widest == 0) continue;
        // The width of its row of the layout, less what shares the row (the line key).
        int room = legend->outerRect().width();
        if (auto* parent = qobject_cast<QCPLayoutGrid*>(legend->layout())) {
            room = parent->rect().width();
            int row = 0, column = 0;
            for (int i = 0; i < parent->elementCount(); ++i)
                if (parent->elementAt(i) == legend) parent->indexToRowCol(i, row, column);
            for (int c = 0; c < parent->columnCount(); ++c)
                if (QCPLayoutElement* other = parent->element(row, c); other && other != legend)
                    room -= other->minimumOuterSizeHint().width() + parent->columnSpacing();
        }
        room -= legend->margins().left() + legend->margins().right();
        const int columns = std::clamp((room + legend->columnSpacing()) / (widest + legend->columnSpacing()), 1, items);
        if (columns == legend->wrap()) continue;
        legend->setWrap(columns);
        legend->setFillOrder(QCPLayoutGrid::foColumnsFirst, true);  // re-flow the entries
        changed = true;
    }
    return changed;
}

// Fits each panel title to its panel's width; true when a title changed.
bool fitTitles(QCustomPlot* plot) {
    bool changed = false;
    for (QCPLayoutElement* element : plot->plotLayout()->elements(true)) {
        auto* heading = qobject_cast<QCPTextElement*>(element);
        if (!heading || !heading->property(kFullTitle).isValid()) continue;
        const QString full = heading->property(kFullTitle).toString();
        const QString fitted = fitTitle(full, QFontMetricsF(heading->font()), heading->rect().width());
        if (fitted != heading->text()) {
            heading->setText(fitted);
            changed = true;
        }
    }
    return changed;
}
}  // namespace

void keepPanelsReadable(QCustomPlot* plot) {
    QObject::connect(plot, &QCustomPlot::afterLayout, plot, [plot] {
        const bool titles = fitTitles(plot);
        const bool legends = fitLegendRows(plot);
        if (spacedLabelsStale(plot) || titles || legends) plot->replot(QCustomPlot::rpQueuedReplot);
    });
}

QCPTextElement* addPanelTitle(QCustomPlot* plot, const QString& title) {
    QFont bold = plot->font();
    bold.setBold(true);
    auto* heading = new QCPTextElement(plot, title, bold);
    heading->setProperty(kFullTitle, title);
    return heading;
}

void clearPanels(QCustomPlot* plot) {
    plot->clearPlottables();
    plot->clearItems();
    plot->plotLayout()->clear();
    plot->plotLayout()->simplify();
}

HeatmapPanel addHeatmapPanel(QCustomPlot* plot, int row, int column, const Eigen::MatrixXd& m,
                             const QString& title, const QStringList& rowLabels,
                             const QStringList& columnLabels, QCPLayoutGrid* grid) {
    // A sub-grid per panel keeps its title above its own axis rect.
    auto* cell = new QCPLayoutGrid;
    (grid ? grid : plot->plotLayout())->addElement(row, column, cell);
    cell->addElement(0, 0, addPanelTitle(plot, title));
    auto* rect = new QCPAxisRect(plot);
    cell->addElement(1, 0, rect);
    cell->setRowStretchFactor(0, 0.001);
    cell->setRowSpacing(0);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    y->setRangeReversed(true);  // row 0 on top, as a matrix is read
    // Column labels are the short token text ("pos 3: 7" → "7"): long rotated labels collide.
    QStringList shortColumns;
    for (const QString& l : columnLabels)
        shortColumns << (l.contains(": ") ? l.section(": ", 1) : l);
    x->setTicker(
        QSharedPointer<QCPAxisTicker>(new SpacedLabelTicker(x, shortColumns, int(m.cols()))));
    y->setTicker(QSharedPointer<QCPAxisTicker>(new SpacedLabelTicker(y, rowLabels, int(m.rows()))));
    int longest = 0;
    for (const QString& l : shortColumns) longest = std::max(longest, int(l.size()));
    x->setTickLabelRotation(longest > 3 && shortColumns.size() > 6 ? 90 : 0);
    // Smaller than the plot's text, in proportion: presentation mode enlarges them too.
    QFont small = plot->font();
    small.setPointSizeF(plot->font().pointSizeF() * 0.78);
    x->setTickLabelFont(small);
    y->setTickLabelFont(small);
    x->grid()->setVisible(false);
    y->grid()->setVisible(false);

    auto* map = new QCPColorMap(x, y);
    const int rows = int(m.rows()), cols = int(m.cols());
    map->data()->setSize(cols, rows);
    map->data()->setRange(QCPRange(0, std::max(0, cols - 1)), QCPRange(0, std::max(0, rows - 1)));
    for (int i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) map->data()->setCell(j, i, m(i, j));
    map->setInterpolate(false);
    x->setRange(-0.5, cols - 0.5);
    y->setRange(-0.5, rows - 0.5);
    return {rect, map};
}

QCPColorScale* shareColorScale(QCustomPlot* plot, const QVector<HeatmapPanel>& panels,
                               const QCPColorGradient& gradient, const QCPRange& range,
                               const QString& label, int row, int column, QCPLayoutGrid* grid) {
    auto* scale = new QCPColorScale(plot);
    QCPLayoutGrid* target = grid ? grid : plot->plotLayout();
    target->addElement(row, column < 0 ? target->columnCount() : column, scale);
    scale->setType(QCPAxis::atRight);
    scale->axis()->setLabel(label);
    QCPColorGradient g = gradient;
    g.setNanHandling(QCPColorGradient::nhNanColor);
    g.setNanColor(QColor(170, 170, 170));
    auto* margins = new QCPMarginGroup(plot);
    for (const HeatmapPanel& p : panels) {
        p.map->setColorScale(scale);
        p.map->setGradient(g);
        p.rect->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    }
    scale->setGradient(g);
    scale->setDataRange(range);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, margins);
    return scale;
}

bool cellAt(const QVector<HeatmapPanel>& panels, const QPointF& pos, int* panel, int* row,
            int* column) {
    for (int p = 0; p < panels.size(); ++p) {
        const HeatmapPanel& h = panels[p];
        if (!h.rect->rect().contains(pos.toPoint())) continue;
        const double key = h.rect->axis(QCPAxis::atBottom)->pixelToCoord(pos.x());
        const double value = h.rect->axis(QCPAxis::atLeft)->pixelToCoord(pos.y());
        int c = 0, r = 0;
        h.map->data()->coordToCell(key, value, &c, &r);
        if (c < 0 || r < 0 || c >= h.map->data()->keySize() || r >= h.map->data()->valueSize())
            return false;
        *panel = p;
        *row = r;
        *column = c;
        return true;
    }
    return false;
}

}  // namespace qkvviews
