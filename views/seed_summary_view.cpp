#include "seed_summary_view.h"

#include <cmath>

#include "heatmap_panels.h"
#include "qcp.h"
#include "seed_groups.h"

namespace qkvviews {

namespace {
struct Measure {
    const char* id;
    const char* title;
    double qkv::AnalysisSummary::*field;
};
const Measure kMeasures[] = {
    {"bilinear_asymmetry", QT_TRANSLATE_NOOP("SeedSummaryView", "asymmetry of W_Q W_Kᵀ"),
     &qkv::AnalysisSummary::bilinearAsymmetry},
    {"logits_asymmetry", QT_TRANSLATE_NOOP("SeedSummaryView", "asymmetry of the logits S"),
     &qkv::AnalysisSummary::logitsAsymmetry},
    {"attention_asymmetry", QT_TRANSLATE_NOOP("SeedSummaryView", "asymmetry of the attention A"),
     &qkv::AnalysisSummary::attentionAsymmetry},
    {"kv_weight_overlap", QT_TRANSLATE_NOOP("SeedSummaryView", "K/V weight overlap (mean cos²)"),
     &qkv::AnalysisSummary::kvWeightOverlap},
    {"attention_effective_rank", QT_TRANSLATE_NOOP("SeedSummaryView", "effective rank of A"),
     &qkv::AnalysisSummary::attentionEffectiveRank},
    {"attention_entropy", QT_TRANSLATE_NOOP("SeedSummaryView", "attention entropy (nats)"),
     &qkv::AnalysisSummary::attentionEntropy},
};
constexpr int kColumns = 3;
}  // namespace

SeedSummaryView::SeedSummaryView(QWidget* parent) : AnalysisFigureView(parent) {}

void SeedSummaryView::draw() {
    const QVector<SeedGroup> groups = seedGroups(m_set);
    const QStringList header = {"measure", "variant", "n", "mean", "std", "runs", "values"};
    auto* panels = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(0, 0, panels);
    // Under the panels, in rows: the legend never covers a bar.
    auto* legend = new QCPLegend;
    m_plot->plotLayout()->addElement(1, 0, legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(4);
    const int count = int(std::size(kMeasures));
    for (int m = 0; m < count; ++m) {
        const Measure& measure = kMeasures[m];
        auto* cell = new QCPLayoutGrid;
        panels->addElement(m / kColumns, m % kColumns, cell);
        cell->addElement(0, 0, addPanelTitle(m_plot, tr(measure.title)));
        auto* rect = new QCPAxisRect(m_plot);
        cell->addElement(1, 0, rect);
        cell->setRowStretchFactor(0, 0.001);
        QCPAxis* x = rect->axis(QCPAxis::atBottom);
        QCPAxis* y = rect->axis(QCPAxis::atLeft);
        x->setTicks(false);
        x->grid()->setVisible(false);
        x->setRange(-0.6, groups.size() - 0.4);
        double lo = 0, hi = 0;
        for (int g = 0; g < groups.size(); ++g) {
            const SeedGroup& group = groups[g];
            const SeedValues sv = seedValues(m_set, group, [&](const VariantAnalysis& va) {
                return va.analysis.modelSummary.*measure.field;
            });
            QStringList runs;
            for (int v : group.variants) runs << m_set.variants[v].label;
            record(header, {measure.id, group.name, QString::number(sv.summary.n),
                            sv.summary.n ? number(sv.summary.mean) : QString(),
                            sv.summary.n > 1 ? number(sv.summary.std) : QString(), runs.join("; "),
                            sv.valuesText()});
            auto* bars = new QCPBars(x, y);
            bars->setName(seedGroupLabel(group, sv.summary));
            QColor fill = group.color;
            fill.setAlpha(150);
            bars->setBrush(fill);
            bars->setPen(QPen(group.color.darker(130), 1));
            bars->setWidth(0.6);
            if (m == 0) legend->addItem(new QCPPlottableLegendItem(legend, bars));
            if (sv.summary.n == 0) continue;  // absent for this variant: no bar
            bars->addData(g, sv.summary.mean);
            lo = std::min(lo, sv.summary.min);
            hi = std::max(hi, sv.summary.max);
            // Every seed as a dot, spread across the bar so equal values stay visible.
            auto* dots = new QCPGraph(x, y);
            dots->setLineStyle(QCPGraph::lsNone);
            dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle,
                                                  QPen(group.color.darker(170), 1.2),
                                                  QBrush(group.color.lighter(120)), 6));
            for (int i = 0; i < sv.values.size(); ++i)
                if (std::isfinite(sv.values[i]))
                    dots->addData(
                        g + (sv.values.size() > 1 ? 0.36 * i / (sv.values.size() - 1) - 0.18 : 0.0),
                        sv.values[i]);
            if (sv.summary.n > 1) {  // over the dots: the spread reads first
                auto* whisker = new QCPErrorBars(x, y);
                whisker->setDataPlottable(bars);
                whisker->setData(QVector<double>{sv.summary.std});
                whisker->setPen(QPen(group.color.darker(170), 1.5));
                whisker->setWhiskerWidth(10);
            }
        }
        const double pad = std::max(0.08 * (hi - lo), 1e-3);
        y->setRange(lo < 0 ? lo - pad : 0.0, hi + pad);
    }
    setCaption(hasSeeds(groups)
                   ? tr("Model means over layers and heads on the same input, per variant over its "
                        "seeds: bar = mean, whisker = ±1 sample std, dots = each seed; n = seeds "
                        "with a value. Heads are not matched across seeds, so the per-head views "
                        "show each seed.")
                   : tr("Model means over layers and heads on the same input, one bar per run. "
                        "Train several seeds (--seeds 1,2,3, or Seeds in New Experiment) to see "
                        "their spread here."));
}

}  // namespace qkvviews
