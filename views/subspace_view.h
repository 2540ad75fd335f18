#pragma once
// Subspaces: principal-angle curves of the selected head for K/V, Q/K and Q/V (one colour per
// variant, one line style per pair), and a layer × head overlap (or CKA) map per variant.

#include "analysis_figure_view.h"
#include "analysis_values.h"

namespace qkvviews {

class SubspaceView : public AnalysisFigureView {
    Q_OBJECT

public:
    explicit SubspaceView(QWidget* parent = nullptr);
    QString figureName() const override { return "subspaces"; }
    void setPair(OverlapPair pair);

protected:
    void draw() override;

private:
    QComboBox* m_pair;
};

}  // namespace qkvviews
