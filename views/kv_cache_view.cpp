#include "kv_cache_view.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonObject>
#include <QScrollBar>
#include <QSplitter>
#include <QTextEdit>
#include <QToolTip>

#include <cmath>

#include "kv_cache_what_if.h"
#include "plot_theme.h"
#include "qcp.h"

namespace qkvviews {

namespace {

// Byte counts on the axis as "1.5 KiB", not "1.5·10³": one binary unit for the whole axis,
// chosen from the range, and round steps in that unit.
class ByteTicker : public QCPAxisTicker {
protected:
    double getTickStep(const QCPRange& range) override {
        m_unit = 1;
        m_name = "B";
        for (const char* name : {"KiB", "MiB", "GiB", "TiB"}) {
            if (std::max(std::abs(range.lower), std::abs(range.upper)) < m_unit * 1024) break;
            m_unit *= 1024;
            m_name = name;
        }
        return QCPAxisTicker::getTickStep(QCPRange(range.lower / m_unit, range.upper / m_unit)) *
               m_unit;
    }
    QString getTickLabel(double tick, const QLocale& locale, QChar, int) override {
        return locale.toString(tick / m_unit, 'g', 4) + " " + m_name;
    }

private:
    double m_unit = 1;
    QString m_name = "B";
};

QString csvField(const QString& s) {
    if (!s.contains(',') && !s.contains('"') && !s.contains('\n')) return s;
    return '"' + QString(s).replace('"', "\"\"") + '"';
}

QString number(double v) {
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QJsonValue finiteOrNull(double v) {
    return std::isfinite(v) ? QJsonValue(v) : QJsonValue();
}

QJsonArray toArray(const QVector<double>& v) {
    QJsonArray a;
    for (double x : v) a.append(finiteOrNull(x));
    return a;
}

// Nothing to draw now or later: a run skipped before it generated.
bool skipped(const KvCacheRun& r) {
    return r.finished && r.tokenIndex.isEmpty();
}

}  // namespace

QString KvCacheView::matchStatus(const KvCacheRun& run) {
    bool equal = run.bytesHeld.size() == run.formulaBytes.size();
    for (int i = 0; equal && i < run.bytesHeld.size(); ++i)
        equal = run.bytesHeld[i] == run.formulaBytes[i];
    return equal ? QStringLiteral("measured = formula ✓") : QStringLiteral("measured ≠ formula ✗");
}

KvCacheView::KvCacheView(QWidget* parent) : QWidget(parent) {
    m_plot = new QCustomPlot(this);
    m_plot->plotLayout()->clear();
    m_cacheRect = new QCPAxisRect(m_plot);
    m_reductionRect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, m_cacheRect);
    m_plot->plotLayout()->addElement(1, 0, m_reductionRect);
    m_plot->plotLayout()->setRowStretchFactor(0, 3);
    m_plot->plotLayout()->setRowStretchFactor(1, 1.3);
    auto* margins = new QCPMarginGroup(m_plot);
    for (QCPAxisRect* r : {m_cacheRect, m_reductionRect})
        r->setMarginGroup(QCP::msLeft | QCP::msRight, margins);
    m_cacheRect->setRangeDrag(Qt::Horizontal | Qt::Vertical);
    m_cacheRect->setRangeZoom(Qt::Horizontal | Qt::Vertical);
    m_reductionRect->setRangeDrag(Qt::Orientations());
    m_reductionRect->setRangeZoom(Qt::Orientations());
    m_cacheRect->axis(QCPAxis::atBottom)->setLabel(tr("generated token"));
    m_cacheRect->axis(QCPAxis::atLeft)->setLabel(tr("KV cache\n— held, ○ formula"));
    m_cacheRect->axis(QCPAxis::atLeft)->setTicker(QSharedPointer<QCPAxisTicker>(new ByteTicker));
    // Horizontal bars: run names read along the left axis, first run on top.
    m_reductionRect->axis(QCPAxis::atBottom)->setLabel(tr("cache size vs QKV\nwith g = H (%)"));
    m_reductionRect->axis(QCPAxis::atLeft)->setRangeReversed(true);
    m_reductionRect->axis(QCPAxis::atLeft)->grid()->setVisible(false);

