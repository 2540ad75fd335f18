#include "training_curves_view.h"

#include "heatmap_panels.h"
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QSlider>
#include <QToolTip>

#include <iterator>
#include <QVBoxLayout>

#include <cmath>

#include "plot_theme.h"
#include "qcp.h"

namespace qkvviews {

QVector<double> smoothed(const QVector<double>& values, double factor) {
    if (factor <= 0) return values;
    QVector<double> out(values.size());
    double ema = 0, weight = 0;
    for (int i = 0; i < values.size(); ++i) {
        if (std::isnan(values[i])) {
            out[i] = values[i];
            continue;
        }
        ema = factor * ema + (1 - factor) * values[i];
        weight = factor * weight + (1 - factor);
        out[i] = ema / weight;
    }
    return out;
}

namespace {

// Hollow markers on the evaluations of the 2nd, 3rd, … experiment on show (none on the first's).
QCPScatterStyle experimentMarker(int experimentIndex, const QColor& color) {
    static const QCPScatterStyle::ScatterShape kShapes[] = {
        QCPScatterStyle::ssCircle, QCPScatterStyle::ssSquare, QCPScatterStyle::ssTriangle,
        QCPScatterStyle::ssDiamond, QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCross};
    if (experimentIndex <= 0) return QCPScatterStyle();
    const int n = int(std::size(kShapes));
    return QCPScatterStyle(kShapes[(experimentIndex - 1) % n], QPen(color, 1.5), Qt::NoBrush, 7);
}

// RFC 4180: quote fields holding a separator, a quote or a line break (labels and paths may).
QString csvField(const QString& s) {
    if (!s.contains(',') && !s.contains('"') && !s.contains('\n') && !s.contains('\r')) return s;
    return '"' + QString(s).replace('"', "\"\"") + '"';
}

// Shortest text that reads back as the same double.
QString number(double v) {
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QJsonArray jsonNumbers(const QVector<double>& values) {
    QJsonArray out;
    for (double v : values) out.append(std::isfinite(v) ? QJsonValue(v) : QJsonValue());
    return out;
}

}  // namespace

TrainingCurvesView::TrainingCurvesView(QWidget* parent) : QWidget(parent) {
    m_plot = new QCustomPlot(this);
    m_plot->plotLayout()->clear();
    m_lossRect = new QCPAxisRect(m_plot);
    m_accuracyRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, m_lossRect);
    m_plot->plotLayout()->addElement(1, 0, m_accuracyRect);
    m_plot->plotLayout()->setRowStretchFactor(0, 3);
    m_plot->plotLayout()->setRowStretchFactor(1, 2);
    auto* margins = new QCPMarginGroup(m_plot);
    for (QCPAxisRect* r : {m_lossRect, m_accuracyRect}) {
        r->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
        r->setRangeDrag(Qt::Horizontal | Qt::Vertical);
        r->setRangeZoom(Qt::Horizontal | Qt::Vertical);
        r->axis(QCPAxis::atBottom)->setLabel("step");
    }
    m_lossRect->axis(QCPAxis::atLeft)->setLabel("loss");
    m_accuracyRect->axis(QCPAxis::atLeft)->setLabel("validation accuracy");
    m_accuracyRect->axis(QCPAxis::atLeft)->setRange(0, 1);
    // Below the plots, in rows: a legend never covers a curve.
    // Beside it, the line key: it belongs to the figure, not only to the toolbar.
    auto* keyRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(2, 0, keyRow);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    auto* legend = new QCPLegend;
    keyRow->addElement(0, 0, legend);
    keyRow->addElement(0, 1, new QCPTextElement(m_plot, tr("dashed: training loss\nsolid: validation")));
    keyRow->setColumnStretchFactors({5, 1});
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(4);
    m_plot->legend = legend;
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setPlottingHint(QCP::phFastPolylines, true);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showValueAt(e->pos()); });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { rebuild(); });

    m_logScale = new QCheckBox(tr("Log-scale loss"), this);
    connect(m_logScale, &QCheckBox::toggled, this, [this](bool) { rebuild(); });
    m_smoothingSlider = new QSlider(Qt::Horizontal, this);
    m_smoothingSlider->setRange(0, 95);
    m_smoothingSlider->setToolTip(tr("Exponential smoothing of the training loss"));
    m_smoothingSlider->setValue(int(std::lround(m_smoothing * 100)));
    connect(m_smoothingSlider, &QSlider::valueChanged, this,
            [this](int v) { setSmoothing(v / 100.0); });

    m_seedMode = new QComboBox(this);
    m_seedMode->addItems({tr("each run"), tr("mean, min–max band"), tr("mean, ±1 std band")});
    m_seedMode->setCurrentIndex(1);
    m_seedMode->setToolTip(tr("Runs of a variant that differ only by their seed"));
    connect(m_seedMode, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { rebuild(); });

    auto* controls = new QHBoxLayout;
    controls->addWidget(m_logScale);
    controls->addSpacing(16);
    controls->addWidget(new QLabel(tr("Seeds"), this));
    controls->addWidget(m_seedMode);
    controls->addSpacing(16);
    controls->addWidget(new QLabel(tr("Smoothing"), this));
    // Never collapsed to a knob: in presentation mode the row's labels take more room.
    m_smoothingSlider->setMinimumWidth(120);
    controls->addWidget(m_smoothingSlider, 1);
    // The line key is in the figure beside its legend; the zoom hint goes with the plot.
    m_plot->setToolTip(tr("Wheel: zoom · drag: pan · double-click: reset zoom"));
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(controls);
    m_placeholder = new QLabel(tr("No curves yet.\n\nPress Train (Ctrl+R) to train the planned "
                                  "experiment, or open a run folder (Ctrl+O)."),
                               this);
    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    layout->addWidget(m_placeholder, 1);
    layout->addWidget(m_plot, 1);
    m_plot->setVisible(false);
    // Small enough never to widen the window; the legend re-wraps to the width it gets.
    m_plot->setMinimumSize(240, 200);
    keepPanelsReadable(m_plot);
    followPalette(m_plot);
}

