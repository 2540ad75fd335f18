#pragma once
// Spectra: singular values (log scale) of a chosen matrix at the selected layer and head, the
// variants overlaid; below, a rank summary (effective, stable, 90 %/99 % energy) per layer as
// grouped bars.

#include "analysis_figure_view.h"
#include "analysis_values.h"

namespace qkvviews {

class SpectraView : public AnalysisFigureView {
    Q_OBJECT

public:
    explicit SpectraView(QWidget* parent = nullptr);
    QString figureName() const override { return "spectra"; }
    void setKind(SpectrumKind kind);
    void setRank(RankKind rank);

protected:
    void draw() override;

private:
    QComboBox* m_kind;
    QComboBox* m_rank;
};

}  // namespace qkvviews