    auto* legend = new QCPLegend;
    m_cacheRect->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignLeft);
    m_plot->legend = legend;
    m_placeholder = new QCPItemText(m_plot);
    m_placeholder->setClipAxisRect(m_cacheRect);
    m_placeholder->position->setAxisRect(m_cacheRect);
    m_placeholder->position->setType(QCPItemPosition::ptAxisRectRatio);
    m_placeholder->position->setCoords(0.5, 0.5);
    m_placeholder->setText(tr("Press Generate:\nthe caches grow here,\ntoken by token."));
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->setMouseTracking(true);
    connect(m_plot, &QCustomPlot::mouseMove, this,
            [this](QMouseEvent* e) { showValueAt(e->pos()); });
    connect(m_plot, &QCustomPlot::mouseDoubleClick, this, [this](QMouseEvent*) { rebuild(); });

    m_text = new QTextEdit(this);
    m_text->setReadOnly(true);
    m_text->setPlaceholderText(tr("The generated text of every run appears here."));
    m_whatIf = new KvCacheWhatIfPanel(this);
    m_whatIf->setMaximumWidth(380);
    connect(m_whatIf, &KvCacheWhatIfPanel::rowsChanged, this,
            [this] { m_plot->replot(QCustomPlot::rpQueuedReplot); });

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_plot);
    split->addWidget(m_text);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setChildrenCollapsible(false);
    m_plot->setMinimumHeight(260);
    m_text->setMinimumHeight(60);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(split, 1);
    layout->addWidget(m_whatIf);
    m_plot->setMinimumSize(240, 200);  // never widens the window; panels shrink instead
    followPalette(m_plot);
    rebuild();
}

void KvCacheView::changeEvent(QEvent* event) {
    // The plot follows by itself (followPalette); its text items take the colour on rebuild.
    if (event->type() == QEvent::PaletteChange) rebuild();
    QWidget::changeEvent(event);
}

void KvCacheView::setRuns(const QVector<KvCacheRun>& runs) {
    m_runs = runs;
    rebuild();
    rebuildText();
}

void KvCacheView::setLineWidth(double width) {
    m_lineWidth = width;
    rebuild();
}