void TrainingCurvesView::setSeries(const QVector<CurveSeries>& series) {
    m_series = series;
    rebuild();
}

bool TrainingCurvesView::placeholderShown() const {
    return !m_placeholder->isHidden();
}

void TrainingCurvesView::setLogScale(bool on) {
    m_logScale->setChecked(on);
}
bool TrainingCurvesView::logScale() const {
    return m_logScale->isChecked();
}

void TrainingCurvesView::setSmoothing(double factor) {
    m_smoothing = std::clamp(factor, 0.0, 0.95);
    const int slider = int(std::lround(m_smoothing * 100));
    if (m_smoothingSlider->value() != slider) m_smoothingSlider->setValue(slider);
    rebuild();
}

void TrainingCurvesView::setLineWidth(double width) {
    m_lineWidth = width;
    rebuild();
}

void TrainingCurvesView::setSeedMode(SeedMode mode) { m_seedMode->setCurrentIndex(int(mode)); }

namespace {
// Mean, and the band (min–max or mean ± std) at every step all the runs have.
struct Band {
    QVector<double> steps, mean, low, high;
};
Band bandOf(const QVector<const CurveSeries*>& runs, QVector<double> CurveSeries::*keys,
            QVector<double> CurveSeries::*values, bool stdBand) {
    Band b;
    const CurveSeries& first = *runs.front();
    for (int i = 0; i < (first.*keys).size(); ++i) {
        const double step = (first.*keys)[i];
        std::vector<double> v;
        for (const CurveSeries* r : runs) {
            const int j = (r->*keys).indexOf(step);
            if (j >= 0 && j < (r->*values).size() && std::isfinite((r->*values)[j]))
                v.push_back((r->*values)[j]);
        }
        if (v.size() != size_t(runs.size())) continue;  // only steps every seed reached
        double sum = 0, lo = v.front(), hi = v.front();
        for (double x : v) sum += x, lo = std::min(lo, x), hi = std::max(hi, x);
        const double mean = sum / double(v.size());
        double sq = 0;
        for (double x : v) sq += (x - mean) * (x - mean);
        const double sd = v.size() > 1 ? std::sqrt(sq / double(v.size() - 1)) : 0;
        b.steps << step;
        b.mean << mean;
        b.low << (stdBand ? mean - sd : lo);
        b.high << (stdBand ? mean + sd : hi);
    }
    return b;
}
}  // namespace

