#pragma once
// Read-outs of an analysis that several views share: layer × head tables of one measure (NaN
// where absent), and the spectrum of a chosen matrix.

#include <Eigen/Dense>
#include <QString>
#include <QStringList>

#include "analysis_snapshot.h"

namespace qkvviews {

enum class SymmetrySource { BilinearForm, Logits, Attention };
enum class SymmetryMeasureKind { AsymmetryIndex, SymmetryScore };
enum class OverlapPair { KvWeights, QkWeights, QvWeights, KvActivations, KvCka };
enum class SpectrumKind {
    WQ,
    WK,
    WV,
    WO,
    HeadWQ,
    HeadWK,
    HeadWV,
    HeadWO,
    Bilinear,
    Ov,
    Logits,
    Attention
};
enum class RankKind { Effective, Stable, Energy90, Energy99 };

QStringList symmetrySourceNames();
QStringList overlapPairNames();
QStringList spectrumKindNames();
QStringList rankKindNames();

// (layers × heads), NaN where the variant lacks the matrix.
Eigen::MatrixXd symmetryTable(const qkv::ModelAnalysis& a, SymmetrySource source,
                              SymmetryMeasureKind measure);
Eigen::MatrixXd overlapTable(const qkv::ModelAnalysis& a, OverlapPair pair);
// Principal angles in degrees of one head and pair; empty when absent.
std::vector<double> principalAnglesDeg(const qkv::ModelAnalysis& a, int layer, int head,
                                       OverlapPair pair);
// The spectrum of a matrix at (layer, head); nullptr when absent or out of range.
const qkv::SpectrumResult* spectrumOf(const qkv::ModelAnalysis& a, SpectrumKind kind, int layer,
                                      int head);
// A rank summary of that spectrum kind per layer (mean over heads for per-head kinds).
QVector<double> rankPerLayer(const qkv::ModelAnalysis& a, SpectrumKind kind, RankKind rank);

}  // namespace qkvviews