void KvCacheView::rebuild() {
    m_plot->clearPlottables();
    for (int i = m_plot->itemCount() - 1; i >= 0; --i)
        if (m_plot->item(i) != m_placeholder) m_plot->removeItem(i);
    m_plot->legend->clearItems();
    const QColor text = palette().color(QPalette::Text);
    QCPAxis* tokenAxis = m_cacheRect->axis(QCPAxis::atBottom);
    QCPAxis* bytesAxis = m_cacheRect->axis(QCPAxis::atLeft);
    double maxToken = 1, maxBytes = 0;
    for (int i = 0; i < m_runs.size(); ++i) {
        const KvCacheRun& r = m_runs[i];
        if (skipped(r)) continue;
        QCPGraph* held = m_plot->addGraph(tokenAxis, bytesAxis);
        held->setPen(QPen(r.color, m_lineWidth));
        held->setName(r.label + "  ·  " + matchStatus(r));
        held->setData(r.tokenIndex, r.bytesHeld, true);
        held->setProperty("run", i);
        // Dashed with hollow markers on top of the solid line: where they coincide, both show.
        QCPGraph* formula = m_plot->addGraph(tokenAxis, bytesAxis);
        formula->setPen(QPen(r.color, std::max(1.0, m_lineWidth * 0.6), Qt::DashLine));
        formula->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, r.color, 6));
        formula->setScatterSkip(std::max(0, int(r.tokenIndex.size()) / 40));
        formula->setName(r.label + " formula");
        formula->setData(r.tokenIndex, r.formulaBytes, true);
        formula->setProperty("run", i);
        formula->removeFromLegend();
        for (int j = 0; j < r.tokenIndex.size(); ++j) {
            maxToken = std::max(maxToken, r.tokenIndex[j]);
            if (j < r.bytesHeld.size()) maxBytes = std::max(maxBytes, r.bytesHeld[j]);
            if (j < r.formulaBytes.size()) maxBytes = std::max(maxBytes, r.formulaBytes[j]);
        }
    }
    // Tokens are whole: no "0.25" before any is made.
    QSharedPointer<QCPAxisTickerFixed> whole(new QCPAxisTickerFixed);
    whole->setTickStep(1);
    whole->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    tokenAxis->setTicker(whole);
    tokenAxis->setRange(0, maxToken + 0.5);
    bytesAxis->setRange(0, maxBytes > 0 ? maxBytes * 1.08 : 1024);

    QSharedPointer<QCPAxisTickerText> names(new QCPAxisTickerText);
    QCPAxis* runAxis = m_reductionRect->axis(QCPAxis::atLeft);
    QCPAxis* percentAxis = m_reductionRect->axis(QCPAxis::atBottom);
    int bars = 0;
    for (int i = 0; i < m_runs.size(); ++i) {
        const KvCacheRun& r = m_runs[i];
        if (!std::isfinite(r.reductionVsQkv)) continue;
        // One QCPBars per run: QCustomPlot 2.1 colours a whole bars plottable at once.
        auto* bar = new QCPBars(runAxis, percentAxis);
        bar->setPen(QPen(r.color.darker(130)));
        bar->setBrush(r.color);
        bar->setWidth(0.6);
        bar->setName(r.label);
        bar->addData(bars, -100 * r.reductionVsQkv);  // smaller than QKV's: negative
        bar->setProperty("run", i);
        bar->removeFromLegend();
        auto* value = new QCPItemText(m_plot);
        value->setClipAxisRect(m_reductionRect);
        value->position->setAxes(percentAxis, runAxis);
        value->position->setCoords(-100 * r.reductionVsQkv, bars);
        value->setPositionAlignment(Qt::AlignRight | Qt::AlignVCenter);
        value->setPadding(QMargins(0, 0, 4, 0));
        value->setColor(text);
        value->setText(percentText(r.reductionVsQkv));
        names->addTick(bars, r.label);
        ++bars;
    }
    runAxis->setTicker(names);
    runAxis->setRange(-0.6, std::max(1, bars) - 0.4);
    percentAxis->setRange(-118, 0);  // room for the value labels left of a full bar

    m_placeholder->setColor(text);
    m_placeholder->setVisible(m_runs.isEmpty());
    m_plot->legend->setVisible(m_plot->legend->itemCount() > 0);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

void KvCacheView::rebuildText() {
    const int scroll = m_text->verticalScrollBar()->value();
    const bool atEnd = scroll >= m_text->verticalScrollBar()->maximum() - 4;
    QString html;
    for (const KvCacheRun& r : m_runs) {
        html +=
            QString("<p><b style=\"color:%1\">%2</b>").arg(r.color.name(), r.label.toHtmlEscaped());
        if (!r.note.isEmpty())
            html += QString(" <i style=\"color:gray\">(%1)</i>").arg(r.note.toHtmlEscaped());
        if (!skipped(r))
            html += "<br><span style=\"white-space:pre-wrap\"><span style=\"color:gray\">" +
                    r.prompt.toHtmlEscaped() + "</span>" + r.text.toHtmlEscaped() + "</span>";
        html += "</p>";
    }
    m_text->setHtml(html);
    // Live text grows at the bottom: follow it, unless the user scrolled up to read.
    m_text->verticalScrollBar()->setValue(atEnd ? m_text->verticalScrollBar()->maximum() : scroll);
}

