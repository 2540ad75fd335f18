#pragma once
// The head atlas: for each compared model, a layer × head map of one per-head measure (logits or
// attention asymmetry, K/V overlap, effective rank, attention entropy, previous-token score), the
// overview a real model's 144 or 704 heads need. Heads can be sorted within each layer; GQA
// groups (the query heads that share a KV head) are drawn as separators; a click on a cell
// opens that head in the other views.

#include "analysis_figure_view.h"
#include "heatmap_panels.h"

namespace qkvviews {

enum class HeadMeasure {
    LogitsAsymmetry,
    AttentionAsymmetry,
    BilinearAsymmetry,
    KvWeightOverlap,
    KvActivationOverlap,
    AttentionEffectiveRank,
    BilinearEffectiveRank,
    AttentionEntropy,
    PreviousToken,
};
QStringList headMeasureNames();
// (layers × heads) of the measure, NaN where the model lacks it.
Eigen::MatrixXd headMeasureTable(const qkv::ModelAnalysis& a, HeadMeasure m);

class HeadAtlasView : public AnalysisFigureView {
    Q_OBJECT

public:
    explicit HeadAtlasView(QWidget* parent = nullptr);
    QString figureName() const override { return "head-atlas"; }

    void setMeasure(HeadMeasure m);
    void setSorted(bool sorted);
    // The head drawn at (row, column) of a variant's panel: columns are reordered when sorted.
    int headAt(int variant, int layer, int column) const;
    // What a click on (variant, row, column) does, callable from tests.
    void activateCell(int panel, int row, int column);

Q_SIGNALS:
    void headActivated(int variant, int layer, int head);

protected:
    void draw() override;

private:
    void showHover(const QPointF& pos);

    QComboBox* m_measure;
    QComboBox* m_order;
    QVector<HeatmapPanel> m_panels;
    QVector<int> m_panelVariant;
    QVector<QVector<QVector<int>>> m_columns;  // [variant][layer][column] → head drawn there
};

}  // namespace qkvviews
