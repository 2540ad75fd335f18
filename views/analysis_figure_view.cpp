#include "analysis_figure_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QVBoxLayout>

#include <cmath>

#include "heatmap_panels.h"
#include "plot_theme.h"
#include "qcp.h"

namespace qkvviews {

QSharedPointer<QCPAxisTicker> integerTicker() {
    QSharedPointer<QCPAxisTickerFixed> t(new QCPAxisTickerFixed);
    t->setTickStep(1);
    t->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    return t;
}

QString number(double v) {
    return std::isfinite(v) ? QString::number(v, 'g', 9) : QString();
}

AnalysisFigureView::AnalysisFigureView(QWidget* parent) : QWidget(parent) {
    m_plot = new QCustomPlot(this);
    keepPanelsReadable(m_plot);
    m_plot->setMinimumSize(240, 200);  // never widens the window; panels shrink instead
    followPalette(m_plot);
    // Views build their own legends; QCustomPlot would add every plottable a second time.
    m_plot->setAutoAddPlottableToLegend(false);
    m_controls = new QHBoxLayout;
    m_caption = new QLabel(this);
    m_caption->setWordWrap(true);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(m_controls);
    layout->addWidget(m_caption);
    layout->addWidget(m_plot, 1);
    m_controls->addStretch(1);
    redraw();  // subclasses are not constructed yet: draw() is not called while m_set is empty
}

void AnalysisFigureView::setAnalysis(const AnalysisSet& set) {
    m_set = set;
    redraw();
}

void AnalysisFigureView::setSelection(const AnalysisSelection& selection) {
    m_selection = selection;
    redraw();
}

void AnalysisFigureView::redraw() {
    m_header.clear();
    m_rows.clear();
    m_plot->clearPlottables();
    m_plot->clearItems();
    m_plot->plotLayout()->clear();
    if (m_set.variants.isEmpty()) {
        setCaption(tr("Run an analysis (Analyze) to fill this view."));
    } else {
        draw();
    }
    applyPlotTheme(m_plot, palette());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QComboBox* AnalysisFigureView::addChoice(const QString& label, const QStringList& items) {
    auto* box = new QComboBox(this);
    box->addItems(items);
    m_controls->insertWidget(m_controls->count() - 1, new QLabel(label, this));
    m_controls->insertWidget(m_controls->count() - 1, box);
    connect(box, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { redraw(); });
    return box;
}

void AnalysisFigureView::setCaption(const QString& text) {
    m_caption->setText(text);
}

void AnalysisFigureView::record(const QStringList& header, const QStringList& row) {
    if (m_header.isEmpty()) m_header = header;
    m_rows.push_back(row);
}

QString AnalysisFigureView::figureCsv() const {
    QString csv = m_header.join(',') + '\n';
    for (const QStringList& r : m_rows) csv += r.join(',') + '\n';
    return csv;
}

QJsonObject AnalysisFigureView::figureJson() const {
    QJsonArray rows;
    for (const QStringList& r : m_rows) {
        QJsonObject o;
        for (int i = 0; i < r.size() && i < m_header.size(); ++i) {
            bool isNumber = false;
            const double v = r[i].toDouble(&isNumber);
            o.insert(m_header[i], isNumber         ? QJsonValue(v)
                                  : r[i].isEmpty() ? QJsonValue()
                                                   : QJsonValue(r[i]));
        }
        rows.append(o);
    }
    return {{"figure", figureName()}, {"input", m_set.inputDescription}, {"rows", rows}};
}

}  // namespace qkvviews
