#include "spectra_view.h"

#include <QComboBox>

#include <cmath>

#include "qcp.h"
#include "seed_groups.h"

namespace qkvviews {

SpectraView::SpectraView(QWidget* parent) : AnalysisFigureView(parent) {
    m_kind = addChoice(tr("Matrix"), spectrumKindNames());
    m_kind->setCurrentIndex(int(SpectrumKind::Bilinear));
    m_rank = addChoice(tr("Bars"), rankKindNames());
}

void SpectraView::setKind(SpectrumKind kind) {
    m_kind->setCurrentIndex(int(kind));
}
void SpectraView::setRank(RankKind rank) {
    m_rank->setCurrentIndex(int(rank));
}

void SpectraView::draw() {
    const auto kind = SpectrumKind(m_kind->currentIndex());
    const auto rank = RankKind(m_rank->currentIndex());
    const int n = m_set.variants.size();
    const QStringList header = {"panel", "variant", "layer", "head", "index", "value"};

    auto* values = new QCPAxisRect(m_plot);
    auto* bars = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, values);
    m_plot->plotLayout()->addElement(1, 0, bars);
    QCPAxis* sx = values->axis(QCPAxis::atBottom);
    QCPAxis* sy = values->axis(QCPAxis::atLeft);
    sx->setTicker(integerTicker());
    sy->setScaleType(QCPAxis::stLogarithmic);
    sy->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    sx->setLabel(tr("index i (%1, layer %2, head %3)")
                     .arg(m_kind->currentText())
                     .arg(m_selection.layer)
                     .arg(m_selection.head));
    sy->setLabel(tr("singular value σ_i"));
    // Under the spectra, in rows: never over the singular values it names.
    auto* legend = new QCPLegend;
    m_plot->plotLayout()->addElement(2, 0, legend);
    m_plot->plotLayout()->setRowStretchFactor(2, 0.001);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(3);
    double lo = 1e300, hi = 0, maxIndex = 1;
    for (int v = 0; v < n; ++v) {
        const qkv::SpectrumResult* s =
            spectrumOf(m_set.variants[v].analysis, kind, m_selection.layer, m_selection.head);
        if (!s) continue;
        auto* g = new QCPGraph(sx, sy);
        g->setPen(QPen(m_set.variants[v].color, 1.8));
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        g->setName(QString("%1 (erank %2)")
                       .arg(m_set.variants[v].label)
                       .arg(s->value.effectiveRank, 0, 'f', 1));
        legend->addItem(new QCPPlottableLegendItem(legend, g));
        const auto& sv = s->value.singularValues;
        for (size_t i = 0; i < sv.size(); ++i) {
            record(header,
                   {"singular_values", m_set.variants[v].label, QString::number(m_selection.layer),
                    QString::number(m_selection.head), QString::number(i), number(sv[i])});
            if (!(sv[i] > 0)) continue;  // log axis: zeros are not drawn
            g->addData(double(i), sv[i]);
            lo = std::min(lo, sv[i]);
            hi = std::max(hi, sv[i]);
        }
        maxIndex = std::max(maxIndex, double(sv.size()));
    }
    sx->setRange(-0.5, maxIndex - 0.5);
    if (hi > 0) sy->setRange(lo / 1.5, hi * 1.5);

    QCPAxis* bx = bars->axis(QCPAxis::atBottom);
    QCPAxis* by = bars->axis(QCPAxis::atLeft);
    bx->setLabel(tr("layer"));
    by->setLabel(m_rank->currentText());
    // Seeds of a variant are one bar at their mean with a ±1 std whisker (every seed's value in
    // the CSV); heads are not matched across seeds, layers are.
    const QVector<SeedGroup> groups = seedGroups(m_set);
    auto* barsGroup = new QCPBarsGroup(m_plot);
    double top = 1;
    int layers = 0;
    QVector<QVector<double>> perRun(n);
    for (int v = 0; v < n; ++v) {
        perRun[v] = rankPerLayer(m_set.variants[v].analysis, kind, rank);
        for (int l = 0; l < perRun[v].size(); ++l)
            record(header, {m_rank->currentText(), m_set.variants[v].label, QString::number(l),
                            QString(), QString(), number(perRun[v][l])});
        layers = std::max(layers, int(perRun[v].size()));
    }
    for (const SeedGroup& g : groups) {
        auto* b = new QCPBars(bx, by);
        b->setBrush(g.color);
        b->setPen(Qt::NoPen);
        b->setWidth(0.8 / std::max(1, int(groups.size())));
        b->setBarsGroup(barsGroup);
        QVector<double> spread;
        for (int l = 0; l < layers; ++l) {
            std::vector<double> values;
            for (int v : g.variants) values.push_back(l < perRun[v].size() ? perRun[v][l] : qkv::kNoValue);
            const qkv::SeedSummary s = qkv::summarizeSeeds(values);
            if (s.n == 0) continue;
            if (g.variants.size() > 1) {
                record(header, {m_rank->currentText() + " mean", g.name, QString::number(l), QString(),
                                QString::number(s.n), number(s.mean)});
                record(header, {m_rank->currentText() + " std", g.name, QString::number(l), QString(),
                                QString::number(s.n), number(s.std)});
            }
            b->addData(l, s.mean);
            spread << s.std;
            top = std::max(top, s.mean + s.std);
        }
        if (g.variants.size() > 1) {
            auto* whisker = new QCPErrorBars(bx, by);
            whisker->setDataPlottable(b);
            whisker->setData(spread);
            whisker->setPen(QPen(g.color.darker(170), 1.2));
        }
    }
    bx->setTicker(integerTicker());
    bx->grid()->setZeroLinePen(Qt::NoPen);  // it ran through layer 0's bars
    bx->setRange(-0.6, layers - 0.4);
    by->setRange(0, top * 1.1);
    setCaption(
        tr("Singular values of %1; absent for variants without that matrix. Bars: %2 per layer%3%4.")
            .arg(m_kind->currentText(), m_rank->currentText(),
                 int(kind) >= int(SpectrumKind::HeadWQ) ? tr(" (mean over heads)") : QString(),
                 hasSeeds(groups) ? tr(", a variant's seeds as their mean with a ±1 std whisker")
                                  : QString()));
}

}  // namespace qkvviews
