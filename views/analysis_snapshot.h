#pragma once
// What the analysis views draw: for each compared run, its captured maps and its measurements.
// Core's analysis results are plain values (Eigen, std::vector): no torch crosses into views.

#include <QColor>
#include <QString>
#include <QVector>

#include "analysis/analysis.h"

namespace qkvviews {

// The model summary (means over layers and heads) at one checkpoint of a run's history.
struct TrainingPoint {
    int step = 0;
    qkv::AnalysisSummary summary;
};

struct VariantAnalysis {
    QString runId;
    QString label;  // e.g. "Q-K=V", "demo / Q-K=V · seed 2"
    QString group;  // runs that differ only in their seed share it ("demo / Q-K=V"); empty: none
    QColor color;
    qkv::Capture capture;            // per layer and head: Q, K, V, logits S, attention A
    qkv::ModelAnalysis analysis;     // every measurement of docs/DESIGN.md §4
    QVector<TrainingPoint> history;  // per history checkpoint, same input; empty without one
};

struct AnalysisSet {
    QVector<VariantAnalysis> variants;
    QString inputDescription;
};

// The layer, head and variant every analysis view shows, kept in sync by AnalysisPickers.
struct AnalysisSelection {
    int variant = 0;
    int layer = 0;
    int head = 0;
    bool acrossVariants = false;  // attention: one head across variants, not one variant's grid
};

}  // namespace qkvviews
