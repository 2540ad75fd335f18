#include "reproduction_figure_view.h"

#include <QJsonArray>
#include <QVBoxLayout>

#include <cmath>

#include "plot_theme.h"
#include "heatmap_panels.h"
#include "qcp.h"

namespace qkvviews {

namespace {
QString number(double x) { return std::isfinite(x) ? QString::number(x, 'g', 8) : QString(); }
QJsonValue jsonNumber(double x) { return std::isfinite(x) ? QJsonValue(x) : QJsonValue(); }
}  // namespace

ReproductionFigureView::ReproductionFigureView(QWidget* parent) : QWidget(parent) {
    m_plot = new QCustomPlot(this);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    m_plot->plotLayout()->clear();
    QFont bold = font();
    bold.setPointSizeF(font().pointSizeF() * 1.1);
    bold.setBold(true);
    m_title = new QCPTextElement(m_plot, QString(), bold);
    m_rect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, m_title);
    m_plot->plotLayout()->addElement(1, 0, m_rect);
    // The legend in a row of its own under the plot: it never covers a bar or a diamond.
    auto* legend = new QCPLegend;
    m_plot->plotLayout()->addElement(2, 0, legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(5);
    m_plot->legend = legend;
    m_rect->axis(QCPAxis::atBottom)->grid()->setVisible(false);
    QFont small = font();
    small.setPointSizeF(font().pointSizeF() * 0.9);
    legend->setFont(small);
    m_plot->setMinimumSize(240, 200);  // never widens the window; the bars shrink instead
    keepPanelsReadable(m_plot);
    followPalette(m_plot);
    draw();
}

void ReproductionFigureView::setData(const ReproductionFigureData& data) {
    m_data = data;
    draw();
}

QString ReproductionFigureView::figureName() const {
    // Not the table's id alone: <table>.csv and .json are the reproduction's own files.
    return (m_data.table.isEmpty() ? QStringLiteral("reproduction") : m_data.table) + "-figure";
}

QString ReproductionFigureView::nothingToShow() const {
    for (const auto& row : m_data.cells)
        for (const auto& cell : row)
            if (cell.n > 0) return {};
    return tr("no run of the table has finished yet");
}

void ReproductionFigureView::draw() {
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->legend->clearItems();
    m_title->setText(m_data.title.isEmpty() ? tr("Published and measured") : m_data.title);
    QCPAxisRect* rect = m_rect;

    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    y->setLabel(m_data.metric.isEmpty() ? tr("value") : m_data.metric + tr(" (mean ± std over seeds)"));
    const int configs = int(m_data.configs.size());
    const double width = 0.8 / std::max(1, configs);
    double low = qInf(), high = -qInf();
    auto extend = [&](double v) {
        if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    };
    auto* published = new QCPGraph(x, y);
    published->setName(tr("published"));
    published->setLineStyle(QCPGraph::lsNone);
    published->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDiamond, Qt::black, Qt::black, 9));
    for (int c = 0; c < configs; ++c) {
        auto* bars = new QCPBars(x, y);
        bars->setName(m_data.configs[c].label);
        bars->setWidth(width);
        bars->setBrush(m_data.configs[c].color);
        bars->setPen(QPen(m_data.configs[c].color.darker(130)));
        auto* errors = new QCPErrorBars(x, y);
        errors->removeFromLegend();
        errors->setDataPlottable(bars);
        errors->setPen(QPen(Qt::black, 1));
        auto* seeds = new QCPGraph(x, y);
        seeds->removeFromLegend();
        seeds->setLineStyle(QCPGraph::lsNone);
        seeds->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, m_data.configs[c].color.darker(170), 4));
        QVector<double> keys, means, stds;
        for (int t = 0; t < m_data.tasks.size() && t < m_data.cells.size(); ++t) {
            if (c >= m_data.cells[t].size()) continue;
            const auto& cell = m_data.cells[t][c];
            const double key = t + (c - (configs - 1) / 2.0) * width;
            if (cell.n > 0 && std::isfinite(cell.mean)) {
                keys << key, means << cell.mean, stds << (std::isfinite(cell.std) ? cell.std : 0);
                extend(cell.mean - stds.last()), extend(cell.mean + stds.last());
            }
            for (double v : cell.values)
                if (std::isfinite(v)) seeds->addData(key, v), extend(v);
            if (std::isfinite(cell.published)) published->addData(key, cell.published), extend(cell.published);
        }
        bars->setData(keys, means);
        errors->setData(stds);
    }
    published->setLayer("overlay");  // over the bars it was created before
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int t = 0; t < m_data.tasks.size(); ++t) ticker->addTick(t, m_data.tasks[t]);
    x->setTicker(ticker);
    x->setRange(-0.6, std::max<int>(1, int(m_data.tasks.size())) - 0.4);
    if (std::isfinite(low)) {
        // Accuracies on [0, 1]; other metrics (perplexity) zoom on the values.
        if (m_data.metric == "accuracy")
            y->setRange(0, std::max(1.0, high) + 0.04);
        else
            y->setRange(low - 0.1 * (high - low + 1e-9), high + 0.1 * (high - low + 1e-9));
    } else {
        y->setRange(0, 1);
        auto* text = new QCPItemText(m_plot);
        text->setClipAxisRect(rect);
        text->position->setAxisRect(rect);
        text->position->setType(QCPItemPosition::ptAxisRectRatio);
        text->position->setCoords(0.5, 0.5);
        text->setText(nothingToShow());
    }
    m_plot->replot();
}

QString ReproductionFigureView::figureCsv() const {
    QString csv = "task,config,label,published,mean,std,n,seed_values\n";
    for (int t = 0; t < m_data.tasks.size() && t < m_data.cells.size(); ++t)
        for (int c = 0; c < m_data.configs.size() && c < m_data.cells[t].size(); ++c) {
            const auto& cell = m_data.cells[t][c];
            QStringList values;
            for (double v : cell.values) values << number(v);
            csv += QStringList{m_data.tasks[t], m_data.configs[c].id, '"' + m_data.configs[c].label + '"',
                               number(cell.published), number(cell.mean), number(cell.std),
                               QString::number(cell.n), values.join(';')}
                       .join(',') +
                   '\n';
        }
    return csv;
}

QJsonObject ReproductionFigureView::figureJson() const {
    QJsonArray cells;
    for (int t = 0; t < m_data.tasks.size() && t < m_data.cells.size(); ++t)
        for (int c = 0; c < m_data.configs.size() && c < m_data.cells[t].size(); ++c) {
            const auto& cell = m_data.cells[t][c];
            QJsonArray values;
            for (double v : cell.values) values << jsonNumber(v);
            cells << QJsonObject{{"task", m_data.tasks[t]}, {"config", m_data.configs[c].id},
                                 {"label", m_data.configs[c].label}, {"published", jsonNumber(cell.published)},
                                 {"mean", jsonNumber(cell.mean)}, {"std", jsonNumber(cell.std)},
                                 {"n", cell.n}, {"seed_values", values}};
        }
    return {{"figure", figureName()}, {"title", m_data.title}, {"metric", m_data.metric}, {"cells", cells}};
}

}  // namespace qkvviews