void KvCacheView::showValueAt(const QPoint& pos) {
    QString tip;
    double best = 12;  // pixels
    const bool overCache = m_cacheRect->rect().contains(pos);
    for (int i = 0; overCache && i < m_plot->graphCount(); ++i) {
        QCPGraph* g = m_plot->graph(i);
        const int run = g->property("run").toInt();
        for (int j = 0; j < g->data()->size(); ++j) {
            const auto it = g->data()->at(j);
            const QPointF p = g->coordsToPixels(it->key, it->value);
            const double d = std::hypot(p.x() - pos.x(), p.y() - pos.y());
            if (d >= best) continue;
            best = d;
            const KvCacheRun& r = m_runs[run];
            tip = tr("%1, token %2\nheld %3 B\nformula %4 B\n%5 ms")
                      .arg(r.label)
                      .arg(it->key)
                      .arg(qint64(r.bytesHeld.value(j)))
                      .arg(qint64(r.formulaBytes.value(j)))
                      .arg(r.msPerToken.value(j), 0, 'f', 2);
        }
    }
    for (int i = 0; tip.isEmpty() && i < m_plot->plottableCount(); ++i) {
        auto* bar = qobject_cast<QCPBars*>(m_plot->plottable(i));
        if (bar && bar->selectTest(pos, false) >= 0) {  // -1 outside the bar
            const KvCacheRun& r = m_runs[bar->property("run").toInt()];
            tip = tr("%1: cache %2 smaller than QKV (g = H)")
                      .arg(r.label, percentText(r.reductionVsQkv));
        }
    }
    if (tip.isEmpty())
        QToolTip::hideText();
    else
        QToolTip::showText(m_plot->mapToGlobal(pos), tip, m_plot);
}

QString KvCacheView::figureCsv() const {
    QString csv = "run,token,bytes_held,formula_bytes,ms\n";
    for (const KvCacheRun& r : m_runs)
        for (int j = 0; j < r.tokenIndex.size(); ++j)
            csv += csvField(r.label) + ',' + number(r.tokenIndex[j]) + ',' +
                   number(r.bytesHeld.value(j)) + ',' + number(r.formulaBytes.value(j)) + ',' +
                   number(r.msPerToken.value(j, std::nan(""))) + '\n';
    return csv;
}

QJsonObject KvCacheView::figureJson() const {
    QJsonArray runs;
    for (const KvCacheRun& r : m_runs) {
        QJsonObject o;
        o["runId"] = r.runId;
        o["label"] = r.label;
        o["color"] = r.color.name();
        o["prompt"] = r.prompt;
        o["text"] = r.text;
        o["finished"] = r.finished;
        o["note"] = r.note;
        o["reductionVsQkv"] = finiteOrNull(r.reductionVsQkv);
        o["measuredEqualsFormula"] = matchStatus(r).endsWith(QStringLiteral("✓"));
        o["token"] = toArray(r.tokenIndex);
        o["bytesHeld"] = toArray(r.bytesHeld);
        o["formulaBytes"] = toArray(r.formulaBytes);
        o["ms"] = toArray(r.msPerToken);
        runs.append(o);
    }
    const KvCacheWhatIfConfig c = m_whatIf->config();
    QJsonArray rows;
    for (const KvCacheWhatIfRow& w : m_whatIf->rows()) {
        QJsonObject o{{"variant", w.variantId}, {"paperName", w.variantName}, {"valid", w.valid}};
        if (w.valid) {
            o["bytes"] = double(w.bytes);
            o["reductionVsQkv"] = w.reduction;
        } else {
            o["reason"] = w.reason;
        }
        rows.append(o);
    }
    const QJsonObject whatIf{{"layers", c.layers},
                             {"dModel", c.dModel},
                             {"heads", c.heads},
                             {"kvHeads", c.kvHeads},
                             {"context", c.context},
                             {"batch", c.batch},
                             {"bytesPerElement", c.bytesPerElement},
                             {"variants", rows}};
    return QJsonObject{{"figure", figureName()}, {"runs", runs}, {"whatIf", whatIf}};
}

QString KvCacheView::nothingToShow() const {
    return m_runs.isEmpty() ? tr("nothing generated yet (the cache grows as Generate runs)") : QString();
}

}  // namespace qkvviews
