#pragma once
// Symmetry of attention: S − Sᵀ of the selected head for each variant on a diverging map
// centred on 0 (top row), and for each variant a layer × head map of the asymmetry index or
// symmetry score of the bilinear form, the logits or the attention (bottom row).

#include "analysis_figure_view.h"
#include "analysis_values.h"

namespace qkvviews {

class SymmetryView : public AnalysisFigureView {
    Q_OBJECT

public:
    explicit SymmetryView(QWidget* parent = nullptr);
    QString figureName() const override { return "symmetry"; }

    void setSource(SymmetrySource s);
    void setMeasure(SymmetryMeasureKind m);
    // S − Sᵀ of the selected head of a variant (empty when out of range).
    Eigen::MatrixXd skewPart(int variant) const;

protected:
    void draw() override;

private:
    QComboBox* m_source;
    QComboBox* m_measure;
};

}  // namespace qkvviews
