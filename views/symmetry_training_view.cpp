#include "symmetry_training_view.h"

#include <QComboBox>

#include <algorithm>
#include <cmath>
#include <iterator>

#include "qcp.h"

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
    y->setLabel(m_measure->currentText());
    auto* legend = new QCPLegend;
    rect->insetLayout()->addElement(legend, Qt::AlignTop | Qt::AlignRight);
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
    for (int v = 0; v < m_set.variants.size(); ++v) {
        const VariantAnalysis& va = m_set.variants[v];
        if (va.history.isEmpty()) {
            without << va.label;
            continue;
        }
        auto* g = new QCPGraph(x, y);
        g->setName(va.label);
        g->setPen(QPen(va.color, 1.8));
        g->setScatterStyle(
            QCPScatterStyle(kShapes[v % std::size(kShapes)], QPen(va.color, 1.5), Qt::NoBrush, 8));
        legend->addItem(new QCPPlottableLegendItem(legend, g));
        for (const TrainingPoint& p : va.history) {
            const double value = trainingMeasureValue(p.summary, measure);
            record(header,
                   {va.label, QString::number(p.step), trainingMeasureId(measure), number(value)});
            lastStep = std::max(lastStep, double(p.step));
            if (!std::isfinite(value)) continue;  // absent for this variant: no point, no line
            g->addData(p.step, value);
            lo = std::min(lo, value);
            hi = std::max(hi, value);
        }
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
