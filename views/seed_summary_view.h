#pragma once
// Seeds: the model-level measures (means over layers and heads) of each variant over its seeds,
// one panel a measure: a bar at the mean, a ±1 std whisker and every seed as a dot, n in the
// legend. The one view where the spread over seeds of the analysis itself is read; the per-head
// views show each seed, since heads are not matched across seeds.

#include "analysis_figure_view.h"

namespace qkvviews {

class SeedSummaryView : public AnalysisFigureView {
    Q_OBJECT

public:
    explicit SeedSummaryView(QWidget* parent = nullptr);
    QString figureName() const override { return "seeds"; }

protected:
    void draw() override;
};

}  // namespace qkvviews
