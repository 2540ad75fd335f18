#pragma once
// Value snapshots the views draw. Made by the app from core results; copied across threads.

#include <QColor>
#include <QList>
#include <QPair>
#include <QString>
#include <QVector>

#include <limits>

namespace qkvviews {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

// One run's learning curves.
struct CurveSeries {
    QString runId;  // stable key (the run folder path)
    QString label;  // legend text, e.g. "demo / shared-kv"
    QColor color;
    QVector<double> steps;  // evaluation steps
    QVector<double> valLoss;
    QVector<double> valAccuracy;  // in [0, 1]
    QVector<double> trainSteps;   // the training-loss log, finer than evaluations
    QVector<double> trainLoss;    // mean training loss over each logged window
    // Runs of one variant that differ only by their seed share a group ("experiment/variant");
    // the view can draw them as a mean with a band. Empty: a run of its own.
    QString group;
    // The k-th experiment on show: its validation curves carry the k-th marker shape (none for
    // the first), so experiments stay apart beside their shades of one colour family.
    int experimentIndex = 0;
    QVector<double> valLossLow, valLossHigh, valAccuracyLow, valAccuracyHigh;  // a drawn band
};

// One row of the comparison table.
struct ComparisonRow {
    QString runId;
    QString experiment;
    QString variant;  // paper name, e.g. "Q-K=V"
    QColor color;
    double parameters = kMissing;
    double attentionParameters = kMissing;
    double kvBytesPerToken = kMissing;
    double cacheReduction = kMissing;              // 1 − cache/cache(QKV, g = H)
    double loss = kMissing, lossDelta = kMissing;  // Δ relative to QKV of the same experiment
    double accuracy = kMissing, accuracyDelta = kMissing;  // Δ in points (absolute)
    double perplexity = kMissing, perplexityDelta = kMissing;
    double seconds = kMissing;
    int steps = 0;
    QString status;
    // Over several seeds: the values above are means; these are the sample standard deviations
    // and every seed's value ("1.71; 1.73; 1.80"), for the CSV.
    int seeds = 1;
    double lossStd = kMissing, accuracyStd = kMissing, perplexityStd = kMissing;
    QString seedLosses;
};

// What the projection diagram draws for a variant.
struct ProjectionLayout {
    QString variantName;            // paper name
    bool hasQ = true, hasV = true;  // separate W_Q / W_V exist
    bool queryIsKey = false, valueIsKey = false;
    bool identityQuery = false, mlpQuery = false;
    int heads = 4, kvHeads = 4;
    bool posBias = false;
};

// The selected run, for the summary panel.
struct RunSummary {
    QString title;
    QList<QPair<QString, QString>> settings;      // label → value
    QList<QPair<QString, QString>> weightShapes;  // parameter name → "(out, in)"
    ProjectionLayout layout;
};

}  // namespace qkvviews
