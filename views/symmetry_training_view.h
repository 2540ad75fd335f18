#pragma once
// Symmetry over training: one model-level measure (mean over layers and heads) at every
// checkpoint of each run's history, one line per variant, so a reader sees whether QKV's
// attention drifts towards or away from symmetry while it learns.

#include "analysis_figure_view.h"

namespace qkvviews {

enum class TrainingMeasure {
    BilinearAsymmetry,
    LogitsAsymmetry,
    AttentionAsymmetry,
    LogitsSymmetryScore,
    KvWeightOverlap,
};

QStringList trainingMeasureNames();
QString trainingMeasureId(TrainingMeasure m);  // the CSV's "measure" column
double trainingMeasureValue(const qkv::AnalysisSummary& s, TrainingMeasure m);  // NaN if absent

class SymmetryTrainingView : public AnalysisFigureView {
    Q_OBJECT

public:
    explicit SymmetryTrainingView(QWidget* parent = nullptr);
    QString figureName() const override { return "symmetry-training"; }
    void setMeasure(TrainingMeasure m);

protected:
    void draw() override;

private:
    QComboBox* m_measure;
};

}  // namespace qkvviews