QVector<CurveSeries> TrainingCurvesView::drawnSeries() const {
    const auto mode = SeedMode(m_seedMode->currentIndex());
    if (mode == SeedMode::EachRun) return m_series;
    QVector<CurveSeries> out;
    QStringList done;
    for (const CurveSeries& s : m_series) {
        if (s.group.isEmpty()) {
            out << s;
            continue;
        }
        if (done.contains(s.group)) continue;
        done << s.group;
        QVector<const CurveSeries*> runs;
        for (const CurveSeries& r : m_series)
            if (r.group == s.group) runs << &r;
        const bool stdBand = mode == SeedMode::StdBand;
        const Band loss = bandOf(runs, &CurveSeries::steps, &CurveSeries::valLoss, stdBand);
        const Band acc = bandOf(runs, &CurveSeries::steps, &CurveSeries::valAccuracy, stdBand);
        const Band train = bandOf(runs, &CurveSeries::trainSteps, &CurveSeries::trainLoss, stdBand);
        CurveSeries m;
        m.runId = s.group;
        m.group = s.group;
        m.label = s.label + QString(" (%1 seeds)").arg(runs.size());
        m.color = s.color;
        m.experimentIndex = s.experimentIndex;
        m.steps = loss.steps, m.valLoss = loss.mean, m.valLossLow = loss.low, m.valLossHigh = loss.high;
        m.valAccuracy = acc.mean, m.valAccuracyLow = acc.low, m.valAccuracyHigh = acc.high;
        m.trainSteps = train.steps, m.trainLoss = train.mean;
        out << m;
    }
    return out;
}

