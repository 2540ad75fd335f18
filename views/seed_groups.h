#pragma once
// The analysed runs grouped by what differs only in its seed ("demo / QKV" over seeds 1, 2, 3),
// and means with sample standard deviations over a group, for the views that draw seeds as one
// mark with an error bar. Heads are not matched across seeds (head 3 of one seed has no reason
// to be head 3 of another), so only layer and model means are aggregated.

#include <QColor>
#include <QString>
#include <QVector>

#include <functional>

#include "analysis_snapshot.h"
#include "train/seed_stats.h"

namespace qkvviews {

struct SeedGroup {
    QString name;           // the runs' label without " · seed N"
    QColor color;           // its first run's
    QVector<int> variants;  // indices into AnalysisSet::variants, in order
};

// In the order of their first run; a run without a group is a group of its own.
QVector<SeedGroup> seedGroups(const AnalysisSet& set);
// True when some group has more than one run.
bool hasSeeds(const QVector<SeedGroup>& groups);

// A value of each run of the group (NaN where absent) and their mean ± std over the finite ones.
struct SeedValues {
    QVector<double> values;
    qkv::SeedSummary summary;
    QString valuesText() const;  // "0.12; 0.13; 0.11", every run's, empty where absent
};
SeedValues seedValues(const AnalysisSet& set, const SeedGroup& group,
                      const std::function<double(const VariantAnalysis&)>& value);

// "QKV (n 3)" for a group of seeds, the name alone for a single run.
QString seedGroupLabel(const SeedGroup& group, const qkv::SeedSummary& summary);

}  // namespace qkvviews
