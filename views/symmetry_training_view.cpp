#include "symmetry_training_view.h"

#include <QComboBox>
#include <QMap>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "qcp.h"
#include "seed_groups.h"

namespace qkvviews {

QStringList trainingMeasureNames() {
    return {QObject::tr("asymmetry index a(M) of the bilinear form"),
            QObject::tr("asymmetry index a(M) of the logits"),
            QObject::tr("asymmetry index a(M) of the attention"),
            QObject::tr("symmetry score s(M) of the logits"),
            QObject::tr("K/V weight overlap (mean cos²)")};
}

QString trainingMeasureId(TrainingMeasure m) {
    switch (m) {
        case TrainingMeasure::BilinearAsymmetry:
            return "bilinear_asymmetry";
        case TrainingMeasure::LogitsAsymmetry:
            return "logits_asymmetry";
        case TrainingMeasure::AttentionAsymmetry:
            return "attention_asymmetry";
        case TrainingMeasure::LogitsSymmetryScore:
            return "logits_symmetry_score";
        case TrainingMeasure::KvWeightOverlap:
            return "kv_weight_overlap";
    }
    return {};
}

double trainingMeasureValue(const qkv::AnalysisSummary& s, TrainingMeasure m) {
    switch (m) {
        case TrainingMeasure::BilinearAsymmetry:
            return s.bilinearAsymmetry;
        case TrainingMeasure::LogitsAsymmetry:
            return s.logitsAsymmetry;
        case TrainingMeasure::AttentionAsymmetry:
            return s.attentionAsymmetry;
        case TrainingMeasure::LogitsSymmetryScore:
            return s.logitsSymmetryScore;
        case TrainingMeasure::KvWeightOverlap:
            return s.kvWeightOverlap;
    }
    return qkv::kNoValue;
}

SymmetryTrainingView::SymmetryTrainingView(QWidget* parent) : AnalysisFigureView(parent) {
    m_measure = addChoice(tr("Measure"), trainingMeasureNames());
    m_measure->setCurrentIndex(int(TrainingMeasure::LogitsAsymmetry));
}

void SymmetryTrainingView::setMeasure(TrainingMeasure m) {
    m_measure->setCurrentIndex(int(m));
}

void SymmetryTrainingView::draw() {
    const auto measure = TrainingMeasure(m_measure->currentIndex());
    const QStringList header = {"variant", "step", "measure", "value"};
    auto* rect = new QCPAxisRect(m_plot);
    m_plot->plotLayout()->addElement(0, 0, rect);
    QCPAxis* x = rect->axis(QCPAxis::atBottom);
    QCPAxis* y = rect->axis(QCPAxis::atLeft);
    x->setLabel(tr("training step"));
    // Short enough for the axis' height in presentation mode; the chooser has the long name.
    static const char* const kShort[] = {"a(W_Q W_Kᵀ)", "a(S), logits", "a(A), attention",
                                         "s(S), logits", "K/V overlap (cos²)"};
    y->setLabel(tr(kShort[int(measure)]));
    // Under the plot, in rows: over it, it covered the lines and bands.
    auto* legend = new QCPLegend;
    m_plot->plotLayout()->addElement(1, 0, legend);
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    legend->setWrap(3);
    // The range always holds 0: a Q=K line lying on 0 must read as zero, not as a flat curve
    // somewhere in the middle.
    double lo = 0, hi = 0, lastStep = 0;
    QStringList without;
    // Hollow markers of a different shape per variant: the Q=K lines lie on top of each other
    // at 0, and each must still be seen.
    static const QCPScatterStyle::ScatterShape kShapes[] = {
        QCPScatterStyle::ssCircle,           QCPScatterStyle::ssSquare,
        QCPScatterStyle::ssTriangle,         QCPScatterStyle::ssDiamond,
        QCPScatterStyle::ssTriangleInverted, QCPScatterStyle::ssCross};
    // Seeds of a variant: one line at their mean over the checkpoints they all have, with a
    // ±1 std band; every seed's value stays in the CSV.
    const QVector<SeedGroup> groups = seedGroups(m_set);
    for (int gi = 0; gi < groups.size(); ++gi) {
        const SeedGroup& group = groups[gi];
        QMap<int, std::vector<double>> byStep;  // step → each run's value, in run order
        bool anyHistory = false;
        for (int v : group.variants) {
            const VariantAnalysis& va = m_set.variants[v];
            if (va.history.isEmpty()) {
                without << va.label;
                continue;
            }
            anyHistory = true;
            for (const TrainingPoint& p : va.history) {
                const double value = trainingMeasureValue(p.summary, measure);
                record(header,
                       {va.label, QString::number(p.step), trainingMeasureId(measure), number(value)});
                lastStep = std::max(lastStep, double(p.step));
                byStep[p.step].push_back(value);
            }
        }
        if (!anyHistory) continue;
        const QColor color = group.color;
        auto* g = new QCPGraph(x, y);
        g->setPen(QPen(color, 1.8));
        g->setScatterStyle(
            QCPScatterStyle(kShapes[gi % std::size(kShapes)], QPen(color, 1.5), Qt::NoBrush, 8));
        legend->addItem(new QCPPlottableLegendItem(legend, g));
        const bool seeds = group.variants.size() > 1;
        QCPGraph *low = nullptr, *high = nullptr;
        if (seeds) {
            low = new QCPGraph(x, y);
            high = new QCPGraph(x, y);
            for (QCPGraph* edge : {low, high}) edge->setPen(Qt::NoPen);
            QColor band = color;
            band.setAlpha(50);
            high->setBrush(band);
            high->setChannelFillGraph(low);
        }
        int n = 0;
        for (auto it = byStep.cbegin(); it != byStep.cend(); ++it) {
            const qkv::SeedSummary s = qkv::summarizeSeeds(it.value());
            // A step some seed has not reached (or has no value at) is left out of the mean.
            if (s.n == 0 || (seeds && s.n < int(group.variants.size()))) continue;
            n = s.n;
            g->addData(it.key(), s.mean);
            if (seeds) {
                low->addData(it.key(), s.mean - s.std);
                high->addData(it.key(), s.mean + s.std);
                record(header, {group.name + " (mean)", QString::number(it.key()),
                                trainingMeasureId(measure), number(s.mean)});
                record(header, {group.name + " (std)", QString::number(it.key()),
                                trainingMeasureId(measure), number(s.std)});
            }
            lo = std::min(lo, s.mean - s.std);
            hi = std::max(hi, s.mean + s.std);
        }
        g->setName(seeds ? tr("%1 (mean ± std, n %2)").arg(group.name).arg(n) : group.name);
    }
    const double pad = std::max(0.05 * (hi - lo), 1e-3);
    y->setRange(lo - pad, hi + pad);
    x->setRange(-0.02 * std::max(lastStep, 1.0), std::max(lastStep, 1.0) * 1.02);
    QString caption =
        tr("Model mean over layers and heads of the %1 at each checkpoint of the run "
           "(checkpoints/), on the same input. Q = K variants keep the bilinear form and the "
           "logits exactly symmetric (asymmetry 0) without the positional bias.")
            .arg(m_measure->currentText());
    if (!without.isEmpty())
        caption += " " + tr("No checkpoint history (runs trained before it was kept): %1.")
                             .arg(without.join(", "));
    setCaption(caption);
}

}  // namespace qkvviews