void TrainingCurvesView::rebuild() {
    m_plot->clearGraphs();
    m_plot->legend->clearItems();
    QCPAxis* lossX = m_lossRect->axis(QCPAxis::atBottom);
    QCPAxis* lossY = m_lossRect->axis(QCPAxis::atLeft);
    QCPAxis* accX = m_accuracyRect->axis(QCPAxis::atBottom);
    QCPAxis* accY = m_accuracyRect->axis(QCPAxis::atLeft);
    const bool log = logScale();
    lossY->setScaleType(log ? QCPAxis::stLogarithmic : QCPAxis::stLinear);
    if (log)
        lossY->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    else
        lossY->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
    auto addGraph = [&](QCPAxis* x, QCPAxis* y, const CurveSeries& s, const QVector<double>& k,
                        const QVector<double>& v, Qt::PenStyle style, bool inLegend,
                        const QString& name) {
        QCPGraph* g = m_plot->addGraph(x, y);
        QPen pen(s.color, m_lineWidth, style);
        g->setPen(pen);
        g->setName(name);
        QVector<double> keys, values;
        for (int i = 0; i < v.size() && i < k.size(); ++i)
            if (std::isfinite(v[i]) && (!log || y != lossY || v[i] > 0)) {
                keys << k[i];
                values << v[i];
            }
        g->setData(keys, values, true);
        g->setProperty("runId", s.runId);
        if (!inLegend) g->removeFromLegend();
        return g;
    };
    // A band: its lower edge, then its upper edge filled down to it, both without a legend.
    auto addBand = [&](QCPAxis* x, QCPAxis* y, const CurveSeries& s, const QVector<double>& low,
                       const QVector<double>& high) {
        if (low.isEmpty()) return;
        QColor fill = s.color;
        fill.setAlphaF(0.18);
        QCPGraph* lo = addGraph(x, y, s, s.steps, low, Qt::NoPen, false, s.label + " band");
        QCPGraph* hi = addGraph(x, y, s, s.steps, high, Qt::NoPen, false, s.label + " band");
        lo->setPen(Qt::NoPen);
        hi->setPen(Qt::NoPen);
        hi->setBrush(fill);
        hi->setChannelFillGraph(lo);
        lo->setProperty("band", true);
        hi->setProperty("band", true);
    };
    for (const CurveSeries& s : drawnSeries()) {
        addBand(lossX, lossY, s, s.valLossLow, s.valLossHigh);
        addBand(accX, accY, s, s.valAccuracyLow, s.valAccuracyHigh);
        addGraph(lossX, lossY, s, s.trainSteps, smoothed(s.trainLoss, m_smoothing), Qt::DashLine,
                 false, s.label + " train loss");
        // Evaluations are few and exact: only the per-step training loss needs smoothing.
        QCPGraph* loss = addGraph(lossX, lossY, s, s.steps, s.valLoss, Qt::SolidLine, true, s.label);
        QCPGraph* accuracy = addGraph(accX, accY, s, s.steps, s.valAccuracy, Qt::SolidLine, false,
                                      s.label + " accuracy");
        for (QCPGraph* g : {loss, accuracy}) g->setScatterStyle(experimentMarker(s.experimentIndex, s.color));
    }
    // Ranges from the data, so a new run or a toggle never leaves curves off screen.
    auto unite = [](bool& have, QCPRange& into, const QCPRange& r) {
        into = have ? QCPRange(std::min(into.lower, r.lower), std::max(into.upper, r.upper)) : r;
        have = true;
    };
    bool haveKeys = false, haveLoss = false;
    QCPRange keys(0, 1), lossRange;
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        QCPGraph* g = m_plot->graph(i);
        bool ok = false;
        const QCPRange k = g->getKeyRange(ok);
        if (ok) unite(haveKeys, keys, k);
        const QCPRange v = g->getValueRange(ok);
        if (ok && g->valueAxis() == lossY) unite(haveLoss, lossRange, v);
    }
    if (keys.size() <= 0) keys = QCPRange(keys.lower, keys.lower + 1);
    // A little room past the last step: QCustomPlot drops a tick label that would stick out of
    // the widget, and the last step ("800") is the one a reader looks for.
    keys = QCPRange(keys.lower - 0.01 * keys.size(), keys.upper + 0.04 * keys.size());
    lossX->setRange(keys);
    accX->setRange(keys);
    if (haveLoss && lossRange.upper > lossRange.lower) {
        const double pad = log ? 1.1 : 0.05 * lossRange.size();
        lossY->setRange(log ? lossRange.lower / pad : lossRange.lower - pad,
                        log ? lossRange.upper * pad : lossRange.upper + pad);
    }
    accY->setRange(0, 1.02);
    m_plot->legend->setVisible(!m_series.isEmpty());
    m_placeholder->setVisible(m_series.isEmpty());
    m_plot->setVisible(!m_series.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

QString TrainingCurvesView::figureCsv() const {
    QString csv = "run,label,kind,step,value\n";
    auto rows = [&](const CurveSeries& s, const char* kind, const QVector<double>& steps,
                    const QVector<double>& values) {
        for (int i = 0; i < steps.size() && i < values.size(); ++i) {
            if (!std::isfinite(values[i])) continue;
            csv += QString("%1,%2,%3,%4,%5\n")
                       .arg(csvField(s.runId), csvField(s.label), QLatin1String(kind),
                            number(steps[i]), number(values[i]));
        }
    };
    for (const CurveSeries& s : m_series) {
        rows(s, "train_loss", s.trainSteps, s.trainLoss);
        rows(s, "val_loss", s.steps, s.valLoss);
        rows(s, "val_accuracy", s.steps, s.valAccuracy);
    }
    return csv;
}

QJsonObject TrainingCurvesView::figureJson() const {
    QJsonArray runs;
    for (const CurveSeries& s : m_series) {
        runs.append(QJsonObject{{"run", s.runId},
                                {"label", s.label},
                                {"color", s.color.name()},
                                {"train_steps", jsonNumbers(s.trainSteps)},
                                {"train_loss", jsonNumbers(s.trainLoss)},
                                {"steps", jsonNumbers(s.steps)},
                                {"val_loss", jsonNumbers(s.valLoss)},
                                {"val_accuracy", jsonNumbers(s.valAccuracy)}});
    }
    return {{"figure", figureName()},
            {"smoothing", m_smoothing},
            {"log_scale", logScale()},
            {"runs", runs}};
}

void TrainingCurvesView::showValueAt(const QPoint& pos) {
    QCPGraph* best = nullptr;
    double bestDistance = 12;  // pixels
    int bestIndex = -1;
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        QCPGraph* g = m_plot->graph(i);
        if (!g->keyAxis()->axisRect()->rect().contains(pos)) continue;
        for (int j = 0; j < g->data()->size(); ++j) {
            const auto it = g->data()->at(j);
            const QPointF p = g->coordsToPixels(it->key, it->value);
            const double d = std::hypot(p.x() - pos.x(), p.y() - pos.y());
            if (d < bestDistance) {
                bestDistance = d;
                best = g;
                bestIndex = j;
            }
        }
    }
    if (!best) {
        QToolTip::hideText();
        return;
    }
    const auto it = best->data()->at(bestIndex);
    QToolTip::showText(
        m_plot->mapToGlobal(pos),
        QString("%1\nstep %2: %3").arg(best->name()).arg(it->key).arg(it->value, 0, 'g', 5),
        m_plot);
}

}  // namespace qkvviews
